// [o] outside: where --status-json and --status-fd send the run's status. Opened before the
// sandbox starts (a bad path fails the launch before anything runs), written after it ended.
#pragma once

#include <sys/resource.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "host/cgroup.h"
#include "plan/limits.h"
#include "plan/run_status.h"

namespace vx {

struct StatusOutput {
  UniqueFd file;  // --status-json
  int fd = -1;    // --status-fd
  bool wanted() const { return file || fd >= 0; }
};

Expected<StatusOutput> open_status_output(const LimitOptions& limits);

// What one run did, gathered into the status value (peak memory: the cgroup's when there was
// one, else the largest resident set of a single process from wait4).
struct RunOutcome {
  int exit_code = 0;
  int signal = 0;
  bool timed_out = false;
  const struct rusage* usage = nullptr;  // pid 1's and its children's; null if not reaped
  double wall_seconds = 0;
  CgroupUsage cgroup;
};
RunStatus collect_run_status(const RunOutcome& outcome, const LimitPlan& limits,
                             const std::string& venv, const std::vector<std::string>& argv);

// Writes `text` to each output; a failure is reported, and the launch keeps its exit status.
void write_status(const StatusOutput& out, const std::string& text);

}  // namespace vx
