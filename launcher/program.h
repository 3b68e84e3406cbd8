// [p] the program's process, forked by pid 1: session and terminal, capabilities,
// no_new_privs, seccomp last, then execve. Never returns.
#pragma once

#include "exec.h"
#include "init.h"

namespace vx {

[[noreturn]] void run_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args);

}  // namespace vx
