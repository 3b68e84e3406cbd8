// [p] the program's process: execve the planned program. On return it failed, and the Error
// carries the exit class: 127 not found, 126 not executable (as env(1)) and names the cause.
#pragma once

#include <string>
#include <vector>

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

// The paths execve tries for `file`, as execvp(3): itself when it holds a '/', else each entry
// of the PATH inside joined with it.
std::vector<std::string> exec_paths(const std::string& file, const std::vector<std::string>& path);

// Tries every candidate; returns the error to report when none could be executed.
Error exec_program(const SandboxPlan& plan, ExecArgs& args);

// The same for a nested call: `name` as the user wrote it, `candidates` from exec_paths.
Error exec_candidates(const std::string& name, const std::vector<std::string>& candidates,
                      char* const argv[], char* const envp[]);

}  // namespace vx
