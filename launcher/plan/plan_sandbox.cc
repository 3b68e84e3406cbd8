#include "plan/plan_sandbox.h"

#include <sched.h>

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

}  // namespace

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
  view.venv_trusted = req.venv_trusted;
  view.python_prefix = req.python_prefix;
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
  env.changes = o.env;
  plan.env = plan_environment(env);
  plan.path = path_entries(plan.env);
  plan.exec_file = req.exec_file;
  plan.argv = req.argv;
  plan.keep_caps = req.keep_caps;
  plan.seccomp = plan_seccomp(req.seccomp_allow);
  plan.new_session = plan.seccomp.mode == SeccompPlan::Mode::kOff;
  plan.foreground_tty = req.stdin_tty && !plan.new_session;
  plan.timing = req.timing;
  return plan;
}

}  // namespace vx
