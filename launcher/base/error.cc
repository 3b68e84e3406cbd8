#include "base/error.h"

#include "base/path.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vx {

Error Error::from_errno(std::string what, std::string hint) {
  int saved = errno;
  return Error{std::move(what), saved, {}, std::move(hint), kExitLauncherFailed};
}

Error Error::make(std::string what, std::string why, std::string hint) {
  return Error{std::move(what), 0, std::move(why), std::move(hint), kExitLauncherFailed};
}

// Every message may carry a path or a name a sandbox chose (an error sent back by pid 1, a
// file pip wrote): whatever the caller escaped or not, no control character reaches the
// terminal (SPEC §3a).
std::string format_error(const Error& e) {
  std::string why = e.why;
  if (why.empty() && e.sys_errno != 0) why = std::strerror(e.sys_errno);
  std::string out = "venv-exec: " + terminal_safe(e.what);
  if (!why.empty()) out += ": " + terminal_safe(why);
  out += "\n";
  if (!e.hint.empty()) out += "venv-exec: hint: " + terminal_safe(e.hint) + "\n";
  return out;
}

std::string format_warning(const std::string& message) {
  return "venv-exec: warning: " + terminal_safe(message) + "\n";
}

static void write_all_stderr(const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void report(const Error& e) { write_all_stderr(format_error(e)); }
void warn(const std::string& message) { write_all_stderr(format_warning(message)); }

}  // namespace vx
