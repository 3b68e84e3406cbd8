#include "plan/explain_report.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "base/path.h"
#include "plan/run_status.h"

namespace vx {

namespace {

std::string errno_name(int error) {
  const char* name = strerrorname_np(error);
  return name ? name : std::to_string(error);
}

// A word for a shell command line: bare when it is plain, else in single quotes.
std::string shell_word(const std::string& w) {
  bool plain = !w.empty();
  for (unsigned char c : w)
    if (!(std::isalnum(c) || std::strchr("/._-+=:,@%", c))) plain = false;
  if (plain) return w;
  std::string out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + shell_word(w);
  return out;
}

std::vector<std::string> refused_allowable(const ExplainFindings& f) {
  std::vector<std::string> names;
  for (const auto& [nr, c] : f.calls)
    if (!c.always_denied) names.push_back(c.name);
  return names;
}

// SANDBOX_SECCOMP_ALLOW replaces the whole list: the one in force plus the refused calls.
std::string allow_assignment(const ExplainFindings& f, const ExplainContext& ctx) {
  std::string list;
  for (const auto& n : ctx.allow_list) list += (list.empty() ? "" : " ") + n;
  for (const auto& n : refused_allowable(f)) list += " " + n;
  return "SANDBOX_SECCOMP_ALLOW=" + shell_word(list);
}

std::vector<std::string> install_words(const ExplainFindings& f, const ExplainContext& ctx) {
  std::vector<std::string> words = {"venv-exec", "install", ctx.venv.empty() ? ".venv" : ctx.venv};
  words.insert(words.end(), ctx.stored_options.begin(), ctx.stored_options.end());
  for (const auto& s : suggest_paths(f, ctx.home))
    if (!s.is_private) words.insert(words.end(), s.option.begin(), s.option.end());
  for (const auto& [addr, n] : f.network)
    for (const auto& w : n.option)
      if (std::find(words.begin(), words.end(), w) == words.end()) words.push_back(w);
  return words;
}

constexpr const char* kInterruptibleNote =
    "this kernel lacks SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19): a signal during a "
    "watched call could make it fail with EINTR, which a normal run never does";

std::string json_words(const std::vector<std::string>& words) {
  std::string out = "[";
  for (const auto& w : words) out += (out.size() > 1 ? "," : "") + json_string(w);
  return out + "]";
}

}  // namespace

Expected<ExplainArgs> parse_explain_args(const std::vector<std::string>& args) {
  ExplainArgs out;
  size_t i = 0;
  auto usage = [](const std::string& why) {
    return fail(Error::make("venv-exec explain", why,
                            "usage: venv-exec explain [--format text|json] [--report FILE] "
                            "[OPTION...] [--] CMD"));
  };
  while (i < args.size()) {
    std::string name = args[i].substr(0, args[i].find('='));
    if (name != "--format" && name != "--report") break;
    bool inline_value = name.size() < args[i].size();
    if (!inline_value && i + 1 >= args.size()) return usage(name + " needs a value");
    std::string value = inline_value ? args[i].substr(name.size() + 1) : args[i + 1];
    i += inline_value ? 1 : 2;
    if (name == "--report") {
      if (value.empty()) return usage("--report needs a file name");
      out.report_file = value;
    } else if (value == "text" || value == "json") {
      out.format = value == "json" ? ExplainFormat::kJson : ExplainFormat::kText;
    } else {
      return usage("--format takes text or json");
    }
  }
  out.rest.assign(args.begin() + static_cast<long>(i), args.end());
  return out;
}

std::optional<ExplainFormat> explain_from_env(const std::optional<std::string>& value) {
  if (!value || value->empty() || *value == "0") return std::nullopt;
  return *value == "json" ? ExplainFormat::kJson : ExplainFormat::kText;
}

bool is_private_path(const std::string& path, const std::string& home) {
  if (!home.empty() && home != "/" && is_within(path, home)) return true;
  for (const char* dir : {"/root", "/home", "/run", "/var", "/etc/ssh", "/etc/ssl/private",
                          "/etc/shadow", "/etc/gshadow", "/etc/sudoers", "/etc/sudoers.d", "/media",
                          "/mnt", "/proc", "/sys", "/dev"})
    if (is_within(path, dir)) return true;
  return false;
}

std::vector<PathSuggestion> suggest_paths(const ExplainFindings& f, const std::string& home) {
  std::map<std::string, PathSuggestion> by_target;  // ordered: ancestors come first
  for (const auto& [path, m] : f.paths) {
    if (is_within(path, "/proc")) continue;  // the host's processes: never a bind
    std::string target = path;
    std::string option = "--ro-bind";
    if (m.executed)
      option = "--expose";
    else if (!m.host_dir && !m.parent_inside)
      target = parent_dir(path);
    auto& s = by_target[option + " " + target];
    if (s.option.empty())
      s.option = option == "--expose" ? std::vector<std::string>{option, target}
                                      : std::vector<std::string>{option, target, target};
    s.paths.push_back(path);
    s.is_private = s.is_private || is_private_path(path, home);
  }
  std::vector<PathSuggestion> out;
  for (auto& [key, s] : by_target) {
    bool folded = false;
    for (auto& kept : out) {
      if (kept.option[0] != "--ro-bind" || !is_within(s.option[1], kept.option[1])) continue;
      kept.paths.insert(kept.paths.end(), s.paths.begin(), s.paths.end());
      kept.is_private = kept.is_private || s.is_private;
      folded = true;
      break;
    }
    if (!folded) out.push_back(std::move(s));
  }
  return out;
}

std::string format_explain_text(const ExplainFindings& f, const ExplainContext& ctx) {
  std::string out = "venv-exec explain: ";
  std::string note = ctx.interruptible ? std::string("\nNote: ") + kInterruptibleNote + "\n" : "";
  if (f.calls.empty() && f.paths.empty() && f.network.empty())
    return out + "the sandbox refused nothing that explain watches\n" + note;
  out += "what the sandbox refused\n";
  if (!f.calls.empty()) out += "\nSystem calls refused by the seccomp filter:\n";
  for (const auto& [nr, c] : f.calls) {
    out += "  " + c.name + " (" + errno_name(c.error) + ", " + std::to_string(c.count) +
           "x), first by: " + printable(c.first_command) + "\n";
    out += c.always_denied
               ? "      always denied: no option or SANDBOX_SECCOMP_ALLOW lifts it\n"
               : "      allow it: add " + c.name + " to SANDBOX_SECCOMP_ALLOW (below)\n";
  }
  auto suggestions = suggest_paths(f, ctx.home);
  if (!suggestions.empty())
    out += "\nPaths the program looked up, absent inside, present on the host:\n";
  for (const auto& s : suggestions) {
    out += "  " + printable(command_line(s.option)) +
           (s.is_private ? "   [not in the suggested line: private]" : "") + "\n";
    for (const auto& p : s.paths) {
      const MissingPath& m = f.paths.at(p);
      out += "      " + printable(p) + " (" + m.call + ", " + std::to_string(m.count) +
             "x), first by: " + printable(m.first_command) + "\n";
    }
  }
  if (!f.network.empty()) out += "\nNetwork refusals:\n";
  for (const auto& [addr, n] : f.network)
    out += "  " + n.call + " " + printable(addr) + " (" + std::to_string(n.count) +
           "x): " + n.reason + "\n      allow it: " + command_line(n.option) +
           "\n      first by: " + printable(n.first_command) + "\n";
  if (f.dropped) out += "\n(" + std::to_string(f.dropped) + " more findings not kept)\n";
  if (!refused_allowable(f).empty())
    out += "\nTo allow the refused calls, run with:\n  " + allow_assignment(f, ctx) + "\n";
  if (!suggestions.empty() || !f.network.empty())
    out += "\nTo make the proposed options the venv's defaults:\n  " +
           printable(command_line(install_words(f, ctx))) + "\n";
  return out + note;
}

std::string format_explain_json(const ExplainFindings& f, const ExplainContext& ctx) {
  std::string out;
  for (const auto& [nr, c] : f.calls) {
    out += "{\"kind\":\"syscall\",\"name\":" + json_string(c.name) +
           ",\"nr\":" + std::to_string(nr) + ",\"errno\":" + json_string(errno_name(c.error)) +
           ",\"count\":" + std::to_string(c.count) +
           ",\"always_denied\":" + (c.always_denied ? "true" : "false") +
           ",\"first_command\":" + json_string(c.first_command);
    if (!c.always_denied) out += ",\"allow\":" + json_string(allow_assignment(f, ctx));
    out += "}\n";
  }
  for (const auto& s : suggest_paths(f, ctx.home))
    for (const auto& p : s.paths) {
      const MissingPath& m = f.paths.at(p);
      out += "{\"kind\":\"path\",\"path\":" + json_string(p) + ",\"call\":" + json_string(m.call) +
             ",\"count\":" + std::to_string(m.count) +
             ",\"private\":" + (is_private_path(p, ctx.home) ? "true" : "false") +
             ",\"first_command\":" + json_string(m.first_command) +
             ",\"option\":" + json_words(s.option) + "}\n";
    }
  for (const auto& [addr, n] : f.network)
    out += "{\"kind\":\"network\",\"call\":" + json_string(n.call) +
           ",\"address\":" + json_string(addr) + ",\"count\":" + std::to_string(n.count) +
           ",\"reason\":" + json_string(n.reason) +
           ",\"first_command\":" + json_string(n.first_command) +
           ",\"option\":" + json_words(n.option) + "}\n";
  if (!f.paths.empty() || !f.network.empty())
    out += "{\"kind\":\"install\",\"command\":" + json_words(install_words(f, ctx)) + "}\n";
  if (ctx.interruptible)
    out += "{\"kind\":\"note\",\"text\":" + json_string(kInterruptibleNote) + "}\n";
  return out;
}

}  // namespace vx
