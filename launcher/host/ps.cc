#include "host/ps.h"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "base/path.h"
#include "host/file_read.h"
#include "host/host.h"
#include "host/state.h"
#include "host/venv.h"
#include "plan/cli.h"
#include "plan/invocation.h"

namespace vx {

namespace {

std::string slurp_proc(const std::string& path) { return read_kernel_file(path).value_or(""); }

double uptime_seconds(const std::string& proc_root) {
  double up = 0;
  std::istringstream(slurp_proc(proc_root + "/uptime")) >> up;
  return up;
}

// The venv the launcher serves, by the rules it used itself: its argv[0] for an entrypoint,
// else --venv, $VIRTUAL_ENV, the registry or ./.venv relative to its working directory.
std::string venv_of(const std::vector<std::string>& argv, const std::string& cwd,
                    std::vector<std::string> env) {
  HostFacts facts;
  facts.cwd = cwd;
  facts.environ = std::move(env);
  facts.argv0 = argv.empty() ? "" : argv[0];
  Invocation inv = classify_invocation(facts.argv0, {argv.begin() + 1, argv.end()});
  Expected<Venv> venv = fail(Error::make("", ""));
  if (inv.command == Command::kEntrypoint) {
    auto entry = locate_argv0(facts);
    if (entry) venv = venv_for_entrypoint(*entry);
  } else {
    std::optional<std::string> named;
    for (size_t i = 0; i + 1 < inv.args.size(); ++i)
      if (inv.args[i] == "--venv") named = inv.args[i + 1];
    if (named && named->front() != '/') named = cwd + "/" + *named;
    facts.home = host_env(facts, "HOME").value_or("");
    venv = find_venv(named, facts, Registry(state_root(facts)));
  }
  if (!venv || venv->dir.empty()) return "-";
  return venv->dir;
}

std::string first_child(const std::string& proc_root, const std::string& pid) {
  std::string kids = slurp_proc(proc_root + "/" + pid + "/task/" + pid + "/children");
  return kids.substr(0, kids.find(' '));
}

// The run's network, from /proc alone: pasta among the launcher's children means internet;
// else the sandbox's network namespace, read through the program's process (pid 1 is
// non-dumpable), is the launcher's own (host) or a new one (none).
std::string network_of(const std::string& proc_root, const std::string& launcher) {
  std::string kids = slurp_proc(proc_root + "/" + launcher + "/task/" + launcher + "/children");
  for (const auto& kid : split(kids, ' ')) {
    auto exe = kid.empty() ? std::nullopt : read_link(proc_root + "/" + kid + "/exe");
    if (exe && (basename_of(*exe) == "pasta" || basename_of(*exe).starts_with("passt")))
      return "internet";
  }
  std::string pid1 = first_child(proc_root, launcher);
  std::string program = pid1.empty() ? "" : first_child(proc_root, pid1);
  auto own = read_link(proc_root + "/" + launcher + "/ns/net");
  auto theirs = program.empty() ? std::nullopt : read_link(proc_root + "/" + program + "/ns/net");
  if (!own || !theirs) return "?";
  return *own == *theirs ? "host" : "none";
}

}  // namespace

bool in_child_pid_namespace(std::string_view status) {
  auto at = status.find("\nNSpid:");
  if (at == std::string_view::npos) return false;
  auto end = status.find('\n', at + 1);
  std::istringstream ids{std::string(status.substr(at + 7, end - at - 7))};
  std::string id;
  int count = 0;
  while (ids >> id) ++count;
  return count > 1;
}

std::optional<unsigned long long> parse_start_ticks(std::string_view stat) {
  auto paren = stat.rfind(')');
  if (paren == std::string_view::npos) return std::nullopt;
  std::istringstream fields{std::string(stat.substr(paren + 1))};
  std::string field;
  // After the command: state is field 3, starttime field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(fields >> field)) return std::nullopt;
  }
  try {
    return std::stoull(field);
  } catch (...) {
    return std::nullopt;
  }
}

std::string format_age(double seconds) {
  long s = static_cast<long>(seconds);
  char buf[32];
  if (s < 60) {
    std::snprintf(buf, sizeof buf, "%lds", s);
  } else if (s < 3600) {
    std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  } else if (s < 86400) {
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%ldd%02ldh", s / 86400, (s % 86400) / 3600);
  }
  return buf;
}

std::string format_ps_table(const std::vector<SandboxEntry>& entries) {
  size_t venv_width = 4;
  for (const auto& e : entries) venv_width = std::max(venv_width, e.venv.size());
  char line[64];
  std::snprintf(line, sizeof line, "%7s %7s  %-8s  ", "PID", "AGE", "NET");
  std::string out = line + std::string("VENV") + std::string(venv_width - 4 + 2, ' ') + "COMMAND\n";
  for (const auto& e : entries) {
    std::snprintf(line, sizeof line, "%7d %7s  %-8s  ", static_cast<int>(e.pid),
                  format_age(e.age_seconds).c_str(), e.net.c_str());
    std::string cmd;
    for (const auto& a : e.argv) cmd += (cmd.empty() ? "" : " ") + a;
    out += line + e.venv + std::string(venv_width - e.venv.size() + 2, ' ') + cmd + "\n";
  }
  return out;
}

std::vector<SandboxEntry> list_sandboxes(const std::string& proc_root) {
  std::vector<SandboxEntry> found;
  double up = uptime_seconds(proc_root);
  double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  DIR* d = opendir(proc_root.c_str());
  if (d == nullptr) return found;
  while (struct dirent* ent = readdir(d)) {
    char* end;
    long pid = std::strtol(ent->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    std::string dir = proc_root + "/" + ent->d_name;
    auto exe = read_link(dir + "/exe");
    if (!exe || !basename_of(*exe).starts_with("venv-exec")) continue;
    // A sandbox's pid 1 runs the same binary; it lives in a pid namespace below ours, which
    // status shows as a second NSpid entry. Only launchers are listed, once each.
    if (in_child_pid_namespace(slurp_proc(dir + "/status"))) continue;
    auto cwd = read_link(dir + "/cwd");
    auto start = parse_start_ticks(slurp_proc(dir + "/stat"));
    if (!cwd || !start) continue;
    SandboxEntry e;
    e.pid = static_cast<pid_t>(pid);
    e.argv = split(slurp_proc(dir + "/cmdline"), '\0');
    if (e.argv.size() >= 2 && (e.argv[1] == "ps" || e.argv[1] == "check")) continue;
    e.age_seconds = std::max(0.0, up - static_cast<double>(*start) / hz);
    e.venv = venv_of(e.argv, *cwd, split(slurp_proc(dir + "/environ"), '\0'));
    e.net = network_of(proc_root, ent->d_name);
    found.push_back(std::move(e));
  }
  closedir(d);
  std::sort(found.begin(), found.end(),
            [](const SandboxEntry& a, const SandboxEntry& b) { return a.pid < b.pid; });
  return found;
}

int run_ps(const std::vector<std::string>& args) {
  if (auto parsed = parse_ps_args(args); !parsed)
    return report(parsed.error()), parsed.error().exit_code;
  std::fputs(format_ps_table(list_sandboxes()).c_str(), stdout);
  return 0;
}

}  // namespace vx
