// The sandbox core, end to end through the built binary: what the program can see and do,
// exit codes, signals, stdin. Run as the invoking user and through as-nobody.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support.h"

namespace vx::test {
namespace {

TEST(Core, PlantedHomeKeyIsReadableOnHostButNotInside) {
  TempProject p = make_project(true);
  // Positive control: the host can read the key the test planted.
  ASSERT_EQ(read_file(p.secret_path), p.secret + "\n");
  RunResult r = run_launcher(p, {"/bin/cat", p.secret_path});
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.find(p.secret), std::string::npos);
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
}

TEST(Core, HostTmpMarkerIsInvisible) {
  TempProject p = make_project(true);
  std::string marker = "/tmp/" + unique_token("vx-marker-");
  write_file(marker, "host");
  ASSERT_TRUE(exists(marker));
  RunResult r =
      run_launcher(p, {"/bin/sh", "-c", "test -e " + marker + " && echo SEEN || echo ABSENT"});
  unlink(marker.c_str());
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ABSENT\n");
}

TEST(Core, FileWrittenInProjectPersists) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/bin/sh", "-c", "echo made-inside > result.txt"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(read_file(p.project + "/result.txt"), "made-inside\n");
}

TEST(Core, WritesIntoVenvAndGitFailWithEROFS) {
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/.git").c_str(), 0755), 0);
  // Positive control: both are writable on the host.
  write_file(p.venv + "/probe", "x");
  write_file(p.project + "/.git/probe", "x");
  ASSERT_EQ(unlink((p.venv + "/probe").c_str()) + unlink((p.project + "/.git/probe").c_str()), 0);
  RunResult r = run_launcher(p, {"python3", "-c",
                                 "import errno\n"
                                 "for path in ('.venv/evil', '.git/config', '.venv/bin/evil'):\n"
                                 "    try:\n"
                                 "        open(path, 'w')\n"
                                 "        print(path, 'WRITTEN')\n"
                                 "    except OSError as e:\n"
                                 "        print(path, errno.errorcode[e.errno])\n"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, ".venv/evil EROFS\n.git/config EROFS\n.venv/bin/evil EROFS\n");
  EXPECT_FALSE(exists(p.project + "/.git/config"));
}

TEST(Core, OnlyTheSandboxPidsAreVisible) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(
      p, {"python3", "-c",
          "import os; print(sorted(int(d) for d in os.listdir('/proc') if d.isdigit()), "
          "os.getpid())"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[1, 2] 2\n");
}

TEST(Core, ExitCodes) {
  TempProject p = make_project(true);
  EXPECT_EQ(run_launcher(p, {"/bin/true"}).status, 0);
  EXPECT_EQ(run_launcher(p, {"/bin/sh", "-c", "exit 7"}).status, 7);
  write_file(p.project + "/not-executable", "#!/bin/sh\n", 0644);
  RunResult not_exec = run_launcher(p, {p.project + "/not-executable"});
  EXPECT_EQ(not_exec.status, 126);
  EXPECT_NE(not_exec.err.find("venv-exec: run "), std::string::npos) << not_exec.err;
  RunResult missing = run_launcher(p, {"no-such-command-anywhere"});
  EXPECT_EQ(missing.status, 127);
  EXPECT_NE(missing.err.find("command not found"), std::string::npos) << missing.err;
  EXPECT_EQ(run_launcher(p, {"/bin/sh", "-c", "kill -TERM $$"}).status, 143);
}

TEST(Core, SigtermToLauncherReachesTrappingProgram) {
  TempProject p = make_project(true);
  // The handler writes with os.write: a SIGTERM that lands while print('ready') still holds
  // stdout's buffer lock would make print() in the handler raise (reentrant call).
  Background bg = start_launcher(p, {"python3", "-c",
                                     "import os, signal, sys, time\n"
                                     "def on_term(*_):\n"
                                     "    os.write(1, b'got-term\\n')\n"
                                     "    sys.exit(3)\n"
                                     "signal.signal(signal.SIGTERM, on_term)\n"
                                     "print('ready', flush=True)\n"
                                     "time.sleep(120)\n"});
  ASSERT_EQ(read_line(bg.out_fd), "ready");
  ASSERT_EQ(kill(bg.pid, SIGTERM), 0);
  EXPECT_EQ(read_line(bg.out_fd), "got-term");
  EXPECT_EQ(wait_status(bg.pid), 3);
  close(bg.out_fd);
}

TEST(Core, SigkillToLauncherLeavesNoSandboxProcess) {
  TempProject p = make_project(true);
  std::string token = unique_token("vx-orphan-");
  Background bg = start_launcher(p, {"/bin/sh", "-c", "sleep 1000 & echo ready; wait", token});
  ASSERT_EQ(read_line(bg.out_fd), "ready");
  // Positive control: the sandboxed process is visible from the host while the launcher lives.
  auto appear = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (processes_with_arg(token).empty() && std::chrono::steady_clock::now() < appear)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_FALSE(processes_with_arg(token).empty());
  ASSERT_EQ(kill(bg.pid, SIGKILL), 0);
  EXPECT_EQ(wait_status(bg.pid), 128 + SIGKILL);
  // The kernel tears the pid namespace down asynchronously: poll, bounded.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!processes_with_arg(token).empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(processes_with_arg(token).empty());
  close(bg.out_fd);
}

TEST(Core, StdinIsPiped) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"python3", "-c", "import sys; print(sys.stdin.read().upper())"},
                             {}, "piped text");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "PIPED TEXT\n");
}

TEST(Core, ProjectPathWithSpacesAndNonAscii) {
  TempProject p = make_project(true, "my proj é ünï");
  RunResult r = run_launcher(
      p,
      {"python3", "-c", "import os, sys; open('out', 'w').write(os.getcwd()); print(sys.prefix)"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, p.venv + "\n");
  EXPECT_EQ(read_file(p.project + "/out"), p.project);
}

TEST(Core, MissingNamedVenvIsExit125WithRemedy) {
  TempProject p = make_project(false);
  RunResult r = run_launcher(p, {"--venv", p.root + "/nope", "/bin/true"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.err, "venv-exec: find the venv named by --venv " + p.root +
                       "/nope: No such file or directory\n"
                       "venv-exec: hint: create it with 'python3 -m venv " +
                       p.root + "/nope' or name another with --venv\n");
}

TEST(Core, CallerSecretsDoNotReachTheProgram) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/usr/bin/env"}, {"AWS_SECRET_ACCESS_KEY=abc123", "LC_ALL=C"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  EXPECT_NE(r.out.find("LC_ALL=C\n"), std::string::npos);
  EXPECT_NE(r.out.find("VIRTUAL_ENV=" + p.venv + "\n"), std::string::npos);
  EXPECT_NE(r.out.find("PATH=" + p.venv + "/bin:"), std::string::npos);
}

TEST(Core, VerbosePrintsPlanAndArgvOnStderr) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"--verbose", "/bin/true"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("namespaces: user mount pid ipc uts cgroup\n"), std::string::npos);
  EXPECT_NE(r.err.find("  bind " + p.project + " " + p.project + "\n"), std::string::npos);
  EXPECT_NE(r.err.find("argv: '/bin/true'\n"), std::string::npos);
}

TEST(Core, VersionNamesTheReleaseAndTheCommit) {
  TempProject p = make_project(false);
  RunResult r = run_launcher(p, {"--version"});
  EXPECT_EQ(r.status, 0);
  // "venv-exec 0.1.0 (DESCRIPTION)": git describe in a checkout, the version in a tarball.
  EXPECT_EQ(r.out.rfind("venv-exec ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" ("), std::string::npos) << r.out;
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out[r.out.size() - 2], ')') << r.out;
}

// The lines only, never their figures: timing belongs to the benchmark (STYLE §7).
TEST(Core, TimingPrintsEachPhaseOnStderrOnlyWhenAsked) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/bin/true"}, {"VENV_EXEC_TIMING=1"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  for (const char* phase : {"options", "venv", "plan", "clone", "maps", "pivot", "mounts",
                            "root-ro", "spawn", "caps", "seccomp", "exit"})
    EXPECT_NE(r.err.find("venv-exec: timing: " + std::string(phase) + " "), std::string::npos)
        << phase << "\n"
        << r.err;
  RunResult off = run_launcher(p, {"/bin/true"}, {"VENV_EXEC_TIMING=0"});
  ASSERT_EQ(off.status, 0) << off.err;
  EXPECT_EQ(off.err.find("timing"), std::string::npos) << off.err;
}

}  // namespace
}  // namespace vx::test
