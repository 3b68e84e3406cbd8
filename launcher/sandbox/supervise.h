// [o] outside: wait for the sandbox, forward signals to its pid 1, follow job control, and turn
// the outcome into the launcher's exit status. Impure.
#pragma once

#include <functional>

#include "sandbox/link_server.h"
#include "sandbox/spawn.h"

namespace vx {

// Returns the exit status: the program's own, 128+N, or the class of a reported error (whose
// message it has printed).
// With plan.limits.timeout_ms, the time up sends SIGTERM to every process of the sandbox and,
// plan.limits.kill_after_ms later, SIGKILL to pid 1 (which takes the whole pid namespace);
// the status is then 124.
// Explain mode: `on_notify` is called with the seccomp listener each time it is readable (it
// must receive and answer one notification); the program's execve waits for it, so the loop
// serves notifications from before the program runs until pid 1 reports its exit.
using NotifyHandler = std::function<void(int listener)>;
// `links`, when given, serves the link channel from the same loop.
int supervise(Spawned& sandbox, const SandboxPlan& plan, const NotifyHandler& on_notify = {},
              LinkServer* links = nullptr);

// Waits for pid 1 if supervise has not, and records its resource usage. Once it returns, the
// kernel has reaped every process of the sandbox (pid 1 exits last in its namespace).
void reap_sandbox(Spawned& sandbox);

}  // namespace vx
