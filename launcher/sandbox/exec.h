// [p] the program's process: execve the planned program. On return it failed, and the Error
// carries the exit class: 127 not found, 126 not executable (as env(1)).
#pragma once

#include "base/error.h"
#include "plan/sandbox_plan.h"

namespace vx {

// `argv`/`envp` are prepared before seccomp is loaded, so nothing is allocated after it.
struct ExecArgs {
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::vector<std::string> candidates;  // the paths execve will try, in order
};

ExecArgs prepare_exec(const SandboxPlan& plan);

// Tries every candidate; returns the error to report when none could be executed.
Error exec_program(const SandboxPlan& plan, ExecArgs& args);

}  // namespace vx
