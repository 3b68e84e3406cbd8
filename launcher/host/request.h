// [o] outside: gather what plan_sandbox needs for one launch: options in precedence order,
// the venv, the program to run. The few host reads (stat of VENV/venv-exec/real/NAME, the
// shell, VENV/bin listing for pip) happen here, not in the planner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "host/host.h"
#include "host/state.h"
#include "host/venv.h"
#include "plan/invocation.h"
#include "plan/plan_sandbox.h"

namespace vx {

// The caller's options, parsed once: BWRAP_ARGS < VENV_EXEC_ARGS < command line (later wins);
// VERBOSE=1. The install defaults go under them with merge_options (SPEC §2's precedence).
Expected<SandboxOptions> caller_options(const HostFacts& host, const SandboxOptions& command_line);

// What to execute: entrypoint NAME, a command's words, or the shell (empty `words`).
struct Target {
  std::string entrypoint;  // kEntrypoint: the NAME of VENV/bin/NAME
  bool shell = false;
  std::vector<std::string> words;  // the command and its arguments
};

// The file to execute and its argv: the real entrypoint behind a wrapper, the shell, or the
// command as given (searched in PATH inside). A launch and a nested call resolve it alike.
struct ResolvedTarget {
  std::string exec_file;
  std::vector<std::string> argv;
};
Expected<ResolvedTarget> resolve_target(const Venv& venv, const Target& t);

Expected<LaunchRequest> build_request(const HostFacts& host, const Venv& venv,
                                      const Registry& registry, const SandboxOptions& options,
                                      const Target& target);

}  // namespace vx
