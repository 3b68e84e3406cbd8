#include "plan/plan_sandbox.h"

#include <sched.h>

#include <algorithm>
#include <cctype>

#include "plan/invocation.h"
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
  if (o.share_net == false) option = "--unshare-net";
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

Expected<SandboxPlan> plan_sandbox(const LaunchRequest& req) {
  if (req.landlock_only) return plan_landlock_only_sandbox(req);
  const SandboxOptions& o = req.options;
  SandboxPlan plan;
  plan.clone_flags =
      CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
  if (o.share_net == false) {
    plan.clone_flags |= CLONE_NEWNET;
    plan.loopback_up = true;
  }
  plan.ids = {o.uid.value_or(req.host_uid), req.host_uid, o.gid.value_or(req.host_gid),
              req.host_gid};
  plan.hostname = o.hostname.value_or("");

  ViewInputs view;
  view.profile = o.profile.value_or("standard");
  view.system_view = req.system_view;
  view.etc = &req.etc;
  view.expose = req.expose;
  view.root_links = req.root_links;
  view.self_exe = req.self_exe;
  view.project = req.project;
  view.venv_dir = req.venv_dir;
  view.pip = req.pip;
  view.venv_bin = req.venv_bin;
  view.venv_trusted = req.venv_trusted;
  view.python_prefix = req.python_prefix;
  view.state_dir = req.state_dir;
  view.other_venvs = req.other_venvs;
  view.skip_protected = req.skip_protected;
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
  if (req.pip_cache && !req.venv_dir.empty())
    view.user_mounts.insert(view.user_mounts.begin(),
                            {MountKind::kBind, *req.pip_cache, req.home + "/.cache/pip"});
  plan.mounts = plan_view(view);
  for (auto& op : plan_terminals(req.terminals)) plan.mounts.ops.push_back(std::move(op));
  plan.marker_path = kSandboxMarker;

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
