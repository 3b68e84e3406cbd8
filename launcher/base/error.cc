#include "base/error.h"

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

std::string format_error(const Error& e) {
  std::string why = e.why;
  if (why.empty() && e.sys_errno != 0) why = std::strerror(e.sys_errno);
  std::string out = "venv-exec: " + e.what;
  if (!why.empty()) out += ": " + why;
  out += "\n";
  if (!e.hint.empty()) out += "venv-exec: hint: " + e.hint + "\n";
  return out;
}

std::string escape_control(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string format_warning(const std::string& message) {
  return "venv-exec: warning: " + message + "\n";
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
