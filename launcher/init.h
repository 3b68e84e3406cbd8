// [1] pid 1 of the sandbox: build the root, fork the program, then reap children and forward
// signals until the program exits, and exit with its status. Never returns.
#pragma once

#include "sandbox_plan.h"
#include "seccomp_filter.h"

namespace vx {

struct ChildPipes {
  int error_w = -1;   // error records for the launcher (CLOEXEC)
  int events_w = -1;  // events for the launcher: 'S' the program stopped; 'X' + status, it exited
  int alive_r = -1;   // the launcher holds the write end: EOF means it is gone
};

struct Filters {
  const BpfProgram* program = nullptr;  // loaded by the program's process last before execve
  const BpfProgram* init = nullptr;     // pid 1's own, smaller filter
};

[[noreturn]] void run_pid1(const SandboxPlan& plan, const ChildPipes& pipes, const Filters& f);

}  // namespace vx
