// Reading files on the host side. [o] outside. Impure.
//
// SPEC §3a.4: a file a sandbox could have written (anything in the project, a venv, VENV/home,
// VENV/cache) is opened with O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, so a planted symlink is not
// followed and a planted FIFO cannot stall the launcher; it must be a regular file (fstat on
// the open descriptor, not a stat before the open that a rename could race) and at most `cap`
// bytes. read_kernel_file is for /proc and /sys, whose sizes fstat does not know.
#pragma once

#include <optional>
#include <string>

#include "base/error.h"

namespace vx {

inline constexpr size_t kUntrustedFileCap = 1 << 20;

// The whole file. A missing file is an Error with sys_errno ENOENT.
Expected<std::string> read_untrusted_file(const std::string& path, size_t cap = kUntrustedFileCap);
// At most `cap` bytes of a /proc or /sys file; nullopt when it cannot be opened.
std::optional<std::string> read_kernel_file(const std::string& path, size_t cap = 1 << 20);
// The text of a symbolic link; nullopt when `path` is not one.
std::optional<std::string> read_link(const std::string& path);

}  // namespace vx
