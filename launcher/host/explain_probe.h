// [o] `venv-exec explain`: answers the seccomp notifications of the program's filter variant
// (sandbox/seccomp_filter.h explain_filter) and collects what the run was refused. Impure.
// Everything read from the target (path strings, socket addresses, its cwd) is sandbox-controlled:
// bounded, re-validated with SECCOMP_IOCTL_NOTIF_ID_VALID, and only ever stat'ed on the host.
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

  const ExplainFindings& findings() const { return findings_; }

 private:
  void probe_path(int listener, const struct seccomp_notif& req, const char* call);
  void probe_connect(int listener, const struct seccomp_notif& req);
  void note_refused(int listener, const struct seccomp_notif& req, int error);

  std::vector<std::span<const sock_filter>> normal_;
  bool own_loopback_;
  ExplainFindings findings_;
};

}  // namespace vx
