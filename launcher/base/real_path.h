// The canonical path of an existing file, in 3 syscalls rather than realpath(3)'s one readlink
// per component (~3 µs each on a PVM guest). Used by every process that resolves a path on the
// host side or in a nested call. Impure.
#pragma once

#include <string>

#include "base/error.h"

namespace vx {

// As realpath(3): absolute, every symbolic link followed, no "." or "..". A missing path (or a
// dangling link) is an Error with sys_errno ENOENT; a relative path is taken from the working
// directory. The file is opened with O_PATH (no read access needed, a FIFO is not waited on)
// and its name read back from /proc/self/fd; without /proc, realpath(3) does the work.
Expected<std::string> real_path(const std::string& path);

// "/proc/self/fd/FD" into `out`, NUL-terminated. Formatted by hand: a launch needs printf's
// code for nothing else, and bringing it in costs page faults.
void format_proc_fd(int fd, char (&out)[32]);

}  // namespace vx
