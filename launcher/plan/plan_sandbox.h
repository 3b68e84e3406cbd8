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

struct LaunchRequest {
  const std::vector<std::string>* host_environ = nullptr;
  uid_t host_uid = 0;
  gid_t host_gid = 0;
  std::string home;
  std::string cwd;
  bool stdin_tty = false;
  std::vector<std::string> terminals;  // the caller's fds 0-2 that are terminals, by path
  std::vector<std::pair<std::string, std::string>> root_links;
  std::string self_exe;

  std::string project;
  std::string venv_dir;  // empty without a venv
  std::string python_prefix;
  std::vector<std::string> venv_trusted;  // files kept read-only while pip runs
  bool pip = false;
  std::string pasta;     // pasta found on the host, for --net internet; empty when absent
  std::string venv_bin;  // shown at VENV/bin: real/ (wrapped venv), the staging dir (pip)
  std::optional<std::string> pip_cache;     // the host's pip cache, with SANDBOX_USE_PIP_CACHE
  std::string state_dir;                    // the host-side state directory (SPEC §3a.1)
  std::vector<std::string> other_venvs;     // the project's other registered venvs
  std::vector<std::string> skip_protected;  // protected names that are links or FIFOs

  SandboxOptions options;  // merged: install defaults < env variable < command line
  std::vector<EnvEntry> dotenv;
  GitIdentity git_user;   // from ~/.config/git/config and ~/.gitconfig
  GitIdentity git_local;  // from the project's .git/config, which git inside reads itself
  std::vector<MountOp> system_view;  // minimal profile: the cached closure
  std::vector<EtcEntry> etc;         // standard profile: the host's curated /etc
  std::vector<std::string> expose;   // --expose outside the minimal profile: real paths
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
// caller is uid 0.
std::vector<std::string> plan_user_net(const std::string& pasta, bool root);

// The caller's terminals to show inside (SPEC §3): a pseudo-terminal /dev/pts/N with N below
// kMaxTerminalIndex, which the executor can place in the private devpts. A console or serial
// line is not shown (ttyname fails there, as before).
inline constexpr unsigned kMaxTerminalIndex = 512;
std::vector<MountOp> plan_terminals(const std::vector<std::string>& terminals);

// Whether a command runs pip: pip, pip3, pip3.X, or python -m pip.
bool is_pip_command(const std::string& name, const std::vector<std::string>& argv);

}  // namespace vx
