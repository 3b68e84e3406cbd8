// [o] outside: clone the sandbox's pid 1 with the new namespaces. Impure.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include "base/error.h"
#include "base/fd.h"
#include "plan/sandbox_plan.h"
#include "sandbox/init.h"

namespace vx {

struct Spawned {
  pid_t pid1 = -1;    // as seen from outside
  UniqueFd error_r;   // error records from pid 1 and the program's process
  UniqueFd events_r;  // job-control events from pid 1
  UniqueFd alive_w;   // held until the launcher exits; pid 1 sees EOF when it dies
  UniqueFd notify_r;  // explain mode: the program's seccomp listener arrives here
  UniqueFd listener;  // explain mode: once received
  UniqueFd links;     // the link socket pid 1 listens on (plan.links_socket), else empty
  // Received from a kernel that refused SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV.
  bool listener_interruptible = false;
  // What supervise and reap_sandbox learned, for the exit status and --status-json.
  bool timed_out = false;  // --timeout expired
  int signal = 0;          // the signal that killed the program (or pid 1), 0 if none did
  bool reaped = false;     // pid 1 was waited for; `usage` holds its rusage and its children's
  struct rusage usage = {};
};

// The caller must have blocked supervised_signals() first, so that no signal sent between
// clone and the supervisors' signalfds is lost.
Expected<Spawned> spawn_sandbox(const SandboxPlan& plan, const Filters& filters);

// Whether spawn_sandbox failed because this user may not create user namespaces (sysctls,
// a container's seccomp): the case an automatic choice falls back to Landlock alone.
bool namespaces_refused(const Error& e);

}  // namespace vx
