#include "plan/dotenv.h"

#include <cerrno>
#include "base/path.h"

namespace vx {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool valid_key(std::string_view k) {
  if (k.empty() || !(isalpha(static_cast<unsigned char>(k[0])) || k[0] == '_')) return false;
  for (char c : k)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, const std::string& file) : text_(text), file_(file) {
    if (text_.starts_with("\xEF\xBB\xBF")) text_.remove_prefix(3);
  }

  Expected<std::vector<DotenvEntry>> parse() {
    std::vector<DotenvEntry> entries;
    while (pos_ < text_.size()) {
      size_t start_line = line_ + 1;
      std::string_view rest = take_line();
      std::string_view trimmed = trim_blanks(rest);
      if (trimmed.empty() || trimmed.front() == '#') continue;
      TRY_ASSIGN(entry, parse_entry(trimmed, start_line));
      entries.push_back(std::move(entry));
    }
    return entries;
  }

 private:
  std::string_view take_line() {
    size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = text_.size();
    std::string_view line = text_.substr(pos_, nl - pos_);
    pos_ = nl + 1;
    ++line_;
    return line;
  }

  Error error(size_t line, const std::string& message) const {
    return Error::make(file_ + ":" + std::to_string(line), message,
                       "fix or remove the line; .env takes KEY=VALUE lines");
  }

  Expected<DotenvEntry> parse_entry(std::string_view s, size_t line) {
    if (s.starts_with("export") && s.size() > 6 && is_blank(s[6])) s = trim_blanks(s.substr(7));
    size_t eq = s.find('=');
    if (eq == std::string_view::npos) return fail(error(line, "expected KEY=VALUE"));
    std::string key(trim_blanks(s.substr(0, eq)));
    if (!valid_key(key)) return fail(error(line, "'" + key + "' is not a valid variable name"));
    std::string_view v = s.substr(eq + 1);
    while (!v.empty() && is_blank(v.front())) v.remove_prefix(1);
    DotenvEntry entry{key, {}, line};
    if (!v.empty() && (v.front() == '\'' || v.front() == '"')) {
      TRY_ASSIGN(value, quoted(v, line));
      entry.value = std::move(value);
      return entry;
    }
    size_t hash = std::string_view::npos;
    for (size_t i = 1; i < v.size(); ++i)
      if (v[i] == '#' && is_blank(v[i - 1])) {
        hash = i;
        break;
      }
    entry.value = std::string(trim_blanks(v.substr(0, hash)));
    return entry;
  }

  // A quoted value, which may continue over the following lines of the file.
  Expected<std::string> quoted(std::string_view v, size_t line) {
    char q = v.front();
    std::string out;
    std::string_view cur = v.substr(1);
    while (true) {
      for (size_t i = 0; i < cur.size(); ++i) {
        char c = cur[i];
        if (c == q) return after_quote(cur.substr(i + 1), line, out);
        if (q == '"' && c == '\\' && i + 1 < cur.size()) {
          char n = cur[++i];
          out += n == 'n' ? '\n' : n == 't' ? '\t' : n == 'r' ? '\r' : n;
          if (n != 'n' && n != 't' && n != 'r' && n != '"' && n != '\\') {
            out.back() = '\\';
            out += n;
          }
          continue;
        }
        out += c;
      }
      if (pos_ >= text_.size())
        return fail(error(line, std::string("unterminated ") + q + " quote"));
      std::string_view next = take_line();
      if (!next.empty() && next.back() == '\r') next.remove_suffix(1);
      out += '\n';
      cur = next;
    }
  }

  Expected<std::string> after_quote(std::string_view tail, size_t line, std::string& value) {
    std::string_view t = trim_blanks(tail);
    if (!t.empty() && t.front() != '#')
      return fail(error(line, "unexpected '" + std::string(t) + "' after the closing quote"));
    return std::move(value);
  }

  std::string_view text_;
  const std::string& file_;
  size_t pos_ = 0;
  size_t line_ = 0;
};

}  // namespace

Expected<std::vector<DotenvEntry>> parse_dotenv(std::string_view text, const std::string& file) {
  return Parser(text, file).parse();
}

bool is_launcher_key(std::string_view key) {
  return key.starts_with("VENV_EXEC_") || key == "BWRAP_ARGS" || key.starts_with("SANDBOX_") ||
         key == "VERBOSE";
}

}  // namespace vx
