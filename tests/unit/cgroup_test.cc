// host/cgroup against a temp directory tree that mimics cgroupfs: which cgroup the probe picks,
// the files a run's cgroup gets, the counters read back (memory.events oom_kill), the removal.
#include "host/cgroup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vx {
namespace {

namespace fs = std::filesystem;

struct FakeTree {
  std::string root;
  FakeTree() {
    char tmpl[] = "/tmp/vx-cgroup-test-XXXXXX";
    root = mkdtemp(tmpl);
  }
  ~FakeTree() { fs::remove_all(root); }
  // A cgroup directory with its cgroup.procs and cgroup.subtree_control ("\n" when empty, as
  // the kernel shows it).
  void cgroup(const std::string& rel, const std::string& subtree_control = "\n") {
    fs::create_directories(root + rel);
    put(rel + "/cgroup.procs", "");
    put(rel + "/cgroup.subtree_control", subtree_control);
  }
  void put(const std::string& rel, const std::string& text) const {
    std::ofstream(root + rel) << text;
  }
  std::string get(const std::string& rel) const {
    std::ifstream in(root + rel);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The kernel's part of rmdir: the control files vanish with the directory.
  void empty_control_files(const std::string& rel) const {
    for (const auto& e : fs::directory_iterator(root + rel)) fs::remove(e.path());
  }
};

std::string mountinfo_line(const std::string& point, const std::string& type,
                           const std::string& super) {
  return "30 25 0:26 / " + point + " rw,nosuid shared:4 - " + type + " cgroup " + super + "\n";
}

// A systemd user session: our scope holds processes, app.slice above it hands out controllers.
TEST(Cgroup, ProbeFindsTheDelegatedAncestorWithControllers) {
  FakeTree t;
  t.cgroup("/v2/user.slice/app.slice", "cpu memory pids\n");
  t.cgroup("/v2/user.slice/app.slice/term.scope");
  auto f = probe_limit_facts("0::/user.slice/app.slice/term.scope\n",
                             mountinfo_line(t.root + "/v2", "cgroup2", "rw"), 1000);
  EXPECT_EQ(f.cgroup2_parent, t.root + "/v2/user.slice/app.slice");
  EXPECT_EQ(f.cgroup2_home, t.root + "/v2/user.slice/app.slice/term.scope");
  EXPECT_EQ(f.cgroup2_controllers, (std::vector<std::string>{"cpu", "memory", "pids"}));
  EXPECT_EQ(f.uid, 1000u);
}

TEST(Cgroup, ProbeStopsWithoutControllersAndReadsV1Hierarchies) {
  FakeTree t;
  t.cgroup("/v2");
  t.cgroup("/memory/job");
  t.cgroup("/pids");
  std::string mounts = mountinfo_line(t.root + "/v2", "cgroup2", "rw") +
                       mountinfo_line(t.root + "/memory", "cgroup", "rw,memory") +
                       mountinfo_line(t.root + "/pids", "cgroup", "rw,pids") +
                       mountinfo_line(t.root + "/cpu\\040x", "cgroup", "rw,cpu,cpuacct");
  auto f = probe_limit_facts("4:memory:/job\n8:pids:/\n1:cpu,cpuacct:/\n0::/\n", mounts, 0);
  EXPECT_EQ(f.cgroup2_parent, "");
  EXPECT_EQ(f.cgroup1_memory, t.root + "/memory/job");
  EXPECT_EQ(f.cgroup1_pids, t.root + "/pids");
  EXPECT_EQ(f.cgroup1_cpu, "");  // "cpu x" (an escaped space) does not exist here
  t.cgroup("/cpu x");
  f = probe_limit_facts("1:cpu,cpuacct:/\n", mounts, 0);
  EXPECT_EQ(f.cgroup1_cpu, t.root + "/cpu x");
}

TEST(Cgroup, ProbeIgnoresWhatThisUserCannotWrite) {
  FakeTree t;
  t.cgroup("/v2", "memory pids\n");
  // No writable cgroup.procs (here: none at all, which holds for root too): no move possible.
  fs::remove(t.root + "/v2/cgroup.procs");
  auto f = probe_limit_facts("0::/\n", mountinfo_line(t.root + "/v2", "cgroup2", "rw"), 1000);
  EXPECT_EQ(f.cgroup2_parent, "");
  t.put("/v2/cgroup.procs", "");
  f = probe_limit_facts("0::/\n", mountinfo_line(t.root + "/v2", "cgroup2", "rw"), 1000);
  EXPECT_EQ(f.cgroup2_parent, t.root + "/v2");  // the positive control
}

TEST(Cgroup, RunCgroupGetsLimitsAndTheLauncherThenIsRemoved) {
  FakeTree t;
  t.cgroup("/v2/app.slice", "cpu memory pids\n");
  t.cgroup("/v2/app.slice/term.scope");
  LimitOptions o;
  o.memory = 256 << 20;
  o.pids = 30;
  o.cpus = 0.5;
  auto facts = probe_limit_facts("0::/app.slice/term.scope\n",
                                 mountinfo_line(t.root + "/v2", "cgroup2", "rw"), 1000);
  auto plan = plan_limits(o, facts);
  ASSERT_TRUE(plan.has_value());
  auto run = enter_run_cgroup(*plan, "venv-exec-42", 4242);
  ASSERT_TRUE(run.has_value()) << format_error(run.error());
  EXPECT_TRUE(run->active());
  std::string dir = "/v2/app.slice/venv-exec-42";
  EXPECT_EQ(t.get(dir + "/memory.max"), "268435456\n");
  EXPECT_EQ(t.get(dir + "/pids.max"), "31\n");
  EXPECT_EQ(t.get(dir + "/cpu.max"), "50000 100000\n");
  EXPECT_FALSE(fs::exists(t.root + dir + "/memory.swap.max"));  // optional, absent: skipped
  EXPECT_EQ(t.get(dir + "/cgroup.procs"), "4242\n");

  t.put(dir + "/memory.peak", "123456789\n");
  t.put(dir + "/memory.events", "low 0\nhigh 0\nmax 17\noom 1\noom_kill 1\noom_group_kill 0\n");
  t.put(dir + "/pids.events", "max 0\n");
  CgroupUsage u = run->usage();
  EXPECT_EQ(u.peak_memory, 123456789u);
  EXPECT_TRUE(u.oom_killed);
  EXPECT_FALSE(u.pids_refused);
  t.put(dir + "/memory.events", "oom 0\noom_kill 0\n");
  t.put(dir + "/pids.events", "max 3\n");
  u = run->usage();
  EXPECT_FALSE(u.oom_killed);
  EXPECT_TRUE(u.pids_refused);

  t.empty_control_files(dir);
  ASSERT_TRUE(run->leave().has_value());
  EXPECT_FALSE(run->active());
  EXPECT_FALSE(fs::exists(t.root + dir));
  EXPECT_EQ(t.get("/v2/app.slice/term.scope/cgroup.procs"), "4242\n");  // moved back home
}

TEST(Cgroup, V1CountersAndAFailedCreateLeavesNothing) {
  FakeTree t;
  t.cgroup("/memory");
  LimitOptions o;
  o.memory = 1 << 20;
  LimitFacts f;
  f.cgroup1_memory = t.root + "/memory";
  auto plan = plan_limits(o, f);
  ASSERT_TRUE(plan.has_value());
  {
    auto run = enter_run_cgroup(*plan, "r", 7);
    ASSERT_TRUE(run.has_value()) << format_error(run.error());
    EXPECT_EQ(t.get("/memory/r/memory.limit_in_bytes"), "1048576\n");
    t.put("/memory/r/memory.max_usage_in_bytes", "2048\n");
    t.put("/memory/r/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
    CgroupUsage u = run->usage();
    EXPECT_EQ(u.peak_memory, 2048u);
    EXPECT_TRUE(u.oom_killed);
    t.empty_control_files("/memory/r");
  }  // the destructor leaves and removes it
  EXPECT_FALSE(fs::exists(t.root + "/memory/r"));
  // A name already taken: an error, and the existing directory is left alone.
  t.cgroup("/memory/taken");
  auto clash = enter_run_cgroup(*plan, "taken", 7);
  ASSERT_FALSE(clash.has_value());
  EXPECT_TRUE(fs::exists(t.root + "/memory/taken/cgroup.procs"));
}

}  // namespace
}  // namespace vx
