#include "plan/run_status.h"

#include <cstdio>

namespace vx {

namespace {

// The length of the valid UTF-8 sequence at s[i], 0 when there is none (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_length(const std::string& s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  if (n == 2 && c < 0xc2) return 0;
  if (n == 3 && c == 0xe0 && byte(i + 1) < 0xa0) return 0;
  if (n == 3 && c == 0xed && byte(i + 1) >= 0xa0) return 0;
  if (n == 4 && c == 0xf0 && byte(i + 1) < 0x90) return 0;
  if (n == 4 && (c > 0xf4 || (c == 0xf4 && byte(i + 1) >= 0x90))) return 0;
  return n;
}

std::string seconds(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

// ASCII only: a terminal or log viewer showing the JSON must not meet C1 controls (U+009B is
// CSI) or bidi overrides (U+202E) raw, so every code point from U+007F up is a \u escape
// (a surrogate pair above U+FFFF); an invalid byte becomes \ufffd.
std::string json_string(const std::string& s) {
  std::string out = "\"";
  auto escape = [&](unsigned v) {
    char buf[12];
    std::snprintf(buf, sizeof buf, "\\u%04x", v & 0xffff);
    out += buf;
  };
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_length(s, i);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    unsigned cp = n == 1 ? c : c & (0x7f >> n);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
    i += n;
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp >= 0x20 && cp < 0x7f) {
      out += static_cast<char>(cp);
    } else if (cp > 0xffff) {
      escape(0xd800 + ((cp - 0x10000) >> 10));
      escape(0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      escape(cp);
    }
  }
  return out + "\"";
}

std::string format_run_status(const RunStatus& r) {
  std::string out = "{\"exit_code\": " + std::to_string(r.exit_code);
  out += ", \"signal\": " + (r.signal ? std::to_string(r.signal) : std::string("null"));
  out += ", \"wall_seconds\": " + seconds(r.wall_seconds);
  out += ", \"user_seconds\": " + seconds(r.user_seconds);
  out += ", \"system_seconds\": " + seconds(r.system_seconds);
  out += ", \"peak_memory_bytes\": " +
         (r.peak_memory ? std::to_string(*r.peak_memory) : std::string("null"));
  out += ", \"limit\": " + (r.limit.empty() ? std::string("null") : json_string(r.limit));
  out += ", \"mechanism\": " + json_string(r.mechanism);
  out += ", \"venv\": " + (r.venv.empty() ? std::string("null") : json_string(r.venv));
  out += ", \"command\": [";
  for (size_t i = 0; i < r.command.size(); ++i) out += (i ? ", " : "") + json_string(r.command[i]);
  return out + "]}\n";
}

}  // namespace vx
