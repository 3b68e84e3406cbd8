// Errors and exit codes shared by every step. Pure.
// Fallible functions return Expected<T>; only main() and the child's reporter print an Error
// and turn it into an exit status.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace vx {

// Exit statuses, as env(1), chroot(1) and podman use them.
inline constexpr int kExitTimedOut = 124;        // --timeout ended the run, as timeout(1)
inline constexpr int kExitLauncherFailed = 125;  // venv-exec itself failed; nothing ran
inline constexpr int kExitCannotExecute = 126;   // the program exists but cannot be executed
inline constexpr int kExitNotFound = 127;        // the program does not exist
inline constexpr int kExitSignalBase = 128;      // 128+N: the program was killed by signal N

struct Error {
  std::string what;  // operation and object: "bind-mount /p/.git read-only"
  int sys_errno = 0;
  std::string why;   // defaults to strerror(sys_errno) when empty
  std::string hint;  // what the user can do about it; may be empty
  int exit_code = kExitLauncherFailed;

  // Must be the first statement after the failed call, before errno can be clobbered.
  static Error from_errno(std::string what, std::string hint = {});
  static Error make(std::string what, std::string why, std::string hint = {});
};

template <class T>
using Expected = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }

// "venv-exec: <what>: <why>\n" plus "venv-exec: hint: <hint>\n" when there is one.
std::string format_error(const Error& e);
std::string format_warning(const std::string& message);


// Print to stderr (one write, so lines from several processes do not interleave).
void report(const Error& e);
void warn(const std::string& message);

}  // namespace vx

// GCC 12's std::expected has no and_then/transform; these keep call sites flat.
#define VX_CONCAT_(a, b) a##b
#define VX_CONCAT(a, b) VX_CONCAT_(a, b)
#define TRY(expr)                                                              \
  do {                                                                         \
    auto vx_try_result_ = (expr);                                              \
    if (!vx_try_result_) return ::vx::fail(std::move(vx_try_result_.error())); \
  } while (0)
#define TRY_ASSIGN(var, expr)                                           \
  auto VX_CONCAT(vx_try_, __LINE__) = (expr);                           \
  if (!VX_CONCAT(vx_try_, __LINE__))                                    \
    return ::vx::fail(std::move(VX_CONCAT(vx_try_, __LINE__).error())); \
  auto var = std::move(*VX_CONCAT(vx_try_, __LINE__))
