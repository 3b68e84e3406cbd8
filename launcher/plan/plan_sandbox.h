// plan_sandbox(): the whole launch as one SandboxPlan value, from the request. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "plan/environ.h"
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
  std::vector<std::pair<std::string, std::string>> root_links;
  std::string self_exe;

  std::string project;
  std::string venv_dir;  // empty without a venv
  std::string python_prefix;
  std::vector<std::string> venv_trusted;  // files kept read-only while pip runs
  bool pip = false;
  std::optional<std::string> pip_cache;  // the host's pip cache, with SANDBOX_USE_PIP_CACHE

  SandboxOptions options;  // merged: install defaults < env variable < command line
  std::vector<EnvEntry> dotenv;
  std::vector<MountOp> system_view;  // minimal profile: the cached closure
  std::vector<EtcEntry> etc;         // standard profile: the host's curated /etc
  std::vector<std::string> expose;   // --expose outside the minimal profile: real paths
  std::vector<int> keep_caps;        // resolved from options.caps

  std::string exec_file;  // a path, or a bare name searched in PATH inside
  std::vector<std::string> argv;
  std::optional<std::string> seccomp_allow;  // SANDBOX_SECCOMP_ALLOW, when set
  Timing timing;
};

Expected<SandboxPlan> plan_sandbox(const LaunchRequest& req);

// Whether a command runs pip: pip, pip3, pip3.X, or python -m pip.
bool is_pip_command(const std::string& name, const std::vector<std::string>& argv);

}  // namespace vx
