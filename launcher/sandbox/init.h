// [1] pid 1 of the sandbox: build the root, fork the program, then reap children and forward
// signals until the program exits, and exit with its status. Never returns.
#pragma once

#include "plan/sandbox_plan.h"
#include "sandbox/child.h"

namespace vx {

[[noreturn]] void run_pid1(const SandboxPlan& plan, const ChildPipes& pipes, const Filters& f);

}  // namespace vx
