// [p] the program's process, started by pid 1: session and terminal, capabilities,
// no_new_privs, the Landlock ruleset (built by pid 1), seccomp last, then execve.
#pragma once

#include <sys/types.h>

#include "sandbox/child.h"
#include "sandbox/exec.h"

namespace vx {

// Starts the program's process and returns its pid once it has called execve (or failed and
// reported through the error pipe). It shares pid 1's memory until then (CLONE_VM|CLONE_VFORK,
// as posix_spawn does): no page tables are copied for a process that is about to exec.
// `ruleset`: the Landlock ruleset pid 1 built from the plan (-1: none), which the program
// enforces on itself; pid 1's own copy stays unenforced.
Expected<pid_t> start_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args, int ruleset);

}  // namespace vx
