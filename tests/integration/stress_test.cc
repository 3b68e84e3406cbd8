// Stress: many launches in a row leak nothing; pip runs and installs started together on one
// venv take turns and leave it consistent; a pip run killed at any point leaves no process and
// a consistent bin/.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support.h"

namespace vx::test {
namespace {

// A local package with one console script NAME that prints NAME, in DIR/NAME.
std::string write_package(const TempProject& p, const std::string& dir, const std::string& name) {
  std::string src = dir + "/" + name;
  EXPECT_EQ(run({"/bin/mkdir", "-p", src + "/" + name}, base_env(p), p.root).status, 0);
  write_file(src + "/" + name + "/__init__.py", "def main():\n    print('" + name + "')\n");
  write_file(src + "/setup.py", "from setuptools import setup\nsetup(name='" + name +
                                    "', version='1.0', packages=['" + name +
                                    "'], entry_points={'console_scripts': ['" + name + "=" + name +
                                    ":main']})\n");
  return src;
}

std::vector<std::string> pip_install_args(const TempProject& p, const std::string& src) {
  return {p.venv + "/bin/pip",
          "install",
          "-q",
          "--no-index",
          "--no-build-isolation",
          "--disable-pip-version-check",
          "--force-reinstall",
          "--no-deps",
          src};
}

// Every process whose command line holds `marker` has gone. The kernel tears a pid namespace
// down asynchronously after its init dies, so this waits a bounded time for it.
std::vector<pid_t> lingering(const std::string& marker) {
  std::vector<pid_t> left;
  for (int i = 0; i < 500; ++i) {
    left = processes_with_arg(marker);
    if (left.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return left;
}

int count_entries(const std::string& root) {
  RunResult r = run({"/bin/sh", "-c", "find . | wc -l"}, {"PATH=/usr/bin:/bin"}, root);
  return std::stoi(r.out);
}

TEST(Stress, AThousandLaunchesInARowLeakNoDescriptorProcessMountOrFile) {
  TempProject p = make_project(true);
  std::string marker = unique_token("vx-stress-");
  // What the program inherits: the three standard descriptors and nothing else (3 is the
  // listing's own). The control: a descriptor left open without FD_CLOEXEC reaches a host child.
  int stray = open("/dev/null", O_RDONLY);
  ASSERT_GE(stray, 0);
  std::vector<std::string> list_fds = {"/bin/sh", "-c", "cd /proc/self/fd && echo *", marker};
  std::string host = run(list_fds, base_env(p), p.project).out;
  EXPECT_NE((" " + host).find(" " + std::to_string(stray) + " "), std::string::npos) << host;
  RunResult fds = run_launcher(p, list_fds);
  ASSERT_EQ(fds.out, "0 1 2 3\n") << fds.err;
  size_t fds_before = dir_names("/proc/self/fd").size();
  std::string mounts_before = read_file("/proc/self/mountinfo");
  int files_before = count_entries(p.root);
  for (int i = 0; i < 1000; ++i) {
    RunResult r = run_launcher(p, {"/bin/true", marker});
    ASSERT_EQ(r.status, 0) << "launch " << i << ": " << r.err;
    ASSERT_EQ(r.err, "") << "launch " << i;
  }
  EXPECT_EQ(lingering(marker), std::vector<pid_t>{});
  EXPECT_EQ(dir_names("/proc/self/fd").size(), fds_before);
  EXPECT_EQ(read_file("/proc/self/mountinfo"), mounts_before);
  EXPECT_EQ(count_entries(p.root), files_before);
  fds = run_launcher(p, list_fds);
  EXPECT_EQ(fds.out, "0 1 2 3\n") << fds.err;
  close(stray);
}

TEST(Stress, EightPipRunsAndInstallsStartedTogetherTakeTurns) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string script;
  for (int k = 0; k < 4; ++k) {
    std::string name = "vxpar" + std::to_string(k);
    std::string src = write_package(p, p.project, name);
    std::string pip;
    for (const auto& w : pip_install_args(p, src)) pip += "'" + w + "' ";
    script += "(" + pip + ">../out.pip" + std::to_string(k) + " 2>&1; echo $? >../rc.pip" +
              std::to_string(k) + ") &\n";
    script += "(\"$VX\" install '" + p.venv + "' >../out.install" + std::to_string(k) +
              " 2>&1; echo $? >../rc.install" + std::to_string(k) + ") &\n";
  }
  std::vector<std::string> env = base_env(p);
  env.push_back("VX=" + launcher_path());
  ASSERT_EQ(run({"/bin/sh", "-c", script + "wait"}, env, p.project).status, 0);
  bool waited = false;
  for (const char* what : {"pip", "install"}) {
    for (int k = 0; k < 4; ++k) {
      std::string n = std::string(what) + std::to_string(k);
      std::string out = read_file(p.root + "/out." + n);
      EXPECT_EQ(read_file(p.root + "/rc." + n), "0\n") << n << ": " << out;
      waited = waited || out.find(
                             "venv-exec: warning: waiting for another pip run, install or "
                             "uninstall on " +
                             p.venv) != std::string::npos;
    }
  }
  // The control: the runs did overlap, and the later ones waited for the lock.
  EXPECT_TRUE(waited);
  EXPECT_EQ(bin_violations(p.venv), "");
  for (int k = 0; k < 4; ++k) {
    std::string name = "vxpar" + std::to_string(k);
    RunResult r = run({p.venv + "/bin/" + name}, base_env(p), p.project);
    EXPECT_EQ(r.out, name + "\n") << r.err;
  }
  for (const auto& n : dir_names(p.venv + "/venv-exec")) EXPECT_FALSE(n.starts_with("staging."));
}

pid_t start(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
            const std::string& cwd) {
  std::vector<std::string> argv = argv_in, env = env_in;
  std::vector<char*> a, e;
  for (auto& s : argv) a.push_back(s.data());
  for (auto& s : env) e.push_back(s.data());
  a.push_back(nullptr);
  e.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    if (chdir(cwd.c_str()) == 0) execve(a[0], a.data(), e.data());
    _exit(127);
  }
  return pid;
}

TEST(Stress, PipKilledAtAnyPointLeavesNoProcessAndAConsistentBin) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string marker = unique_token("vxkill");
  std::string src = write_package(p, p.project + "/" + marker, "vxkill");
  int staged = 0;
  for (int round = 0; round < 12; ++round) {
    pid_t pid = start(pip_install_args(p, src), base_env(p), p.project);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(150 * round));
    kill(pid, SIGKILL);
    wait_status(pid);
    // A staging dir left behind shows the kill landed while pip ran (the positive control).
    for (const auto& n : dir_names(p.venv + "/venv-exec")) staged += n.starts_with("staging.");
    EXPECT_EQ(lingering(marker), std::vector<pid_t>{}) << "after a kill at round " << round;
    ASSERT_EQ(bin_violations(p.venv), "") << "after a kill at round " << round;
    RunResult py = run({p.venv + "/bin/python", "-c", "print(1)"}, base_env(p), p.project);
    EXPECT_EQ(py.out, "1\n") << py.err;
    if (exists(p.venv + "/bin/vxkill")) {
      RunResult r = run({p.venv + "/bin/vxkill"}, base_env(p), p.project);
      EXPECT_EQ(r.out, "vxkill\n") << "after a kill at round " << round << ": " << r.err;
    }
  }
  EXPECT_GE(staged, 1) << "no kill landed while pip ran";
  RunResult last = run(pip_install_args(p, src), base_env(p), p.project);
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_EQ(run({p.venv + "/bin/vxkill"}, base_env(p), p.project).out, "vxkill\n");
  EXPECT_EQ(bin_violations(p.venv), "");
  for (const auto& n : dir_names(p.venv + "/venv-exec")) EXPECT_FALSE(n.starts_with("staging."));
}

}  // namespace
}  // namespace vx::test
