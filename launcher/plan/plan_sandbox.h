// plan_sandbox(): the whole launch as one SandboxPlan value, from the request. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "plan/environ.h"
#include "plan/git_identity.h"
#include "plan/landlock_only.h"
#include "plan/options.h"
#include "plan/sandbox_plan.h"
#include "plan/view.h"

namespace vx {

// The view-relevant places (ViewPlaces) come first, found by the host side.
struct LaunchRequest : ViewPlaces {
  const std::vector<std::string>* host_environ = nullptr;
  uid_t host_uid = 0;
  gid_t host_gid = 0;
  std::string home;
  std::string cwd;
  bool stdin_tty = false;
  std::vector<std::string> terminals;  // the caller's fds 0-2 that are terminals, by path
  bool host_xdg_open = false;  // the host has /usr/bin/xdg-open (a regular file)
  // The protected names (SPEC §3) in the project before the run; not used by the planner: the
  // host warns after the run about the ones the sandbox created.
  std::vector<std::string> protected_present;

  std::string pasta;  // pasta found on the host, for --net internet; empty when absent
  // For --net internet: the host's /etc/resolv.conf (nullopt: absent or unreadable) and its
  // real path.
  std::optional<std::string> resolv_conf;
  std::string resolv_conf_real;
  std::optional<std::string> pip_cache;  // the host's pip cache, with SANDBOX_USE_PIP_CACHE

  SandboxOptions options;  // merged: install defaults < env variable < command line
  std::vector<EnvEntry> dotenv;
  GitIdentity git_user;   // from ~/.config/git/config and ~/.gitconfig
  GitIdentity git_local;  // from the project's .git/config, which git inside reads itself
  std::vector<EtcEntry> etc;         // standard profile: the host's curated /etc
  std::vector<int> keep_caps;        // resolved from options.caps

  std::string exec_file;  // a path, or a bare name searched in PATH inside
  std::vector<std::string> argv;
  std::optional<std::string> seccomp_allow;  // SANDBOX_SECCOMP_ALLOW, when set
  LimitFacts limit_facts;                    // probed only when a limit needs a cgroup
  int landlock_abi = -1;                     // the kernel's Landlock ABI, -1 when absent
  bool landlock_only = false;                // --isolation landlock, or no user namespaces
  LandlockOnlyInputs landlock_paths;         // for landlock_only
  Timing timing;
};

Expected<SandboxPlan> plan_sandbox(const LaunchRequest& req);

// The run's network: pip's own mode (--pip-net) for pip, else --net, else the host's.
NetMode effective_net(const SandboxOptions& options, bool pip);

// pasta's arguments for --net internet, before the PID of the namespace's owner; `root`: the
// caller is uid 0; `dns_forward`: DnsForward::pasta_args, when the host's resolver is on its
// loopback.
std::vector<std::string> plan_user_net(const std::string& pasta, bool root,
                                       const std::vector<std::string>& dns_forward = {});

// The caller's terminals to show inside (SPEC §3): a pseudo-terminal /dev/pts/N with N below
// kMaxTerminalIndex, which the executor can place in the private devpts. A console or serial
// line is not shown (ttyname fails there, as before).
inline constexpr unsigned kMaxTerminalIndex = 512;
std::vector<MountOp> plan_terminals(const std::vector<std::string>& terminals);

// `python -m pip` puts the working directory, the project, first on sys.path, where another
// run of the venv may have planted a pip/__main__.py; -P (Python 3.11+) leaves it out, for this
// process only (pip's build subprocesses still find a setup.py's own modules).
void pip_module_argv(std::vector<std::string>& argv, const std::string& name,
                     const std::string& python_version);

// Whether a command runs pip: pip, pip3, pip3.X, or python -m pip.
bool is_pip_command(const std::string& name, const std::vector<std::string>& argv);

}  // namespace vx
