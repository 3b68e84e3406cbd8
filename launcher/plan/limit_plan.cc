// plan_limits(): which mechanism enforces --memory, --pids and --cpus on this host. Pure.
#include <sys/resource.h>

#include <algorithm>

#include "plan/limits.h"

namespace vx {

namespace {

constexpr uint64_t kCpuPeriodUs = 100000;

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

uint64_t cpu_quota_us(double cpus) {
  return static_cast<uint64_t>(cpus * static_cast<double>(kCpuPeriodUs) + 0.5);  // no libm
}

// The launcher moves itself into the run's cgroup before it clones pid 1 (so nothing of the
// sandbox ever runs outside it); pids.max counts the launcher too, hence the + 1.
void plan_cgroup2(const LimitOptions& o, const LimitFacts& f, LimitPlan& p) {
  const std::string& dir = f.cgroup2_parent;
  p.mechanism = LimitMechanism::kCgroup2;
  p.cgroups = {{dir, f.cgroup2_home}};
  p.memory_parent = p.pids_parent = dir;
  if (o.memory) {
    p.cgroup_settings.push_back({dir, "memory.max", std::to_string(*o.memory)});
    // Swap would let the job exceed --memory; absent when swap accounting is off.
    p.cgroup_settings.push_back({dir, "memory.swap.max", "0", true});
  }
  if (o.pids) p.cgroup_settings.push_back({dir, "pids.max", std::to_string(*o.pids + 1)});
  if (o.cpus)
    p.cgroup_settings.push_back(
        {dir, "cpu.max",
         std::to_string(cpu_quota_us(*o.cpus)) + " " + std::to_string(kCpuPeriodUs)});
}

void plan_cgroup1(const LimitOptions& o, const LimitFacts& f, LimitPlan& p) {
  p.mechanism = LimitMechanism::kCgroup1;
  // A v1 parent is the caller's own cgroup in that hierarchy; hierarchies may be shared
  // (cpu,cpuacct), so a directory is listed once.
  auto parent = [&](const std::string& dir) {
    for (const auto& place : p.cgroups)
      if (place.parent == dir) return;
    p.cgroups.push_back({dir, dir});
  };
  if (o.memory) {
    parent(f.cgroup1_memory);
    p.memory_parent = f.cgroup1_memory;
    std::string bytes = std::to_string(*o.memory);
    p.cgroup_settings.push_back({f.cgroup1_memory, "memory.limit_in_bytes", bytes});
    // memory+swap, after the memory limit (the kernel keeps memsw >= memory).
    p.cgroup_settings.push_back({f.cgroup1_memory, "memory.memsw.limit_in_bytes", bytes, true});
  }
  if (o.pids) {
    parent(f.cgroup1_pids);
    p.pids_parent = f.cgroup1_pids;
    p.cgroup_settings.push_back({f.cgroup1_pids, "pids.max", std::to_string(*o.pids + 1)});
  }
  if (o.cpus) {
    parent(f.cgroup1_cpu);
    p.cgroup_settings.push_back({f.cgroup1_cpu, "cpu.cfs_period_us", std::to_string(kCpuPeriodUs)});
    p.cgroup_settings.push_back(
        {f.cgroup1_cpu, "cpu.cfs_quota_us", std::to_string(cpu_quota_us(*o.cpus))});
  }
}

Expected<void> plan_rlimits(const LimitOptions& o, const LimitFacts& f, LimitPlan& p) {
  const std::string hint =
      "run as a user with a delegated cgroup v2 subtree (systemd-run --user --scope -p "
      "Delegate=yes ...), or drop the option; see venv-exec check";
  p.mechanism = LimitMechanism::kRlimits;
  std::vector<std::string> approx;
  if (o.memory) {
    // RLIMIT_DATA (private writable memory, Linux >= 4.7) rather than RLIMIT_AS: Python's
    // thread stacks and malloc arenas reserve address space they never use.
    p.rlimits.push_back({RLIMIT_DATA, *o.memory});
    approx.push_back("--memory as RLIMIT_DATA per process");
  }
  if (o.pids) {
    if (f.uid == 0)
      return fail(Error::make("enforce --pids",
                              "no writable cgroup, and RLIMIT_NPROC does not "
                              "bind the root user",
                              hint));
    // Set by pid 1 inside the sandbox's user namespace, where the kernel counts only the
    // sandbox's processes (per-namespace rlimit counts, Linux >= 5.14).
    p.rlimits.push_back({RLIMIT_NPROC, *o.pids});
  }
  if (o.cpus) {
    if (p.timeout_ms == 0)
      return fail(Error::make("enforce --cpus",
                              "no writable cgroup, and without --timeout "
                              "there is no CPU-time budget to give RLIMIT_CPU",
                              hint + "; or add --timeout"));
    double seconds = *o.cpus * static_cast<double>(p.timeout_ms) / 1000.0;
    uint64_t whole = static_cast<uint64_t>(seconds);  // rounded up below without libm's ceil
    uint64_t budget = std::max<uint64_t>(1, static_cast<double>(whole) < seconds ? whole + 1 : whole);
    p.rlimits.push_back({RLIMIT_CPU, budget});
    approx.push_back("--cpus as RLIMIT_CPU of " + std::to_string(budget) +
                     " s per process (--cpus x --timeout)");
  }
  for (const auto& a : approx) p.approximate += (p.approximate.empty() ? "" : ", ") + a;
  return {};
}

const char* rlimit_name(int resource) {
  switch (resource) {
    case RLIMIT_DATA:
      return "RLIMIT_DATA";
    case RLIMIT_NPROC:
      return "RLIMIT_NPROC";
    case RLIMIT_CPU:
      return "RLIMIT_CPU";
    case RLIMIT_NOFILE:
      return "RLIMIT_NOFILE";
    default:
      return "RLIMIT_?";
  }
}

}  // namespace

const char* mechanism_name(LimitMechanism m) {
  switch (m) {
    case LimitMechanism::kNone:
      return "none";
    case LimitMechanism::kCgroup2:
      return "cgroup2";
    case LimitMechanism::kCgroup1:
      return "cgroup1";
    case LimitMechanism::kRlimits:
      return "rlimits";
  }
  return "none";
}

bool wants_cgroup(const LimitOptions& o) { return o.memory || o.pids || o.cpus; }

Expected<LimitPlan> plan_limits(const LimitOptions& o, const LimitFacts& f) {
  LimitPlan p;
  p.timeout_ms = o.timeout_ms.value_or(0);
  p.kill_after_ms = o.kill_after_ms.value_or(kDefaultKillAfterMs);
  p.tmpfs_size = o.tmpfs_size.value_or(0);
  if (o.nofile) p.rlimits.push_back({RLIMIT_NOFILE, *o.nofile});
  if (!wants_cgroup(o)) {
    p.mechanism = o.nofile ? LimitMechanism::kRlimits : LimitMechanism::kNone;
    return p;
  }
  std::vector<std::string> needed;
  if (o.memory) needed.push_back("memory");
  if (o.pids) needed.push_back("pids");
  if (o.cpus) needed.push_back("cpu");
  bool v2 = !f.cgroup2_parent.empty() &&
            std::all_of(needed.begin(), needed.end(),
                        [&](const std::string& c) { return has(f.cgroup2_controllers, c); });
  bool v1 = (!o.memory || !f.cgroup1_memory.empty()) && (!o.pids || !f.cgroup1_pids.empty()) &&
            (!o.cpus || !f.cgroup1_cpu.empty());
  if (v2) {
    plan_cgroup2(o, f, p);
  } else if (v1) {
    plan_cgroup1(o, f, p);
  } else {
    TRY(plan_rlimits(o, f, p));
  }
  return p;
}

std::string describe_limit_facts(const LimitFacts& f) {
  std::string out;
  if (!f.cgroup2_parent.empty()) {
    out = "cgroup2 at " + f.cgroup2_parent + " (controllers:";
    for (const auto& c : f.cgroup2_controllers) out += " " + c;
    out += ")";
  }
  std::string v1;
  if (!f.cgroup1_memory.empty()) v1 += " memory";
  if (!f.cgroup1_pids.empty()) v1 += " pids";
  if (!f.cgroup1_cpu.empty()) v1 += " cpu";
  if (!v1.empty()) out += (out.empty() ? "" : "; ") + std::string("cgroup1 (writable:") + v1 + ")";
  if (!out.empty()) return out;
  return std::string("rlimits (no writable cgroup") +
         (f.uid == 0 ? "; --pids cannot be enforced for root)" : ")");
}

std::string format_limit_plan(const LimitPlan& p) {
  std::string out = std::string("limits: ") + mechanism_name(p.mechanism);
  if (p.timeout_ms)
    out += "; timeout " + format_duration_ms(p.timeout_ms) + ", kill after " +
           format_duration_ms(p.kill_after_ms);
  if (p.tmpfs_size) out += "; tmpfs size=" + std::to_string(p.tmpfs_size);
  out += "\n";
  for (const auto& s : p.cgroup_settings)
    out += "  cgroup " + s.hierarchy + "/<run>/" + s.file + " = " + s.value + "\n";
  for (const auto& r : p.rlimits)
    out += "  " + std::string(rlimit_name(r.resource)) + " = " + std::to_string(r.value) + "\n";
  return out;
}

}  // namespace vx
