#include "host/cgroup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <utility>

#include "base/fd.h"
#include "base/path.h"
#include "host/file_read.h"

namespace vx {

namespace {

struct CgroupMount {
  std::string root;   // the mount's root within the hierarchy (not "/" in a cgroup namespace)
  std::string point;  // where it is mounted
  std::string fstype;
  std::vector<std::string> options;  // super options: rw, memory, pids, cpu, ...
};

// Mount points in mountinfo escape space, tab, newline and backslash as \ooo (proc(5)).
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<CgroupMount> cgroup_mounts(const std::string& mountinfo) {
  std::vector<CgroupMount> out;
  std::istringstream lines(mountinfo);
  std::string line;
  while (std::getline(lines, line)) {
    size_t dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto before = split(line.substr(0, dash), ' ');
    auto after = split(line.substr(dash + 3), ' ');
    if (before.size() < 5 || after.size() < 3) continue;
    if (after[0] != "cgroup" && after[0] != "cgroup2") continue;
    out.push_back({unescape(before[3]), unescape(before[4]), after[0], split(after[2], ',')});
  }
  return out;
}

bool has(const std::vector<std::string>& list, const std::string& item) {
  for (const auto& x : list)
    if (x == item) return true;
  return false;
}

// The directory of cgroup `path` under `m`.
std::string dir_of(const CgroupMount& m, const std::string& path) {
  std::string rel = path;
  if (m.root != "/" && rel.starts_with(m.root)) rel = rel.substr(m.root.size());
  if (rel == "/") rel.clear();
  return m.point + rel;
}

// Creating a child and moving a process in or out need write access to the directory and to
// its cgroup.procs (cgroup-v2.rst, "Delegation Containment"; the same holds for v1 as root).
bool writable(const std::string& dir) {
  return access(dir.c_str(), W_OK) == 0 && access((dir + "/cgroup.procs").c_str(), W_OK) == 0;
}

void probe_cgroup2(const CgroupMount& m, const std::string& path, LimitFacts& f) {
  std::string home = dir_of(m, path);
  if (!writable(home)) return;
  // The nearest writable cgroup (ours or a delegated ancestor) that hands controllers to its
  // children: ours usually cannot, since a cgroup with processes distributes none.
  for (std::string dir = home;;) {
    if (!writable(dir)) return;
    std::istringstream words(read_kernel_file(dir + "/cgroup.subtree_control").value_or(""));
    std::vector<std::string> enabled;
    for (std::string c; words >> c;) enabled.push_back(c);
    if (!enabled.empty()) {
      f.cgroup2_parent = dir;
      f.cgroup2_controllers = enabled;
      f.cgroup2_home = home;
      return;
    }
    if (dir.size() <= m.point.size()) return;
    dir = dir.substr(0, dir.rfind('/'));
  }
}

std::optional<uint64_t> keyed(const std::string& text, const std::string& key) {
  std::istringstream lines(text);
  std::string k;
  uint64_t v;
  while (lines >> k >> v)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<uint64_t> number(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  try {
    return std::stoull(*text);
  } catch (...) {
    return std::nullopt;
  }
}

// O_CREAT changes nothing on cgroupfs, where the kernel made every control file together with
// the directory; it lets a plain directory tree stand in for cgroupfs in unit tests.
Expected<void> write_control(const std::string& path, const std::string& value) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd || !write_all(fd.get(), value + "\n"))
    return fail(Error::from_errno("write " + value + " to " + path));
  return {};
}

}  // namespace

LimitFacts probe_limit_facts(const std::string& self_cgroup, const std::string& mountinfo,
                             uid_t uid) {
  LimitFacts f;
  f.uid = uid;
  auto mounts = cgroup_mounts(mountinfo);
  std::istringstream lines(self_cgroup);
  std::string line;
  while (std::getline(lines, line)) {
    // "ID:CONTROLLERS:PATH"; cgroup v2 is "0::PATH".
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    auto controllers = split(line.substr(a + 1, b - a - 1), ',');
    std::string path = line.substr(b + 1);
    for (const auto& m : mounts) {
      if (controllers.empty() && m.fstype == "cgroup2") {
        probe_cgroup2(m, path, f);
        break;
      }
      if (m.fstype != "cgroup") continue;
      for (const auto& c : controllers) {
        if (!has(m.options, c) || !writable(dir_of(m, path))) continue;
        if (c == "memory") f.cgroup1_memory = dir_of(m, path);
        if (c == "pids") f.cgroup1_pids = dir_of(m, path);
        if (c == "cpu") f.cgroup1_cpu = dir_of(m, path);
      }
    }
  }
  return f;
}

LimitFacts probe_host_limit_facts(uid_t uid) {
  return probe_limit_facts(read_kernel_file("/proc/self/cgroup").value_or(""),
                           read_kernel_file("/proc/self/mountinfo").value_or(""), uid);
}

RunCgroup::RunCgroup(RunCgroup&& o) noexcept { *this = std::move(o); }

RunCgroup& RunCgroup::operator=(RunCgroup&& o) noexcept {
  if (this != &o) {
    mechanism_ = o.mechanism_;
    dirs_ = std::exchange(o.dirs_, {});
    homes_ = std::exchange(o.homes_, {});
    memory_dir_ = std::move(o.memory_dir_);
    pids_dir_ = std::move(o.pids_dir_);
    pid_ = o.pid_;
  }
  return *this;
}

RunCgroup::~RunCgroup() {
  if (auto r = leave(); !r) report(r.error());
}

CgroupUsage RunCgroup::usage() const {
  CgroupUsage u;
  bool v2 = mechanism_ == LimitMechanism::kCgroup2;
  if (!memory_dir_.empty()) {
    u.peak_memory = number(
        read_kernel_file(memory_dir_ + (v2 ? "/memory.peak" : "/memory.max_usage_in_bytes")));
    auto events = read_kernel_file(memory_dir_ + (v2 ? "/memory.events" : "/memory.oom_control"));
    u.oom_killed = keyed(events.value_or(""), "oom_kill").value_or(0) > 0;
  }
  if (!pids_dir_.empty()) {
    auto events = read_kernel_file(pids_dir_ + "/pids.events");
    u.pids_refused = keyed(events.value_or(""), "max").value_or(0) > 0;
  }
  return u;
}

Expected<void> RunCgroup::leave() {
  Expected<void> result;
  // Back to our own cgroup first: a cgroup with a process in it cannot be removed.
  for (size_t i = 0; i < dirs_.size(); ++i) {
    auto moved = write_control(homes_[i] + "/cgroup.procs", std::to_string(pid_));
    if (!moved && result) result = fail(moved.error());
    if (moved && rmdir(dirs_[i].c_str()) != 0 && result)
      result = fail(Error::from_errno("remove the run's cgroup " + dirs_[i]));
  }
  dirs_.clear();
  homes_.clear();
  return result;
}

Expected<RunCgroup> enter_run_cgroup(const LimitPlan& plan, const std::string& name, pid_t pid) {
  RunCgroup run;
  run.mechanism_ = plan.mechanism;
  run.pid_ = pid;
  for (const auto& place : plan.cgroups) {
    std::string dir = place.parent + "/" + name;
    if (mkdir(dir.c_str(), 0755) != 0)
      return fail(Error::from_errno("create the run's cgroup " + dir,
                                    "see venv-exec check for the cgroups this user can write"));
    // Registered before the limits are written: any failure below removes it again.
    run.dirs_.push_back(dir);
    run.homes_.push_back(place.home);
    if (place.parent == plan.memory_parent) run.memory_dir_ = dir;
    if (place.parent == plan.pids_parent) run.pids_dir_ = dir;
    for (const auto& s : plan.cgroup_settings) {
      if (s.hierarchy != place.parent) continue;
      std::string file = dir + "/" + s.file;
      if (s.optional && access(file.c_str(), F_OK) != 0) continue;
      TRY(write_control(file, s.value));
    }
  }
  // Limits first, then the move: the sandbox is cloned from this process and starts inside.
  for (const auto& dir : run.dirs_) TRY(write_control(dir + "/cgroup.procs", std::to_string(pid)));
  return run;
}

}  // namespace vx
