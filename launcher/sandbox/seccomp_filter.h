// (Named seccomp_filter, not seccomp: libseccomp's own <seccomp.h> must stay reachable.)
// Seccomp: which BPF programs to load, and loading them. prepare_* runs [o] outside before
// clone (a run-time compile fails early and happens once); load_filter runs in [1] pid 1 and
// [p] the program's process as their very last step before waiting or execve.
#pragma once

#include <linux/filter.h>

#include <span>
#include <vector>

#include "base/error.h"
#include "plan/sandbox_plan.h"

namespace vx {

// Filters loaded in order (one, the always-denied rules chained to an allowlist, in practice).
struct BpfProgram {
  std::vector<std::vector<sock_filter>> owned;  // run-time compiled layers
  std::vector<std::span<const sock_filter>> layers;
  bool listener = false;  // explain mode: the last layer is loaded with a notification listener
  BpfProgram() = default;
  BpfProgram(BpfProgram&&) = default;
  BpfProgram& operator=(BpfProgram&&) = default;
  BpfProgram(const BpfProgram&) = delete;  // layers may point into owned
};

// kEmbedded: the build-time programs, nothing parsed. kCustom: the allowlist from
// SANDBOX_SECCOMP_ALLOW compiled now, with the embedded always-denied rules. kOff: none.
Expected<BpfProgram> prepare_program_filter(const SeccompPlan& plan);

// `venv-exec explain`: `normal` with its last layer replaced by its notify_variant (policy/
// bpf_eval.h): the calls `normal` refuses and the calls in `notify` go to a listener, which
// answers as `normal` would. Only explain builds it; a normal launch loads `normal` itself.
Expected<BpfProgram> explain_filter(const BpfProgram& normal, std::span<const int> notify);

// pid 1's own, smaller allowlist, with the same always-denied rules.
BpfProgram init_filter();

// seccomp(SECCOMP_SET_MODE_FILTER) for each layer. no_new_privs must already be set.
Expected<void> load_filter(const BpfProgram& program);

// As load_filter, for a program with `listener`: the last layer gets
// SECCOMP_FILTER_FLAG_NEW_LISTENER and its listener (O_CLOEXEC) is returned. `killable`: the
// kernel also took SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19), so a notified call,
// once the launcher has received it, waits through signals instead of failing with EINTR.
struct Listener {
  int fd = -1;
  bool killable = false;
};
Expected<Listener> load_filter_with_listener(const BpfProgram& program);

}  // namespace vx
