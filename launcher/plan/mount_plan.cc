#include "plan/mount_plan.h"

#include <array>
#include <cstdio>

#include "base/path.h"

namespace vx {

namespace {

struct KindName {
  MountKind kind;
  std::string_view word;
  bool has_source;
};

constexpr std::array<KindName, 13> kKinds = {{
    // Binds and links: a source, then the destination.
    {MountKind::kBind, "bind", true},
    {MountKind::kRoBind, "ro-bind", true},
    {MountKind::kDevBind, "dev-bind", true},
    {MountKind::kSymlink, "symlink", true},
    {MountKind::kCopy, "copy", true},
    // Fresh file systems and nodes: a destination only.
    {MountKind::kTmpfs, "tmpfs", false},
    {MountKind::kDir, "dir", false},
    {MountKind::kProc, "proc", false},
    {MountKind::kDev, "dev", false},
    {MountKind::kRemountRo, "remount-ro", false},
    {MountKind::kTerminal, "terminal", false},
    // Files written with their content (KEYWORD DEST CONTENT).
    {MountKind::kFile, "file", true},
    {MountKind::kFileOver, "file-over", true},
}};

// The kinds written `KEYWORD DEST [CONTENT]`.
bool is_file_kind(MountKind kind) {
  return kind == MountKind::kFile || kind == MountKind::kFileOver;
}

const KindName& kind_entry(MountKind kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k;
  return kKinds[0];
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Undoes escape_mount_path; false on a malformed escape.
bool unescape(std::string_view in, std::string& out) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (i + 3 >= in.size() || !is_octal(in[i + 1]) || !is_octal(in[i + 2]) || !is_octal(in[i + 3]))
      return false;
    out += static_cast<char>((in[i + 1] - '0') * 64 + (in[i + 2] - '0') * 8 + (in[i + 3] - '0'));
    i += 3;
  }
  return true;
}

// Replaces $NAME and ${NAME}; false (with the name in `bad`) for an unknown variable.
bool expand_vars(std::string_view in, const std::map<std::string, std::string>& vars,
                 std::string& out, std::string& bad) {
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$') {
      out += in[i];
      continue;
    }
    size_t start = i + 1;
    bool braced = start < in.size() && in[start] == '{';
    if (braced) ++start;
    size_t end = start;
    while (end < in.size() && (isalnum(static_cast<unsigned char>(in[end])) || in[end] == '_'))
      ++end;
    std::string name(in.substr(start, end - start));
    if (braced) {
      if (end >= in.size() || in[end] != '}') {
        bad = name.empty() ? "${" : "${" + name;
        return false;
      }
      ++end;
    }
    auto it = vars.find(name);
    if (name.empty() || it == vars.end()) {
      bad = "$" + name;
      return false;
    }
    out += it->second;
    i = end - 1;
  }
  return true;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

Error line_error(const std::string& origin, size_t line_no, const std::string& message) {
  return Error::make(origin + ":" + std::to_string(line_no), message);
}

}  // namespace

std::string_view mount_keyword(MountKind kind) { return kind_entry(kind).word; }
bool mount_kind_has_source(MountKind kind) { return kind_entry(kind).has_source; }

std::string escape_mount_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f || c == ' ' || c == '\\' || c == '#' || c == '$') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03o", byte);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_mount_op(const MountOp& op) {
  std::string line(mount_keyword(op.kind));
  if (is_file_kind(op.kind)) {
    line += " " + escape_mount_path(op.dest);
    if (!op.src.empty()) line += " " + escape_mount_path(op.src);
    return line;
  }
  if (op.optional) line += "-try";
  if (mount_kind_has_source(op.kind)) line += " " + escape_mount_path(op.src);
  line += " " + escape_mount_path(op.dest);
  return line;
}

std::string format_mount_plan(const MountPlan& plan) {
  std::string out;
  for (const auto& op : plan.ops) out += format_mount_op(op) + "\n";
  return out;
}

Expected<MountPlan> parse_mount_plan(std::string_view text, const std::string& origin,
                                     const std::map<std::string, std::string>& vars) {
  std::map<std::string, std::string> escaped_vars;
  for (const auto& [name, value] : vars) escaped_vars[name] = escape_mount_path(value);
  MountPlan plan;
  size_t line_no = 0;
  for (const std::string& line : split(text, '\n')) {
    ++line_no;
    auto words = split_words(line);
    if (words.empty() || words[0].front() == '#') continue;

    std::string_view keyword = words[0];
    bool optional = keyword.ends_with("-try");
    if (optional) keyword.remove_suffix(4);
    const KindName* entry = nullptr;
    for (const auto& k : kKinds)
      if (k.word == keyword) entry = &k;
    if (entry == nullptr)
      return fail(
          line_error(origin, line_no, "unknown mount operation '" + std::string(words[0]) + "'"));
    if (optional && !(entry->kind == MountKind::kBind || entry->kind == MountKind::kRoBind ||
                      entry->kind == MountKind::kDevBind || entry->kind == MountKind::kRemountRo ||
                      entry->kind == MountKind::kCopy))
      return fail(line_error(origin, line_no, "'" + std::string(words[0]) + "' has no -try form"));
    bool file = is_file_kind(entry->kind);
    size_t want = entry->has_source ? 3 : 2;
    if (file ? words.size() < 2 || words.size() > 3 : words.size() != want)
      return fail(line_error(origin, line_no,
                             "'" + std::string(words[0]) + "' takes " +
                                 (file                ? "DEST [CONTENT]"
                                  : entry->has_source ? "SOURCE DEST"
                                                      : "DEST")));

    // Variables are replaced in the escaped text, by escaped values, and then the escapes
    // undone: a '$' of a path (written \044) is never taken for a variable.
    std::vector<std::string> paths;
    for (size_t i = 1; i < words.size(); ++i) {
      std::string raw, expanded, bad;
      if (file && i == 2) {  // content: taken as it is
        expanded = std::string(words[i]);
      } else if (!expand_vars(words[i], escaped_vars, expanded, bad)) {
        return fail(line_error(origin, line_no, "unknown variable " + bad));
      }
      if (!unescape(expanded, raw))
        return fail(
            line_error(origin, line_no, "malformed escape in '" + std::string(words[i]) + "'"));
      paths.push_back(std::move(raw));
    }
    MountOp op{entry->kind, {}, paths.back(), optional};
    if (file) {
      op.dest = paths.front();
      op.src = paths.size() == 2 ? paths.back() : "";
    } else if (entry->has_source) {
      op.src = paths.front();
    }
    if (op.dest.empty() || op.dest.front() != '/')
      return fail(line_error(origin, line_no, "destination '" + op.dest + "' is not absolute"));
    plan.ops.push_back(std::move(op));
  }
  return plan;
}

}  // namespace vx
