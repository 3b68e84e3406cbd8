#include "plan/plan_sandbox.h"

#include <sched.h>

#include <algorithm>
#include <cctype>
#include <sstream>

#include "plan/dns_forward.h"
#include "plan/invocation.h"
#include "plan/links.h"
#include "plan/view.h"

namespace vx {

namespace {

SeccompPlan plan_seccomp(const std::optional<std::string>& allow) {
  SeccompPlan plan;
  if (!allow) return plan;
  // Words separated by blanks or newlines (no stream: nothing on the launch path sets up a
  // locale).
  size_t i = 0;
  const std::string& s = *allow;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) plan.allow.push_back(s.substr(start, i - start));
  }
  plan.mode = plan.allow.empty() ? SeccompPlan::Mode::kOff : SeccompPlan::Mode::kCustom;
  return plan;
}

// Options that only namespaces can honour. Refused rather than ignored: --unshare-net would
// otherwise silently leave the network shared, a --bind silently absent.
Expected<void> check_landlock_only_options(const LaunchRequest& req) {
  const SandboxOptions& o = req.options;
  const char* option = nullptr;
  if (!o.mounts.empty()) option = "--bind and the other mount options";
  if (effective_net(o, req.pip) != NetMode::kHost) option = "--net none and --net internet";
  if (o.uid || o.gid) option = "--uid and --gid";
  if (o.hostname) option = "--hostname";
  if (!req.keep_caps.empty()) option = "--cap-add";
  if (req.venv_dir.empty()) option = "a run without a venv";
  if (plan_seccomp(req.seccomp_allow).mode == SeccompPlan::Mode::kOff)
    option = "SANDBOX_SECCOMP_ALLOW= (seccomp off)";
  if (option == nullptr) return {};
  return fail(
      Error::make("run in a Landlock-only sandbox", std::string(option) + " needs user namespaces",
                  "allow user namespaces (see 'venv-exec check'), or leave the option out"));
}

// No namespaces: the host's paths, HOME and the caches in the venv, Landlock as the boundary.
Expected<SandboxPlan> plan_landlock_only_sandbox(const LaunchRequest& req) {
  TRY(check_landlock_only_options(req));
  SandboxPlan plan;
  plan.landlock_only = true;
  plan.ids = {req.host_uid, req.host_uid, req.host_gid, req.host_gid};
  TRY_ASSIGN(landlock, plan_landlock_only(req.landlock_paths, req.landlock_abi));
  plan.landlock = std::move(landlock);
  plan.marker_env = kLandlockMarkerEnv;
  bool cwd_inside = req.cwd == req.project || req.cwd.starts_with(req.project + "/");
  plan.cwd = req.options.chdir.value_or(cwd_inside ? req.cwd : req.project);
  EnvInputs env;
  env.host_environ = req.host_environ;
  env.home = req.venv_dir + "/home";
  env.venv_dir = req.venv_dir;
  env.pip = req.pip;
  env.dotenv = req.dotenv;
  // The host's /tmp is not writable: temporary files go to the venv's cache.
  env.changes = {{"XDG_CACHE_HOME", req.venv_dir + "/cache"},
                 {"TMPDIR", req.venv_dir + "/cache/tmp"}};
  env.changes.insert(env.changes.end(), req.options.env.begin(), req.options.env.end());
  plan.env = plan_environment(env);
  plan.path = path_entries(plan.env);
  plan.exec_file = req.exec_file;
  plan.argv = req.argv;
  plan.seccomp = plan_seccomp(req.seccomp_allow);
  // Path sockets are not covered by Landlock's file rules (connect(2) opens no file): without
  // a mount namespace, the session bus in /run/user/UID or an ssh agent in /tmp would answer.
  plan.seccomp.no_unix_sockets = true;
  plan.foreground_tty = req.stdin_tty;
  return plan;
}

}  // namespace

std::vector<MountOp> plan_terminals(const std::vector<std::string>& terminals) {
  std::vector<MountOp> ops;
  constexpr std::string_view kPts = "/dev/pts/";
  for (const auto& t : terminals) {
    std::string_view index = std::string_view(t).substr(std::min(t.size(), kPts.size()));
    if (!t.starts_with(kPts) || index.empty() || index.size() > 3) continue;
    if (index.find_first_not_of("0123456789") != std::string_view::npos) continue;
    if (std::stoul(std::string(index)) >= kMaxTerminalIndex) continue;
    MountOp op{MountKind::kTerminal, "", t};
    if (std::find(ops.begin(), ops.end(), op) == ops.end()) ops.push_back(op);
  }
  return ops;
}

bool is_pip_command(const std::string& name, const std::vector<std::string>& argv) {
  std::string base = basename_of(name);
  if (base == "pip" || base == "pip3" || (base.starts_with("pip3.") && base.size() > 5))
    return true;
  if (!base.starts_with("python")) return false;
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] == "-m" && i + 1 < argv.size()) return argv[i + 1] == "pip";
    if (argv[i] == "-mpip") return true;
    if (argv[i].empty() || argv[i].front() != '-' || argv[i] == "-c") return false;
  }
  return false;
}

void pip_module_argv(std::vector<std::string>& argv, const std::string& name,
                     const std::string& python_version) {
  if (!basename_of(name).starts_with("python") || argv.size() < 2) return;
  auto dot = python_version.find('.');
  if (dot == std::string::npos || python_version.substr(0, dot) != "3") return;
  unsigned minor = 0;
  for (char c : python_version.substr(dot + 1)) {
    if (c < '0' || c > '9') return;
    minor = minor * 10 + static_cast<unsigned>(c - '0');
  }
  if (minor >= 11) argv.insert(argv.begin() + 1, "-P");
}

NetMode effective_net(const SandboxOptions& options, bool pip) {
  if (pip && options.pip_net) return *options.pip_net;
  return options.net.value_or(NetMode::kHost);
}

std::vector<std::string> plan_user_net(const std::string& pasta, bool root,
                                       const std::vector<std::string>& dns_forward) {
  // --config-net: pasta itself gives the namespace its interface, addresses and routes before it
  // reports ready. --no-map-gw: the gateway address does not lead to the host. -T none -U none:
  // no port of the host's loopback forwarded into the namespace (pasta's default forwards every
  // bound one, the very services this mode hides); -t none -u none: nor the namespace's ports
  // bound on the host. -f: pasta stays the launcher's child, to die with it; -P: its PID, written
  // once it is configured, is the launcher's signal to go on (executor, sandbox/user_net.cc).
  std::vector<std::string> argv = {pasta, "--config-net", "--no-map-gw", "-T", "none", "-U", "none",
                                   "-t", "none", "-u", "none", "-f", "-q"};
  // Started by root, pasta turns itself into nobody, who may not enter root's user namespace:
  // it stays the caller, as it does for everyone else.
  if (root) argv.insert(argv.end(), {"--runas", "0:0"});
  // Without -D: Debian 12's pasta then forwards to the host's nameserver it read itself (with
  // -D 127.0.0.53 the forwarded queries went unanswered, tried with 0.0~git20230309).
  argv.insert(argv.end(), dns_forward.begin(), dns_forward.end());
  argv.insert(argv.end(), {"-P", "/proc/self/fd/3"});
  return argv;
}

Expected<SandboxPlan> plan_sandbox(const LaunchRequest& req) {
  if (req.landlock_only) return plan_landlock_only_sandbox(req);
  const SandboxOptions& o = req.options;
  SandboxPlan plan;
  plan.clone_flags =
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  plan.net = effective_net(o, req.pip);
  if (plan.net != NetMode::kHost) {
    plan.clone_flags |= CLONE_NEWNET;
    plan.loopback_up = true;
  }
  // The host's loopback is out of reach, and so a resolver there: pasta forwards the DNS
  // queries sent to one address, and only those, to it (plan/dns_forward.h).
  std::optional<DnsForward> dns;
  if (plan.net == NetMode::kInternet && req.resolv_conf) dns = plan_dns_forward(*req.resolv_conf);
  if (plan.net == NetMode::kInternet) {
    if (req.pasta.empty())
      return fail(Error::make("--net internet", "pasta is not installed",
                              "install it: apt-get install passt"));
    plan.user_net_argv = plan_user_net(req.pasta, req.host_uid == 0,
                                       dns ? dns->pasta_args : std::vector<std::string>{});
  }
  plan.ids = {o.uid.value_or(req.host_uid), req.host_uid, o.gid.value_or(req.host_gid),
              req.host_gid};
  plan.hostname = o.hostname.value_or("");

  ViewInputs view;
  view.profile = o.profile.value_or("standard");
  static_cast<ViewPlaces&>(view) = req;
  view.etc = &req.etc;
  view.home = req.home;
  if (!req.venv_dir.empty()) {
    view.home_backing = req.venv_dir + "/home";
    view.cache_backing = req.venv_dir + "/cache";
  }
  view.uid = plan.ids.inside_uid;
  view.outside_uid = plan.ids.outside_uid;
  view.gid = plan.ids.inside_gid;
  view.outside_gid = plan.ids.outside_gid;
  view.user_mounts = o.mounts;
  if (dns) {
    view.resolv_conf = &dns->resolv_conf;
    view.resolv_conf_real = req.resolv_conf_real;
  }
  if (req.pip_cache && !req.venv_dir.empty())
    view.user_mounts.insert(view.user_mounts.begin(),
                            {MountKind::kBind, *req.pip_cache, req.home + "/.cache/pip"});
  plan.mounts = plan_view(view);
  for (auto& op : plan_terminals(req.terminals)) plan.mounts.ops.push_back(std::move(op));
  plan.marker_path = kSandboxMarker;
  // The shim stays with --no-open, to say that links are off (and to keep hiding the host's
  // xdg-open); only the socket is left out.
  for (auto& op : plan_link_mounts(req.self_exe, req.host_xdg_open, plan.mounts.ops))
    plan.mounts.ops.push_back(std::move(op));
  if (o.open_links.value_or(true)) plan.links_socket = kLinksSocket;

  // A working directory outside the project is not visible inside: start in the project.
  bool cwd_visible = req.cwd == req.project || req.cwd.starts_with(req.project + "/");
  plan.cwd = o.chdir.value_or(cwd_visible ? req.cwd : req.project);
  EnvInputs env;
  env.host_environ = req.host_environ;
  env.home = req.home;
  env.venv_dir = req.venv_dir;
  env.pip = req.pip;
  env.dotenv = req.dotenv;
  for (auto& [key, value] : git_identity_env(req.git_user, req.git_local))
    env.git_identity.push_back({key, value});
  if (!req.self_exe.empty()) env.links_dir = kLinksBinDir;
  env.changes = o.env;
  plan.env = plan_environment(env);
  plan.path = path_entries(plan.env);
  plan.exec_file = req.exec_file;
  plan.argv = req.argv;
  plan.keep_caps = req.keep_caps;
  plan.pass_fds = o.pass_fds;
  plan.seccomp = plan_seccomp(req.seccomp_allow);
  plan.landlock = plan_landlock(plan.mounts, req.landlock_abi);
  plan.new_session = plan.seccomp.mode == SeccompPlan::Mode::kOff;
  plan.foreground_tty = req.stdin_tty && !plan.new_session;
  TRY_ASSIGN(limits, plan_limits(o.limits, req.limit_facts));
  plan.limits = std::move(limits);
  plan.timing = req.timing;
  return plan;
}

}  // namespace vx
