#include "plan/cli.h"

// CLI11 includes <iostream>, and with GCC 12 each file that does gets a static
// std::ios_base::Init: the standard streams and the C++ locale set up at every start of the
// launcher (~0.1 ms measured), for a launch that never uses them. libstdc++'s include guard keeps
// <iostream> out; CLI11 needs only the streams' declarations, and its callers below (the
// subcommand parsers) set the streams up first.
#include <istream>
#include <ostream>
#if defined(__GLIBCXX__) && !defined(_GLIBCXX_IOSTREAM)
#define _GLIBCXX_IOSTREAM 1
namespace std {
extern istream cin;
extern ostream cout, cerr, clog;
}  // namespace std
#endif
#include <CLI/CLI.hpp>
#include <array>
#include <charconv>
#include <functional>

namespace vx {

namespace {

using Handler =
    std::function<std::optional<std::string>(SandboxOptions&, const std::vector<std::string>&)>;

struct OptionSpec {
  std::string_view name;
  std::string_view args;  // metavariables, for errors and --help
  size_t nargs;
  std::string_view help;
  Handler apply;  // returns an error message for a bad value
};

Handler mount(MountKind kind, bool optional) {
  return [kind, optional](SandboxOptions& o, const std::vector<std::string>& a) {
    MountOp op{kind, a.size() == 2 ? a[0] : std::string(), a.back(), optional};
    if (op.dest.empty() || op.dest.front() != '/')
      return std::optional<std::string>("destination '" + op.dest + "' must be an absolute path");
    o.mounts.push_back(std::move(op));
    return std::optional<std::string>();
  };
}

Handler limit(const char* name) {
  return [name](SandboxOptions& o, const std::vector<std::string>& a) {
    return apply_limit_option(o.limits, name, a[0]);
  };
}

Handler net_option(std::optional<NetMode> SandboxOptions::*field) {
  return [field](SandboxOptions& o, const std::vector<std::string>& a) {
    auto mode = parse_net_mode(a[0]);
    if (!mode)
      return std::optional<std::string>("'" + a[0] +
                                        "' is not a network mode (host, none or internet)");
    o.*field = *mode;
    return std::optional<std::string>();
  };
}

std::optional<unsigned> parse_id(const std::string& s) {
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 0xfffffffeu) return std::nullopt;
  return v;
}

// The handlers of the common shapes: store the value, append it, set a fixed value, a word from
// a list, an id.
using Result = std::optional<std::string>;
using Args = const std::vector<std::string>&;

template <class Field>
Handler assign(Field SandboxOptions::*field) {
  return [field](SandboxOptions& o, Args a) { return o.*field = a[0], Result(); };
}

template <class Item>
Handler append(std::vector<Item> SandboxOptions::*field, std::function<Item(Args)> make) {
  return [field, make](SandboxOptions& o, Args a) { return (o.*field).push_back(make(a)), Result(); };
}

template <class Field, class Value>
Handler set_to(Field SandboxOptions::*field, Value value) {
  return [field, value](SandboxOptions& o, Args) { return o.*field = value, Result(); };
}

// "'x' is not a profile (standard, minimal or system)".
Handler one_of(std::optional<std::string> SandboxOptions::*field, std::string noun,
               std::vector<std::string> words) {
  return [=](SandboxOptions& o, Args a) {
    for (const auto& w : words)
      if (a[0] == w) return o.*field = a[0], Result();
    std::string list;
    for (size_t i = 0; i < words.size(); ++i)
      list += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    return Result("'" + a[0] + "' is not " + noun + " (" + list + ")");
  };
}

template <class Id>
Handler id(std::optional<Id> SandboxOptions::*field, std::string noun) {
  return [=](SandboxOptions& o, Args a) {
    auto v = parse_id(a[0]);
    if (!v) return Result("'" + a[0] + "' is not " + noun);
    return o.*field = *v, Result();
  };
}

const std::vector<OptionSpec>& option_table() {
  using MK = MountKind;
  static const std::vector<OptionSpec> table = {
      {"--bind", "SRC DEST", 2, "bind SRC read-write at DEST", mount(MK::kBind, false)},
      {"--bind-try", "SRC DEST", 2, "as --bind; ignored when SRC is missing",
       mount(MK::kBind, true)},
      {"--ro-bind", "SRC DEST", 2, "bind SRC read-only at DEST", mount(MK::kRoBind, false)},
      {"--ro-bind-try", "SRC DEST", 2, "as --ro-bind; ignored when SRC is missing",
       mount(MK::kRoBind, true)},
      {"--dev-bind", "SRC DEST", 2, "bind SRC at DEST, device access allowed",
       mount(MK::kDevBind, false)},
      {"--dev-bind-try", "SRC DEST", 2, "as --dev-bind; ignored when SRC is missing",
       mount(MK::kDevBind, true)},
      {"--tmpfs", "DEST", 1, "mount a fresh tmpfs at DEST", mount(MK::kTmpfs, false)},
      {"--dir", "DEST", 1, "create an empty directory DEST", mount(MK::kDir, false)},
      {"--symlink", "TARGET DEST", 2, "create a symbolic link DEST -> TARGET",
       mount(MK::kSymlink, false)},
      {"--setenv", "VAR VALUE", 2, "set VAR in the program's environment",
       append<EnvChange>(&SandboxOptions::env, [](Args a) { return EnvChange{a[0], a[1]}; })},
      {"--unsetenv", "VAR", 1, "remove VAR from the program's environment",
       append<EnvChange>(&SandboxOptions::env,
                         [](Args a) { return EnvChange{a[0], std::nullopt}; })},
      {"--chdir", "DIR", 1, "run the program in DIR", assign(&SandboxOptions::chdir)},
      {"--uid", "N", 1, "the program's user id inside", id(&SandboxOptions::uid, "a user id")},
      {"--gid", "N", 1, "the program's group id inside", id(&SandboxOptions::gid, "a group id")},
      {"--cap-add", "CAP", 1, "keep capability CAP (inside the sandbox's namespaces only)",
       append<CapChange>(&SandboxOptions::caps, [](Args a) { return CapChange{true, a[0]}; })},
      {"--cap-drop", "CAP", 1, "drop capability CAP again",
       append<CapChange>(&SandboxOptions::caps, [](Args a) { return CapChange{false, a[0]}; })},
      {"--net", "host|none|internet", 1,
       "the host's network (default), loopback only, or the internet but not the host",
       net_option(&SandboxOptions::net)},
      {"--pip-net", "host|none|internet", 1, "the network of pip's runs (store it at install)",
       net_option(&SandboxOptions::pip_net)},
      {"--share-net", "", 0, "as --net host", set_to(&SandboxOptions::net, std::optional(NetMode::kHost))},
      {"--unshare-net", "", 0, "as --net none: a new network namespace with loopback only",
       set_to(&SandboxOptions::net, std::optional(NetMode::kNone))},
      {"--no-open", "", 0, "no link channel: xdg-open and BROWSER inside open nothing",
       set_to(&SandboxOptions::open_links, std::optional<bool>(false))},
      {"--open", "", 0, "check and open on the host the links the program opens (the default)",
       set_to(&SandboxOptions::open_links, std::optional<bool>(true))},
      {"--hostname", "NAME", 1, "the host name inside", assign(&SandboxOptions::hostname)},
      {"--expose", "EXE", 1, "bind EXE and its shared-library closure read-only",
       append<std::string>(&SandboxOptions::expose, [](Args a) { return a[0]; })},
      {"--profile", "standard|minimal|system", 1, "the read-only system view",
       one_of(&SandboxOptions::profile, "a profile", {"standard", "minimal", "system"})},
      {"--isolation", "namespaces|landlock", 1,
       "namespaces (the default), or Landlock alone where user namespaces are blocked",
       one_of(&SandboxOptions::isolation, "an isolation", {"namespaces", "landlock"})},
      {"--venv", "DIR", 1,
       "the venv (default: $VIRTUAL_ENV, else the registered venv above the working directory, "
       "else ./.venv)",
       assign(&SandboxOptions::venv)},
      {"--pass-fd", "N", 1, "pass the caller's descriptor N to the program (only 0-2 by default)",
       [](SandboxOptions& o, Args a) {
         auto v = parse_id(a[0]);
         if (!v || *v < 3 || *v > 65535)
           return Result("'" + a[0] + "' is not a descriptor number above 2");
         return o.pass_fds.push_back(static_cast<int>(*v)), Result();
       }},
      {"--timeout", "DURATION", 1, "SIGTERM every process after DURATION (90s, 10m); exit 124",
       limit("--timeout")},
      {"--kill-after", "DURATION", 1, "SIGKILL this long after the timeout (default 10s)",
       limit("--kill-after")},
      {"--memory", "SIZE", 1, "memory limit of the sandbox (512M, 2G)", limit("--memory")},
      {"--pids", "N", 1, "at most N processes and threads in the sandbox", limit("--pids")},
      {"--cpus", "N", 1, "CPU time, in CPUs (0.5, 2)", limit("--cpus")},
      {"--tmpfs-size", "SIZE", 1, "size of each tmpfs: /tmp, /dev/shm, /run/user/UID, /",
       limit("--tmpfs-size")},
      {"--nofile", "N", 1, "open files per process (RLIMIT_NOFILE)", limit("--nofile")},
      {"--status-json", "FILE", 1, "write the run's status as JSON to FILE at the end",
       limit("--status-json")},
      {"--status-fd", "N", 1, "write the run's status as JSON to descriptor N at the end",
       limit("--status-fd")},
      {"--verbose", "", 0, "print the sandbox plan and the final argv to stderr",
       set_to(&SandboxOptions::verbose, true)},
  };
  return table;
}

const OptionSpec* find_option(std::string_view name) {
  for (const auto& spec : option_table())
    if (spec.name == name) return &spec;
  return nullptr;
}

Error option_error(const std::string& origin, const std::string& message, bool list) {
  return Error::make(
      origin, message,
      list ? "supported options: " + supported_options_text() + " (see venv-exec --help)"
           : std::string("see venv-exec --help"));
}

}  // namespace

std::string supported_options_text() {
  std::string out;
  for (const auto& spec : option_table()) out += (out.empty() ? "" : " ") + std::string(spec.name);
  return out;
}

Expected<ParsedArgs> parse_sandbox_args(const std::vector<std::string>& args, bool allow_rest,
                                        const std::string& origin) {
  ParsedArgs parsed;
  size_t i = 0;
  while (i < args.size()) {
    const std::string& word = args[i];
    if (word == "--") {
      if (!allow_rest) return fail(option_error(origin, "'--' is not allowed here", false));
      ++i;
      break;
    }
    if (allow_rest && (word == "--help" || word == "-h")) {
      parsed.help = true;
      return parsed;
    }
    if (allow_rest && word == "--version") {
      parsed.version = true;
      return parsed;
    }
    if (word.empty() || word.front() != '-') {
      if (!allow_rest) return fail(option_error(origin, "'" + word + "' is not an option", false));
      break;
    }
    const OptionSpec* spec = find_option(word);
    if (spec == nullptr) return fail(option_error(origin, "unknown option '" + word + "'", true));
    if (i + spec->nargs >= args.size())
      return fail(option_error(
          origin, std::string(spec->name) + " takes " + std::string(spec->args), false));
    std::vector<std::string> values(args.begin() + static_cast<long>(i) + 1,
                                    args.begin() + static_cast<long>(i + 1 + spec->nargs));
    if (auto bad = spec->apply(parsed.options, values))
      return fail(option_error(origin, std::string(spec->name) + ": " + *bad, false));
    i += 1 + spec->nargs;
  }
  parsed.rest.assign(args.begin() + static_cast<long>(i), args.end());
  return parsed;
}

std::vector<std::string> split_args_variable(const std::string& value) {
  char sep = value.find('\n') != std::string::npos ? '\n' : ' ';
  std::vector<std::string> words;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(sep, start);
    if (end == std::string::npos) end = value.size();
    std::string word = value.substr(start, end - start);
    if (sep == '\n' && !word.empty() && word.back() == '\r') word.pop_back();
    if (!word.empty()) words.push_back(std::move(word));
    start = end + 1;
  }
  return words;
}

namespace {

// CLI11 may write to the standard streams: each subcommand parser sets them up first (see the
// top of this file); a launch never calls one.
void init_streams() { static std::ios_base::Init streams; }

// Every subcommand is parsed by CLI11 the same way, with the launch's error form; `declare`
// adds the subcommand's options to the app.
Expected<void> parse_subcommand(const char* name, const char* about, const std::string& usage,
                                const std::vector<std::string>& args,
                                const std::function<void(CLI::App&)>& declare = {}) {
  init_streams();
  CLI::App app{about, name};
  if (declare) declare(app);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 pops from the back
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return fail(Error::make(app.get_name(), e.what(), "usage: " + usage));
  }
  return {};
}

}  // namespace

Expected<UninstallArgs> parse_uninstall_args(const std::vector<std::string>& args) {
  UninstallArgs out;
  TRY(parse_subcommand("uninstall", "Restore a wrapped venv exactly as it was",
                       "venv-exec uninstall [VENV] [--purge]", args, [&](CLI::App& app) {
                         app.add_option("VENV", out.venv, "the venv (default .venv)");
                         app.add_flag("--purge", out.purge, "also remove VENV/home and VENV/cache");
                       }));
  return out;
}

Expected<InstallArgs> parse_install_args(const std::vector<std::string>& args) {
  // The sandbox options are ours, not CLI11's: the venv is the first word when it is not one.
  InstallArgs out;
  out.option_words = args;
  if (!args.empty() && !args.front().starts_with("-")) {
    out.venv = args.front();
    out.option_words.erase(out.option_words.begin());
  }
  TRY_ASSIGN(parsed, parse_sandbox_args(out.option_words, false, "venv-exec install"));
  out.options = parsed.options;
  return out;
}

Expected<CheckArgs> parse_check_args(const std::vector<std::string>& args) {
  CheckArgs out;
  TRY(parse_subcommand("check", "Diagnose the kernel and distribution", "venv-exec check", args,
                       [&](CLI::App& app) {
                         app.add_option("--proc-root", out.proc_root, "a /proc to read (tests)");
                         app.add_option("--sys-root", out.sys_root, "a /sys to read (tests)");
                       }));
  out.probe = out.proc_root == "/proc" && out.sys_root == "/sys";
  return out;
}

Expected<void> parse_ps_args(const std::vector<std::string>& args) {
  return parse_subcommand("ps", "List running sandboxes", "venv-exec ps", args);
}

std::string usage_text() {
  std::string text =
      "Usage:\n"
      "  venv-exec install [VENV] [SANDBOX-OPTION...]   wrap a venv (VENV defaults to .venv)\n"
      "  venv-exec uninstall [VENV] [--purge]           restore the venv exactly as it was\n"
      "  venv-exec [SANDBOX-OPTION...] [--] CMD [ARG...] run CMD sandboxed for this project\n"
      "  venv-exec shell [SANDBOX-OPTION...]            interactive shell inside the sandbox\n"
      "  venv-exec ps                                   list running sandboxes\n"
      "  venv-exec check                                diagnose the kernel and distribution\n"
      "  venv-exec explain [--format text|json] [--report FILE]\n"
      "                    [SANDBOX-OPTION...] [--] CMD [ARG...]\n"
      "                                                 run CMD, then report what the sandbox\n"
      "                                                 refused and the option that allows it\n"
      "  venv-exec --help | --version\n\n"
      "Sandbox options:\n";
  for (const auto& spec : option_table()) {
    std::string left = "  " + std::string(spec.name);
    if (!spec.args.empty()) left += " " + std::string(spec.args);
    if (left.size() < 34) left.resize(34, ' ');
    text += left + " " + std::string(spec.help) + "\n";
  }
  text +=
      "\nEnvironment: VENV_EXEC_ARGS and BWRAP_ARGS hold more sandbox options;\n"
      "SANDBOX_SECCOMP_ALLOW replaces the syscall allowlist; VERBOSE=1 as --verbose.\n"
      "See venv-exec(1) and venv-exec-policy(5).\n";
  return text;
}

}  // namespace vx
