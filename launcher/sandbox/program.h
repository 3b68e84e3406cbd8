// [p] the program's process, started by pid 1: session and terminal, capabilities,
// no_new_privs, the Landlock ruleset, seccomp last, then execve.
#pragma once

#include <sys/types.h>

#include "sandbox/exec.h"
#include "sandbox/child.h"

namespace vx {

// Starts the program's process and returns its pid once it has called execve (or failed and
// reported through the error pipe). It shares pid 1's memory until then (CLONE_VM|CLONE_VFORK,
// as posix_spawn does): no page tables are copied for a process that is about to exec.
Expected<pid_t> start_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args);

}  // namespace vx
