// [o] outside: the cgroup of one run. probe_limit_facts finds what this user may write; the
// rest creates the run's cgroup, moves the launcher into it before pid 1 is cloned (so every
// process of the sandbox starts inside), reads its counters and removes it. Impure; every path
// hangs off the mount points named in the given mountinfo, so unit tests drive it against a
// temp directory tree that mimics cgroupfs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "plan/limits.h"

namespace vx {

// `self_cgroup` and `mountinfo` are the texts of /proc/self/cgroup and /proc/self/mountinfo.
LimitFacts probe_limit_facts(const std::string& self_cgroup, const std::string& mountinfo,
                             uid_t uid);
// The same, from this process's /proc files.
LimitFacts probe_host_limit_facts(uid_t uid);

// What a run's cgroup counted.
struct CgroupUsage {
  std::optional<uint64_t> peak_memory;  // bytes
  bool oom_killed = false;              // the memory limit made the kernel kill a process
  bool pids_refused = false;            // the pids limit refused a fork or clone
};

// The run's cgroup directories while the launcher is inside them. Leaving (move back, then
// rmdir) happens in leave() or, on an early error return, in the destructor.
class RunCgroup {
 public:
  RunCgroup() = default;
  RunCgroup(RunCgroup&& o) noexcept;
  RunCgroup& operator=(RunCgroup&& o) noexcept;
  RunCgroup(const RunCgroup&) = delete;
  RunCgroup& operator=(const RunCgroup&) = delete;
  ~RunCgroup();

  bool active() const { return !dirs_.empty(); }
  // Call after pid 1 is reaped: the kernel has then emptied the cgroup of the sandbox.
  CgroupUsage usage() const;
  Expected<void> leave();

 private:
  friend Expected<RunCgroup> enter_run_cgroup(const LimitPlan&, const std::string&, pid_t);
  LimitMechanism mechanism_ = LimitMechanism::kNone;
  std::vector<std::string> dirs_;   // PARENT/NAME, created
  std::vector<std::string> homes_;  // where this process returns, per directory
  std::string memory_dir_, pids_dir_;
  pid_t pid_ = 0;
};

// Creates PARENT/NAME for each of the plan's places, writes the limits, and moves `pid` (this
// process) into them. Nothing is left behind on failure. A plan without cgroups gives an
// inactive RunCgroup.
Expected<RunCgroup> enter_run_cgroup(const LimitPlan& plan, const std::string& name, pid_t pid);

}  // namespace vx
