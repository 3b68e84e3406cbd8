// [o] `venv-exec explain`: answers the seccomp notifications of the program's filter variant
// (sandbox/seccomp_filter.h explain_filter) and collects what the run was refused. Impure.
// Everything read from the target (path strings, socket addresses, its cwd) is sandbox-controlled:
// bounded, re-validated with SECCOMP_IOCTL_NOTIF_ID_VALID. While the program runs nothing of the
// host is looked at (the program could time or observe it); the host is asked after the run.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <span>
#include <vector>

#include "plan/explain_report.h"
#include "plan/sandbox_plan.h"

namespace vx {

// Explain hands the listener over with sendmsg and closes it under the filter: a custom
// allowlist (SANDBOX_SECCOMP_ALLOW) must allow both. Seccomp off: nothing to explain (warns).
Expected<void> check_explainable(const SeccompPlan& plan);

// The allowlist in force, for the SANDBOX_SECCOMP_ALLOW line of the report.
std::vector<std::string> allow_list_in_force(const SeccompPlan& plan);

class ExplainProbe {
 public:
  // `normal`: the layers a normal launch loads, run in user space to answer each call exactly
  // as normal mode would. `own_loopback`: the sandbox has its own network namespace.
  ExplainProbe(std::vector<std::span<const sock_filter>> normal, bool own_loopback);

  // The calls the variant sends to the listener even though they are allowed.
  static std::span<const int> watched_calls();

  // Receives one notification on `listener` and answers it.
  void serve(int listener);

  // After the run, once pid 1 is reaped (no process of the sandbox is left to observe it):
  // keeps the candidates that exist on the host, and the connects to ports it listens on.
  void check_host();

  // Complete after check_host().
  const ExplainFindings& findings() const { return findings_; }

 private:
  void probe_path(int listener, const struct seccomp_notif& req, const char* call);
  void probe_connect(int listener, const struct seccomp_notif& req);
  void note_refused(int listener, const struct seccomp_notif& req, int error);

  std::vector<std::span<const sock_filter>> normal_;
  bool own_loopback_;
  // A path absent inside, waiting for check_host(). Not only host-present ones are kept (so
  // more of them): what the program can see of this list must not depend on the host.
  struct PathCandidate {
    MissingPath found;
    bool exec = false;  // looked up by execve/execveat
  };
  static constexpr size_t kMaxCandidates = 8 * kMaxFindings;
  std::map<std::string, PathCandidate> candidates_;
  std::map<std::string, NetRefusal> connects_;
  ExplainFindings findings_;
};

}  // namespace vx
