// Resource limits for CI jobs (SPEC §10): the options as a value, their units, and the choice of
// the mechanism that enforces them from probed facts. Pure: the facts are read by host/cgroup.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace vx {

// --timeout, --memory, ... as given (merged like the other options: later wins).
struct LimitOptions {
  std::optional<uint64_t> timeout_ms;      // 0: no timeout (as timeout(1) reads 0)
  std::optional<uint64_t> kill_after_ms;   // SIGKILL this long after the timeout's SIGTERM
  std::optional<uint64_t> memory;          // bytes
  std::optional<uint64_t> pids;            // processes and threads, pid 1 included
  std::optional<double> cpus;              // CPUs' worth of time per wall-clock second
  std::optional<uint64_t> tmpfs_size;      // bytes, per tmpfs
  std::optional<uint64_t> nofile;          // open files per process
  std::optional<std::string> status_json;  // file for the run's status
  std::optional<int> status_fd;            // descriptor for the run's status
  bool operator==(const LimitOptions&) const = default;
};

inline constexpr uint64_t kDefaultKillAfterMs = 10000;

// "512M", "2G", "1.5G", "4096" (bytes); K/M/G/T are powers of 1024, an optional B or iB follows.
std::optional<uint64_t> parse_size(const std::string& text);
// "90s", "10m", "1.5h", "250ms", "2d"; a bare number is seconds, as in timeout(1).
std::optional<uint64_t> parse_duration_ms(const std::string& text);
std::string format_duration_ms(uint64_t ms);  // "90s", "1500ms": parses back to the same value

// Applies one limit option (`name` as "--memory") to `limits`; an error message for a bad value.
std::optional<std::string> apply_limit_option(LimitOptions& limits, const std::string& name,
                                              const std::string& value);
void merge_limits(LimitOptions& base, const LimitOptions& later);
// The arguments that parse back to `limits` (the install-time defaults are stored this way).
std::vector<std::string> format_limits(const LimitOptions& limits);

// What the host offers for enforcing memory, pids and cpus; gathered by host/cgroup.
struct LimitFacts {
  // cgroup v2: a directory in which a child cgroup can be created, entered and left by this
  // user, with these controllers enabled for its children (cgroup.subtree_control).
  std::string cgroup2_parent;
  std::vector<std::string> cgroup2_controllers;
  std::string cgroup2_home;  // the caller's own cgroup (the parent or below it)
  // cgroup v1: per controller, the caller's own cgroup directory when this user can write it.
  std::string cgroup1_memory, cgroup1_pids, cgroup1_cpu;
  uid_t uid = 0;  // RLIMIT_NPROC does not bind the global root (fork(2) exempts uid 0)
  bool operator==(const LimitFacts&) const = default;
};

enum class LimitMechanism { kNone, kCgroup2, kCgroup1, kRlimits };
const char* mechanism_name(LimitMechanism m);  // "none", "cgroup2", "cgroup1", "rlimits"

struct Rlimit {
  int resource;  // RLIMIT_*
  uint64_t value;
  bool operator==(const Rlimit&) const = default;
};

// Where a run's cgroup is created (PARENT/venv-exec-PID), and the launcher's own cgroup in
// that hierarchy, where it returns before removing the run's.
struct CgroupPlace {
  std::string parent;
  std::string home;
  bool operator==(const CgroupPlace&) const = default;
};

// One control file written in a run's cgroup, relative to its directory in `hierarchy`
// (the `parent` of one of the plan's CgroupPlaces).
struct CgroupSetting {
  std::string hierarchy;
  std::string file;
  std::string value;
  bool optional = false;  // absent on some kernels (memory.swap.max without swap accounting)
  bool operator==(const CgroupSetting&) const = default;
};

// How a launch enforces its limits: all of it decided here, carried out by host/cgroup (the
// cgroup), pid 1 (rlimits, before the program starts) and the launcher (timeout).
struct LimitPlan {
  LimitMechanism mechanism = LimitMechanism::kNone;
  std::vector<CgroupPlace> cgroups;        // one per hierarchy (cgroup v1 has one per controller)
  std::string memory_parent, pids_parent;  // whose counters tell the peak and the limit hit
  std::vector<CgroupSetting> cgroup_settings;
  std::vector<Rlimit> rlimits;  // set by pid 1 inside the user namespace
  uint64_t timeout_ms = 0;      // 0: none
  uint64_t kill_after_ms = kDefaultKillAfterMs;
  uint64_t tmpfs_size = 0;  // 0: the kernel's default (half of RAM)
  std::string approximate;  // limits only approximated, for the one-line warning; "" if none
  bool operator==(const LimitPlan&) const = default;
};

// Best first: cgroup v2, cgroup v1, rlimits. A limit that none can enforce is an error (125).
Expected<LimitPlan> plan_limits(const LimitOptions& options, const LimitFacts& facts);

// Whether `options` asks for something only a cgroup does exactly (so the host is probed).
bool wants_cgroup(const LimitOptions& options);

// One line for --verbose and check: "cgroup1 (memory pids cpu at /sys/fs/cgroup/...)".
std::string describe_limit_facts(const LimitFacts& facts);
std::string format_limit_plan(const LimitPlan& plan);

}  // namespace vx
