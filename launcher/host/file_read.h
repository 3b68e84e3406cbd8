// Reading files on the host side. [o] outside. Impure.
//
// SPEC §3a.4: a file a sandbox could have written (anything in the project, a venv, VENV/home,
// VENV/cache) is opened with O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, so a planted symlink is not
// followed and a planted FIFO cannot stall the launcher; it must be a regular file (fstat on
// the open descriptor, not a stat before the open that a rename could race) and at most `cap`
// bytes. read_kernel_file is for /proc and /sys, whose sizes fstat does not know.
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

inline constexpr size_t kUntrustedFileCap = 1 << 20;

// The whole file. A missing file is an Error with sys_errno ENOENT.
Expected<std::string> read_untrusted_file(const std::string& path, size_t cap = kUntrustedFileCap);

// The two halves of read_untrusted_file, for a caller that decides on the file's type or size
// before reading it, without a stat before the open. open_untrusted: the descriptor and its
// fstat, of any type (a symbolic link is ELOOP); read_open_file: the whole of a regular file
// of at most `cap` bytes, named `path` in errors.
struct OpenFile {
  UniqueFd fd;
  struct stat st;
};
Expected<OpenFile> open_untrusted(const std::string& path);
Expected<std::string> read_open_file(const OpenFile& file, const std::string& path, size_t cap);
// At most `cap` bytes of a /proc or /sys file; nullopt when it cannot be opened.
std::optional<std::string> read_kernel_file(const std::string& path, size_t cap = 1 << 20);
// The text of a symbolic link; nullopt when `path` is not one.
std::optional<std::string> read_link(const std::string& path);

}  // namespace vx
