// The CI job runner's limits, for real: each limit stops a program that exceeds it, and the
// status JSON says so. As root this machine enforces memory and pids with cgroups (v1 here);
// as uid 65534 with rlimits. The only time bounds are generous ones that prove a kill happened.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>

#include "support.h"

namespace vx::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kLauncherFailed = 125;

// A field of the status JSON, as Python's json module reads it (None for null).
std::string field(const std::string& status_file, const std::string& key) {
  RunResult r = run({"/usr/bin/python3", "-c",
                     "import json, sys\n"
                     "v = json.load(open(sys.argv[1]))[sys.argv[2]]\n"
                     "print(json.dumps(v) if isinstance(v, list) else v)\n",
                     status_file, key},
                    {"PATH=/usr/bin:/bin"}, "/");
  EXPECT_EQ(r.status, 0) << r.err;
  return r.out.empty() ? r.out : r.out.substr(0, r.out.size() - 1);
}

void expect_valid_json(const std::string& status_file) {
  RunResult r =
      run({"/usr/bin/python3", "-m", "json.tool", status_file}, {"PATH=/usr/bin:/bin"}, "/");
  EXPECT_EQ(r.status, 0) << r.err << read_file(status_file);
}

bool cgroup_mechanism(const std::string& mechanism) {
  return mechanism == "cgroup1" || mechanism == "cgroup2";
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

TEST(Limits, TimeoutEndsSleepWith124AndSaysSo) {
  TempProject p = make_project(true);
  std::string status = p.root + "/status.json";
  auto start = Clock::now();
  RunResult r = run_launcher(p, {"--timeout", "1s", "--status-json", status, "/bin/sleep", "60"});
  EXPECT_LT(seconds_since(start), 30);  // far below the 60 s sleep: it was killed
  EXPECT_EQ(r.status, 124) << r.err;
  EXPECT_NE(r.err.find("venv-exec: --timeout 1s: time is up"), std::string::npos) << r.err;
  expect_valid_json(status);
  EXPECT_EQ(field(status, "exit_code"), "124");
  EXPECT_EQ(field(status, "signal"), "15");  // sleep died of the SIGTERM
  EXPECT_EQ(field(status, "limit"), "timeout");
  EXPECT_EQ(field(status, "venv"), p.venv);
  EXPECT_EQ(field(status, "command"), "[\"/bin/sleep\", \"60\"]");
  for (const char* time : {"wall_seconds", "user_seconds", "system_seconds"})
    EXPECT_GE(std::stod(field(status, time)), 0.0) << time;
}

TEST(Limits, LimitsStoredAtInstallApplyToEntrypoints) {
  TempProject p = make_project(true);
  RunResult install = run_launcher(p, {"install", p.venv, "--timeout", "1s", "--nofile", "30"});
  ASSERT_EQ(install.status, 0) << install.err;
  RunResult r = run({p.venv + "/bin/python", "-c",
                     "import resource, time\n"
                     "print(resource.getrlimit(resource.RLIMIT_NOFILE), flush=True)\n"
                     "time.sleep(60)\n"},
                    base_env(p), p.project);
  EXPECT_EQ(r.status, 124) << r.err;
  EXPECT_EQ(r.out, "(30, 30)\n");
}

TEST(Limits, SigtermReachesEveryProcessNotOnlyTheProgram) {
  TempProject p = make_project(true);
  // Program and child both record the SIGTERM they get; the child is no process the launcher
  // or pid 1 knows as "the program".
  RunResult r = run_launcher(
      p, {"--timeout", "5s", "--kill-after", "20s", "/usr/bin/python3", "-c",
          "import os, signal, time\n"
          "child = 0\n"
          "def term(sig, frame):\n"
          "    open('term-%d' % os.getpid(), 'w').close()\n"
          "    if child:\n"
          "        os.waitpid(child, 0)\n"  // its own SIGTERM, not the teardown, ends it
          "    os._exit(0)\n"
          "signal.signal(signal.SIGTERM, term)\n"
          "child = os.fork()\n"
          "while True:\n"
          "    time.sleep(0.05)\n"});
  EXPECT_EQ(r.status, 124) << r.err;
  RunResult seen = run({"/bin/sh", "-c", "ls term-* | wc -l"}, {"PATH=/usr/bin:/bin"}, p.project);
  EXPECT_EQ(seen.out, "2\n");
}

TEST(Limits, ChildIgnoringSigtermIsKilledAfterKillAfter) {
  TempProject p = make_project(true);
  std::string status = p.root + "/status.json";
  auto start = Clock::now();
  RunResult r = run_launcher(p, {"--timeout", "1s", "--kill-after", "1s", "--status-json", status,
                                 "/bin/sh", "-c", "trap '' TERM; /bin/sleep 60; echo survived"});
  EXPECT_LT(seconds_since(start), 30);
  EXPECT_EQ(r.status, 124) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(field(status, "signal"), "9");  // SIGTERM ignored: SIGKILL ended it
  EXPECT_EQ(field(status, "limit"), "timeout");
}

TEST(Limits, ForkBombStopsAtPidsAndTheHostStillForks) {
  TempProject p = make_project(true);
  std::string status = p.root + "/status.json";
  // Children block on a pipe until the bomb dies; the bomb reports how many it got, then waits.
  Background bg =
      start_launcher(p, {"--pids", "20", "--status-json", status, "/usr/bin/python3", "-c",
                         "import os, sys, time\n"
                         "r, w = os.pipe()\n"
                         "n = 0\n"
                         "while n < 1000:\n"
                         "    try:\n"
                         "        pid = os.fork()\n"
                         "    except BlockingIOError:\n"
                         "        break\n"
                         "    if pid == 0:\n"
                         "        os.close(w)\n"
                         "        os.read(r, 1)\n"
                         "        os._exit(0)\n"
                         "    n += 1\n"
                         "print('full', n, flush=True)\n"
                         "time.sleep(600)\n"});
  std::string line = read_line(bg.out_fd);
  ASSERT_TRUE(line.starts_with("full ")) << line;
  int children = std::stoi(line.substr(5));
  EXPECT_GT(children, 0);
  EXPECT_LE(children, 18);  // pid 1 and the bomb count too
  // While the sandbox is at its limit, the same user on the host is not.
  RunResult host = run({"/bin/sh", "-c", "/bin/true & wait; echo forked"}, {"PATH=/bin"}, "/");
  EXPECT_EQ(host.out, "forked\n");
  kill(bg.pid, SIGTERM);
  wait_status(bg.pid);
  close(bg.out_fd);
  expect_valid_json(status);
  std::string mechanism = field(status, "mechanism");
  if (geteuid() == 0) {
    EXPECT_TRUE(cgroup_mechanism(mechanism)) << mechanism;
  }
  // Only a cgroup counts refused forks; RLIMIT_NPROC leaves no trace to report.
  EXPECT_EQ(field(status, "limit"), cgroup_mechanism(mechanism) ? "pids" : "None");
}

TEST(Limits, AllocationLoopStopsAtMemory) {
  TempProject p = make_project(true);
  std::string status = p.root + "/status.json";
  RunResult r =
      run_launcher(p, {"--memory", "64M", "--status-json", status, "/usr/bin/python3", "-c",
                       "import sys\n"
                       "hoard = []\n"
                       "try:\n"
                       "    for _ in range(64):\n"
                       "        hoard.append(b'x' * (8 << 20))\n"  // touched pages
                       "except MemoryError:\n"
                       "    sys.exit(3)\n"
                       "print('allocated 512M')\n"});
  EXPECT_EQ(r.out, "");
  expect_valid_json(status);
  std::string mechanism = field(status, "mechanism");
  if (cgroup_mechanism(mechanism)) {
    EXPECT_EQ(r.status, 137) << r.err;  // the kernel's OOM killer
    EXPECT_EQ(field(status, "limit"), "memory");
  } else {
    EXPECT_EQ(mechanism, "rlimits");
    EXPECT_EQ(r.status, 3) << r.err;  // RLIMIT_DATA: malloc fails, Python raises MemoryError
    EXPECT_NE(r.err.find("RLIMIT_DATA per process"), std::string::npos) << r.err;
  }
  EXPECT_GT(std::stoull(field(status, "peak_memory_bytes")), 16ull << 20);
}

TEST(Limits, TmpfsSizeEndsWritesWithENOSPC) {
  TempProject p = make_project(true);
  for (const char* dir : {"/tmp", "/dev/shm"}) {
    RunResult r = run_launcher(p, {"--tmpfs-size", "8M", "/usr/bin/python3", "-c",
                                   "import errno, os, sys\n"
                                   "written = 0\n"
                                   "try:\n"
                                   "    with open(sys.argv[1] + '/fill', 'wb') as f:\n"
                                   "        while written < (64 << 20):\n"
                                   "            f.write(b'x' * (1 << 20))\n"
                                   "            f.flush()\n"
                                   "            written += 1 << 20\n"
                                   "except OSError as e:\n"
                                   "    print(errno.errorcode[e.errno], written <= (8 << 20))\n",
                                   dir});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "ENOSPC True\n") << dir;
  }
  // Positive control: without the option the same 64M fit.
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-c",
                                 "open('/tmp/fill', 'wb').write(b'x' * (64 << 20)); print('ok')"});
  EXPECT_EQ(r.out, "ok\n") << r.err;
}

TEST(Limits, NofileCapsOpenFiles) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"--nofile", "20", "/usr/bin/python3", "-c",
                                 "import resource\n"
                                 "print(resource.getrlimit(resource.RLIMIT_NOFILE))\n"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "(20, 20)\n");
}

TEST(Limits, CpusIsEnforcedOrRefusedNeverDropped) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"--cpus", "0.5", "--verbose", "/bin/sh", "-c", "echo ran"});
  if (geteuid() == 0) {
    // Root here writes the cpu controller's cgroup (v1 on this machine, v2 elsewhere).
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, "ran\n");
    bool v1 = r.err.find("cpu.cfs_quota_us = 50000") != std::string::npos;
    bool v2 = r.err.find("cpu.max = 50000 100000") != std::string::npos;
    EXPECT_TRUE(v1 || v2) << r.err;
  } else if (r.status == kLauncherFailed) {
    // No cgroup and no --timeout: no CPU-time budget to give RLIMIT_CPU, so no run at all.
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("enforce --cpus"), std::string::npos) << r.err;
    RunResult timed =
        run_launcher(p, {"--cpus", "0.5", "--timeout", "1m", "/usr/bin/python3", "-c",
                         "import resource; print(resource.getrlimit(resource.RLIMIT_CPU))"});
    EXPECT_EQ(timed.status, 0) << timed.err;
    EXPECT_EQ(timed.out, "(30, 30)\n");
    EXPECT_NE(timed.err.find("--cpus as RLIMIT_CPU of 30 s per process"), std::string::npos);
  } else {
    EXPECT_EQ(r.status, 0) << r.err;  // a delegated cgroup v2 subtree
  }
}

TEST(Limits, StatusFdGetsTheJsonAndAPlainRunSaysNoLimit) {
  TempProject p = make_project(true);
  std::string status = p.root + "/fd-status.json";
  RunResult r = run({"/bin/sh", "-c", "exec \"$0\" --status-fd 3 /bin/sh -c 'exit 7' 3>\"$1\"",
                     launcher_path(), status},
                    base_env(p), p.project);
  EXPECT_EQ(r.status, 7) << r.err;
  expect_valid_json(status);
  EXPECT_EQ(field(status, "exit_code"), "7");
  EXPECT_EQ(field(status, "signal"), "None");
  EXPECT_EQ(field(status, "limit"), "None");
  EXPECT_EQ(field(status, "mechanism"), "none");
}

TEST(Limits, UnenforceableOrBadLimitsStopBeforeAnythingRuns) {
  TempProject p = make_project(true);
  RunResult bad = run_launcher(p, {"--memory", "lots", "/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(bad.status, 125);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("--memory: 'lots' is not a size"), std::string::npos) << bad.err;
  RunResult dir = run_launcher(
      p, {"--status-json", p.root + "/no/such/dir/s.json", "/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(dir.status, 125);
  EXPECT_EQ(dir.out, "");
  RunResult fd = run_launcher(p, {"--status-fd", "97", "/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(fd.status, 125);
  EXPECT_EQ(fd.out, "");
}

}  // namespace
}  // namespace vx::test
