#include "base/path.h"

namespace vx {

std::string parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_within(const std::string& path, const std::string& dir) {
  if (dir == "/") return path.starts_with('/');
  return path == dir ||
         (path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/');
}

namespace {

void append_hex(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

// Length of the valid UTF-8 sequence at s[i] (2-4), 0 when there is none. Overlong forms,
// surrogates and the C1 controls (U+0080..U+009F) do not count.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = at(i);
  size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
  if (len == 0 || c >= 0xf5 || i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k)
    if ((at(i + k) & 0xc0) != 0x80) return 0;
  if (len == 2 && c == 0xc2 && at(i + 1) < 0xa0) return 0;         // C1 controls
  if (len == 3 && c == 0xe0 && at(i + 1) < 0xa0) return 0;         // overlong
  if (len == 3 && c == 0xed && at(i + 1) >= 0xa0) return 0;        // surrogates
  if (len == 4 && c == 0xf0 && at(i + 1) < 0x90) return 0;         // overlong
  if (len == 4 && c == 0xf4 && at(i + 1) >= 0x90) return 0;        // beyond U+10FFFF
  return len;
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      append_hex(out, c);
    }
  }
  return out;
}

std::string terminal_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += s[i++];
    } else if (size_t len = c >= 0x80 ? utf8_sequence(s, i) : 0; len > 0) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      append_hex(out, c);
      ++i;
    }
  }
  return out;
}

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::string_view trim_blanks(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace vx
