#include "plan/git_identity.h"

#include <cctype>

namespace vx {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The section a header line opens: "user" for "[user]" or "[User]", "user \"x\"" otherwise
// (a subsection is another section). `rest` receives what follows the ']' on the same line.
std::string parse_header(std::string_view line, std::string_view& rest) {
  size_t close = line.find(']');
  if (close == std::string_view::npos) return "";
  rest = line.substr(close + 1);
  std::string_view inner = line.substr(1, close - 1);
  size_t quote = inner.find('"');
  if (quote != std::string_view::npos) return lower(inner.substr(0, quote)) + " sub";
  size_t b = 0, e = inner.size();
  while (b < e && is_blank(inner[b])) ++b;
  while (e > b && is_blank(inner[e - 1])) --e;
  return lower(inner.substr(b, e - b));
}

// A value as git reads it: quotes removed, \" \\ \n \t unescaped, a ';' or '#' outside quotes
// ends it, blanks at both ends dropped. nullopt for what git itself would reject.
std::optional<std::string> parse_value(std::string_view v) {
  std::string out;
  bool quoted = false;
  size_t keep = 0;  // length of `out` up to its last character that is not an unquoted blank
  for (size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '"') {
      quoted = !quoted;
      keep = out.size();
      continue;
    }
    if (!quoted && (c == ';' || c == '#')) break;
    if (c == '\\') {
      if (++i >= v.size()) return std::nullopt;  // a continuation line: not for an identity
      char n = v[i];
      c = n == 'n' ? '\n' : n == 't' ? '\t' : n == 'b' ? '\b' : n;
      if (n != 'n' && n != 't' && n != 'b' && n != '"' && n != '\\') return std::nullopt;
    } else if (!quoted && is_blank(c)) {
      if (!out.empty()) out += c;
      continue;
    }
    out += c;
    keep = out.size();
  }
  if (quoted) return std::nullopt;
  out.resize(keep);
  return out;
}

bool acceptable(const std::string& v) {
  if (v.empty() || v.size() > kGitValueCap) return false;
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

void take_entry(std::string_view line, GitIdentity& id) {
  size_t b = 0;
  while (b < line.size() && is_blank(line[b])) ++b;
  line.remove_prefix(b);
  if (line.empty() || line.front() == '#' || line.front() == ';') return;
  size_t eq = line.find('=');
  std::string_view key = line.substr(0, eq);
  while (!key.empty() && is_blank(key.back())) key.remove_suffix(1);
  if (eq == std::string_view::npos) return;  // a bare boolean key: not name or email
  std::string k = lower(key);
  if (k != "name" && k != "email") return;
  auto value = parse_value(line.substr(eq + 1));
  if (!value || !acceptable(*value)) return;
  (k == "name" ? id.name : id.email) = *value;
}

}  // namespace

GitIdentity parse_git_identity(std::string_view text) {
  GitIdentity id;
  std::string section;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    size_t b = 0;
    while (b < line.size() && is_blank(line[b])) ++b;
    line.remove_prefix(b);
    if (!line.empty() && line.front() == '[') {
      std::string_view rest;
      section = parse_header(line, rest);
      line = rest;  // git accepts "[user] name = x" on one line
    }
    if (section == "user") take_entry(line, id);
  }
  return id;
}

GitIdentity merge_git_identity(const GitIdentity& earlier, const GitIdentity& later) {
  GitIdentity out = earlier;
  if (later.name) out.name = later.name;
  if (later.email) out.email = later.email;
  return out;
}

std::vector<std::pair<std::string, std::string>> git_identity_env(const GitIdentity& user,
                                                                  const GitIdentity& local) {
  std::vector<std::pair<std::string, std::string>> env;
  if (user.name && !local.name) {
    env.emplace_back("GIT_AUTHOR_NAME", *user.name);
    env.emplace_back("GIT_COMMITTER_NAME", *user.name);
  }
  if (user.email && !local.email) {
    env.emplace_back("GIT_AUTHOR_EMAIL", *user.email);
    env.emplace_back("GIT_COMMITTER_EMAIL", *user.email);
  }
  return env;
}

}  // namespace vx
