// [o] `venv-exec explain` around one launch: arms the notifying filter and the probe before the
// run, asks the host about what the run looked for after it, and writes the report. Impure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/explain_probe.h"
#include "host/host.h"
#include "host/venv.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/spawn.h"
#include "sandbox/supervise.h"

namespace vx {

// Nothing of it exists in a normal launch.
struct Explain {
  ExplainFormat format = ExplainFormat::kText;
  std::string report_file;                  // --report FILE (absolute), else stderr
  std::vector<std::string> stored_options;  // the venv's defaults, for the install line
  BpfProgram filter;
  std::optional<ExplainProbe> probe;

  // From `venv-exec explain`'s own words, or an entrypoint's VENV_EXEC_EXPLAIN and
  // VENV_EXEC_EXPLAIN_REPORT; nullopt when explain is not asked for.
  static Expected<std::optional<Explain>> from_args(const HostFacts& host, const ExplainArgs& a);
  static Expected<std::optional<Explain>> from_env(const HostFacts& host);

  // Before the run: the variant of `normal` with its listener, and the probe that answers it.
  Expected<void> arm(const BpfProgram& normal, const SandboxPlan& plan);

  // After the run: waits for pid 1 (then no process of the sandbox is left to watch the host
  // checks), keeps what exists on the host, and writes the report.
  Expected<void> finish(Spawned& sandbox, const HostFacts& host, const Venv& venv,
                        const SandboxPlan& plan);
};

}  // namespace vx
