// SPEC §3a: nothing a sandbox writes may steer, widen or stall a later host-side launch. Each
// probe plants what sandboxed code could plant (a venv with options, a forged view, libraries
// whose RUNPATH or NEEDED point at host directories, FIFOs, a leaked descriptor), shows that
// the attack's effect is real when the user asks for it or on the host (positive control), and
// then that the next launch neither trusts, exposes nor blocks on it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

#include "support.h"

namespace vx::test {
namespace {

std::string read_probe(const std::string& path) {
  return "attempt(lambda: open('" + path + "').read().strip())\n";
}

// The launcher run from `cwd` with the test's base environment.
RunResult run_in(const TempProject& p, const std::string& cwd, const std::vector<std::string>& args,
                 const std::vector<std::string>& extra_env = {}) {
  std::vector<std::string> argv = {launcher_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = base_env(p);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return run(argv, env, cwd);
}

// Builds a shared object from C source with extra link arguments; true on success.
bool build_so(const TempProject& p, const std::string& out, const std::string& source,
              const std::vector<std::string>& link_args) {
  std::string c = out + ".c";
  write_file(c, source);
  std::vector<std::string> argv = {"/usr/bin/cc", "-shared", "-fPIC", "-o", out, c};
  argv.insert(argv.end(), link_args.begin(), link_args.end());
  RunResult r = run(argv, base_env(p), p.root);
  if (r.status != 0) ADD_FAILURE() << r.err;
  unlink(c.c_str());
  return r.status == 0;
}

std::string site_packages(const TempProject& p) { return p.venv + "/lib/python3.11/site-packages"; }

TEST(Trust, PlantedVenvWithOptionsDoesNotWidenTheNextLaunch) {
  TempProject p = make_project(true);
  // What sandboxed code can do: make sub/.venv, wrapped-looking, with options that bind $HOME.
  RunResult plant = run_launcher(
      p, {"/bin/sh", "-c",
          "/usr/bin/python3 -m venv --without-pip sub/.venv && mkdir -p sub/.venv/venv-exec/real "
          "&& printf -- '--bind\\n" + p.home + "\\n/mnt/h\\n' > sub/.venv/venv-exec/options"});
  ASSERT_EQ(plant.status, 0) << plant.err;
  std::string sub = p.project + "/sub";
  std::string probe = "/usr/bin/python3";
  std::string code = std::string(kProbePrelude) + read_probe("/mnt/h/.ssh/id_ed25519");
  // Positive control: the same options given by the caller do expose the key.
  RunResult asked = run_in(p, sub, {"--bind", p.home, "/mnt/h", probe, "-c", code});
  EXPECT_EQ(asked.out, "OK " + p.secret + "\n") << asked.err;
  RunResult r = run_in(p, sub, {probe, "-c", code});
  EXPECT_EQ(r.out, "ERR ENOENT\n") << r.err;
  EXPECT_NE(r.err.find("is wrapped but not registered"), std::string::npos) << r.err;
}

TEST(Trust, ForgedViewInTheVenvIsNeverRead) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--profile", "minimal"}).status, 0);
  ASSERT_EQ(run_launcher(p, {"/bin/true"}).status, 0);
  RunResult view = run({"/bin/sh", "-c", "cat " + p.home + "/.local/state/venv-exec/venvs/*/view"},
                       base_env(p), p.project);
  ASSERT_NE(view.out.find("# venv-exec view"), std::string::npos) << view.err;
  // Where an earlier build kept the view, with the valid stamp and one more bind.
  write_file(p.venv + "/venv-exec/view", view.out + "ro-bind " + p.home + " /mnt/h\n");
  // Positive control: that line, as an option, shows the key.
  std::string probe = read_probe("/mnt/h/.ssh/id_ed25519");
  EXPECT_EQ(sandbox_probe(p, probe, {"--ro-bind", p.home, "/mnt/h"}).out, "OK " + p.secret + "\n");
  EXPECT_EQ(sandbox_probe(p, probe).out, "ERR ENOENT\n");
}

TEST(Trust, LibraryScanExposesNoHostDirectory) {
  TempProject p = make_project(true);
  // Three host directories a dependency could name: by RUNPATH, by an absolute NEEDED, and by
  // RUNPATH from a library left in VENV/cache (the sandbox's ~/.cache, writable at every run).
  std::vector<std::string> dirs = {p.home + "/by-runpath", p.home + "/by-needed",
                                   p.home + "/by-cache"};
  std::string code;
  for (const auto& d : dirs) {
    ASSERT_EQ(mkdir(d.c_str(), 0755), 0);
    write_file(d + "/secret.txt", p.secret + "\n");
    code += read_probe(d + "/secret.txt");
  }
  ASSERT_TRUE(build_so(p, dirs[0] + "/libvxr.so", "int r(void){return 1;}\n", {}));
  // Linked by path with no SONAME: NEEDED is the absolute path itself.
  ASSERT_TRUE(build_so(p, dirs[1] + "/libvxn.so", "int n(void){return 2;}\n", {}));
  ASSERT_TRUE(build_so(p, dirs[2] + "/libvxc.so", "int c(void){return 3;}\n", {}));
  ASSERT_TRUE(build_so(p, site_packages(p) + "/a.so", "int r(void);int a(void){return r();}\n",
                       {"-L" + dirs[0], "-lvxr", "-Wl,-rpath," + dirs[0], "-Wl,--enable-new-dtags"}));
  ASSERT_TRUE(build_so(p, site_packages(p) + "/b.so", "int n(void);int b(void){return n();}\n",
                       {dirs[1] + "/libvxn.so"}));
  ASSERT_EQ(mkdir((p.venv + "/cache").c_str(), 0700), 0);
  ASSERT_TRUE(build_so(p, p.venv + "/cache/c.so", "int c(void);int cc(void){return c();}\n",
                       {"-L" + dirs[2], "-lvxc", "-Wl,-rpath," + dirs[2]}));
  std::string expected_host, expected_sandbox;
  for (size_t i = 0; i < dirs.size(); ++i) {
    expected_host += "OK " + p.secret + "\n";
    expected_sandbox += "ERR ENOENT\n";
  }
  EXPECT_EQ(host_probe(p, code).out, expected_host);
  // Unregistered (the view computed at launch), then registered (computed at install, cached).
  RunResult r = sandbox_probe(p, code, {"--profile", "minimal"});
  EXPECT_EQ(r.out, expected_sandbox) << r.err;
  EXPECT_NE(r.err.find("--ro-bind " + dirs[0] + " " + dirs[0]), std::string::npos) << r.err;
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--profile", "minimal"}).status, 0);
  r = sandbox_probe(p, code);
  EXPECT_EQ(r.out, expected_sandbox) << r.err;
}

TEST(Trust, AFifoWhereALibraryIsLookedForDoesNotStallTheLauncher) {
  TempProject p = make_project(true);
  std::string dir = site_packages(p) + "/fifo";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  ASSERT_TRUE(build_so(p, dir + "/libvxf.so", "int f(void){return 1;}\n", {}));
  ASSERT_TRUE(build_so(p, site_packages(p) + "/f.so", "int f(void);int g(void){return f();}\n",
                       {"-L" + dir, "-lvxf", "-Wl,-rpath,$ORIGIN/fifo"}));
  ASSERT_EQ(unlink((dir + "/libvxf.so").c_str()), 0);
  ASSERT_EQ(mkfifo((dir + "/libvxf.so").c_str(), 0644), 0);
  // Positive control: a plain open of the FIFO blocks (timeout(1) ends it with 124).
  EXPECT_EQ(run({"/usr/bin/timeout", "1", "/bin/cat", dir + "/libvxf.so"}, base_env(p), p.root)
                .status,
            124);
  RunResult r = run({"/usr/bin/timeout", "60", launcher_path(), "--profile", "minimal", "/bin/true"},
                    base_env(p), p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  // A FIFO planted as the project's .env is neither read nor opened by the launcher or pid 1,
  // and does not stop the launch: it is ignored with a warning.
  ASSERT_EQ(mkfifo((p.project + "/.env").c_str(), 0644), 0);
  r = run({"/usr/bin/timeout", "60", launcher_path(), "/bin/true"}, base_env(p), p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find(".env is ignored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(p.project + "/.env is not a regular file"), std::string::npos) << r.err;
}

TEST(Trust, LeakedDescriptorDoesNotReachTheProgram) {
  TempProject p = make_project(true);
  // A caller (IDE, job runner) that leaks a directory descriptor of the home into the launcher.
  std::string driver =
      "import os, subprocess, sys\n"
      "fd = os.dup2(os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY), 77, inheritable=True)\n"
      "probe = \"import os, sys\\n"
      "try:\\n print(os.read(os.open('.ssh/id_ed25519', os.O_RDONLY, dir_fd=int(sys.argv[1])), 99)"
      ".decode().strip())\\n"
      "except OSError as e:\\n print('ERR', e.errno)\"\n"
      "cmd = sys.argv[2:] + ['/usr/bin/python3', '-c', probe, str(fd)]\n"
      "subprocess.run(cmd, close_fds=False)\n";
  auto drive = [&](const std::vector<std::string>& prefix) {
    std::vector<std::string> argv = {"/usr/bin/python3", "-c", driver, p.home};
    argv.insert(argv.end(), prefix.begin(), prefix.end());
    return run(argv, base_env(p), p.project);
  };
  // Positive control: without the sandbox, the program reads the key through the descriptor.
  EXPECT_EQ(drive({}).out, p.secret + "\n");
  RunResult r = drive({launcher_path()});
  EXPECT_EQ(r.out, "ERR 9\n") << r.err;  // EBADF: the descriptor is not there
}

TEST(Trust, PassFdPassesExactlyTheNamedDescriptor) {
  TempProject p = make_project(true);
  write_file(p.project + "/data.txt", "passed\n");
  RunResult r = run({"/bin/sh", "-c",
                     "exec 7<data.txt 8<data.txt; exec " + launcher_path() +
                         " --pass-fd 7 /bin/sh -c 'cat <&7; cat <&8 2>/dev/null || echo no-8'"},
                    base_env(p), p.project);
  EXPECT_EQ(r.out, "passed\nno-8\n") << r.err;
  r = run_launcher(p, {"--pass-fd", "9", "/bin/true"});
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("--pass-fd 9: that descriptor is not open"), std::string::npos) << r.err;
}

TEST(Trust, CallerPathIsNotPassedIn) {
  TempProject p = make_project(true);
  std::vector<std::string> env = base_env(p);
  env[0] = "PATH=" + p.home + "/bin:/usr/bin:/bin";
  RunResult host = run({"/bin/sh", "-c", "echo $PATH"}, env, p.project);
  EXPECT_NE(host.out.find(p.home + "/bin"), std::string::npos);
  RunResult r = run({launcher_path(), "/bin/sh", "-c", "echo $PATH"}, env, p.project);
  // VENV/bin, the link shim's directory (Opening links in the README), the system's.
  EXPECT_EQ(r.out, p.venv +
                       "/bin:/run/venv-exec/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:"
                       "/usr/sbin:/sbin\n")
      << r.err;
}

TEST(Trust, UnconfinedSocketFamiliesAreRefused) {
  TempProject p = make_project(true);
  // AF_VSOCK reaches the hypervisor, past every namespace. High bits in the 64-bit register are
  // ignored by the kernel (the domain is an int), so the filter must ignore them too.
  std::string code =
      "import ctypes, socket\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "def raw(domain, kind):\n"
      "    libc.syscall.restype = ctypes.c_long\n"
      "    fd = libc.syscall(41, ctypes.c_long(domain), ctypes.c_long(kind), ctypes.c_long(0))\n"
      "    return 'OK' if fd >= 0 else 'ERR ' + str(ctypes.get_errno())\n"
      "print(raw(40, 1), raw(40 | (1 << 32), 1), raw(1, 1), raw(2, 2), raw(10, 2))\n";
  RunResult host = run({"/usr/bin/python3", "-c", code}, base_env(p), p.project);
  ASSERT_EQ(host.out, "OK OK OK OK OK\n") << "the host has no AF_VSOCK: " << host.err;
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-c", code});
  EXPECT_EQ(r.out, "ERR 97 ERR 97 OK OK OK\n") << r.err;  // EAFNOSUPPORT
}

TEST(Trust, ProjectAtHomeOrRootIsRefused) {
  TempProject p = make_project(false);
  EXPECT_EQ(run_in(p, p.project, {"/bin/true"}).status, 0);
  for (const std::string& dir : {p.home, std::string("/")}) {
    RunResult r = run_in(p, dir, {"/bin/true"});
    EXPECT_EQ(r.status, 125) << dir;
    EXPECT_NE(r.err.find("the sandbox could write all of it"), std::string::npos) << r.err;
  }
}

TEST(Trust, PlantedPyvenvHomeDoesNotExposeAHostDirectory) {
  TempProject p = make_project(false);
  // A host directory holding an interpreter (pyenv, a tool's private Python) and a secret.
  std::string tools = p.home + "/tools";
  ASSERT_EQ(mkdir(tools.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((tools + "/bin").c_str(), 0755), 0);
  write_file(tools + "/bin/python3", read_file("/usr/bin/python3"), 0755);
  write_file(tools + "/secret.txt", p.secret + "\n");
  // The planted venv names it as its base interpreter's home.
  std::string venv = p.project + "/sub/.venv";
  ASSERT_EQ(mkdir((p.project + "/sub").c_str(), 0755), 0);
  ASSERT_EQ(mkdir(venv.c_str(), 0755), 0);
  write_file(venv + "/pyvenv.cfg", "home = " + tools + "/bin\nversion = 3.11.2\n");
  std::string sub = p.project + "/sub";
  RunResult asked = run_in(p, sub, {"--ro-bind", tools, tools, "/bin/cat", tools + "/secret.txt"});
  EXPECT_EQ(asked.out, p.secret + "\n") << asked.err;
  RunResult r = run_in(p, sub, {"/bin/cat", tools + "/secret.txt"});
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("is not exposed"), std::string::npos) << r.err;
}

TEST(Trust, TerminalEscapesInALibraryNameAreNotPrinted) {
  TempProject p = make_project(true);
  std::string dir = p.root + "/esc";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  std::string soname = "\x1b]0;pwned\x07libvxesc.so";
  ASSERT_TRUE(build_so(p, dir + "/libvxesc.so", "int e(void){return 1;}\n",
                       {"-Wl,-soname," + soname}));
  ASSERT_TRUE(build_so(p, site_packages(p) + "/e.so", "int e(void);int h(void){return e();}\n",
                       {dir + "/libvxesc.so"}));
  RunResult r = run_launcher(p, {"--profile", "minimal", "/bin/true"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("\\x1b]0;pwned\\x07libvxesc.so"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
}

TEST(Trust, StateDirectoryInsideTheProjectIsHidden) {
  TempProject p = make_project(true);
  std::vector<std::string> env = {"XDG_STATE_HOME=" + p.project + "/.state"};
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--unshare-net"}, env).status, 0);
  std::string state = p.project + "/.state/venv-exec";
  std::string code = "attempt(lambda: sorted(os.listdir('" + state + "')))\n" +
                     "attempt(lambda: open('" + state + "/registry', 'a').write('x'))\n";
  EXPECT_EQ(host_probe(p, "attempt(lambda: 'registry' in os.listdir('" + state + "'))\n").out,
            "OK True\n");
  std::string registry = read_file(state + "/registry");
  RunResult r = sandbox_probe(p, code, {}, env);
  // An empty private tmpfs: what is written there never reaches the host's state.
  EXPECT_EQ(r.out, "OK []\nOK 1\n") << r.err;
  EXPECT_EQ(read_file(state + "/registry"), registry);
}

// Found by review: a missing PT_INTERP spelled through "/usr/.." was trusted as a system path
// and the directory it led to was bound.
TEST(Trust, AnInterpreterPathThroughUsrDotDotExposesNothing) {
  TempProject p = make_project(true);
  std::string target = p.home + "/.ssh";
  EXPECT_EQ(host_probe(p, read_probe(p.secret_path)).out, "OK " + p.secret + "\n");
  ASSERT_TRUE(build_so(p, site_packages(p) + "/i.so",
                       "const char interp[] __attribute__((section(\".interp\"))) = \"/usr/.." +
                           target + "/x\";\nint i(void){return 1;}\n",
                       {}));
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--profile", "minimal"}).status, 0);
  RunResult r = sandbox_probe(p, read_probe(p.secret_path));
  EXPECT_EQ(r.out, "ERR ENOENT\n") << r.err;
}

// Found by review: another registered venv of the project was writable, so a run could replace
// its wrappers and get code run on the host.
TEST(Trust, OtherRegisteredVenvsOfTheProjectAreReadOnly) {
  TempProject p = make_project(true);
  std::string tools = p.project + "/tools/.venv";
  ASSERT_EQ(run({"/bin/mkdir", "-p", p.project + "/tools"}, base_env(p), p.root).status, 0);
  ASSERT_EQ(run({"/usr/bin/python3", "-m", "venv", "--without-pip", tools}, base_env(p), p.root)
                .status,
            0);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  ASSERT_EQ(run_launcher(p, {"install", tools}).status, 0);
  std::string code = "attempt(lambda: open('tools/notes.txt', 'w').write('x'))\n"
                     "attempt(lambda: open('tools/.venv/bin/activate', 'a').write('x'))\n"
                     "attempt(lambda: os.unlink('tools/.venv/bin/python3'))\n";
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.out, "OK 1\nERR EROFS\nERR EROFS\n") << r.err;
}

// Found by review: the state directory reached the project through a link (a dotfiles ~/.local).
TEST(Trust, StateDirectoryReachedThroughALinkIsHiddenToo) {
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/dotlocal").c_str(), 0755), 0);
  ASSERT_EQ(symlink((p.project + "/dotlocal").c_str(), (p.home + "/.local").c_str()), 0);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  std::string state = p.project + "/dotlocal/state/venv-exec";
  EXPECT_EQ(host_probe(p, "attempt(lambda: 'registry' in os.listdir('" + state + "'))\n").out,
            "OK True\n");
  RunResult r = sandbox_probe(p, "attempt(lambda: os.listdir('" + state + "'))\n");
  EXPECT_EQ(r.out, "OK []\n") << r.err;
}

// Found by review: a '$' in a path of the cached view made it unreadable, so every launch
// rescanned the venv; and a link the scan met inside the project was planned again.
TEST(Trust, CachedViewSurvivesDollarsAndProjectLinks) {
  TempProject p = make_project(true, "pro$ject");
  ASSERT_EQ(symlink("/usr/lib/x86_64-linux-gnu", (p.project + "/l$x").c_str()), 0);
  ASSERT_TRUE(build_so(p, site_packages(p) + "/z.so", "int zlibVersion(void);int z(void){return 1;}\n",
                       {"-L/usr/lib/x86_64-linux-gnu", "-l:libz.so.1",
                        "-Wl,-rpath," + p.project + "/l$x", "-Wl,--enable-new-dtags"}));
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--profile", "minimal"}).status, 0);
  RunResult view = run({"/bin/sh", "-c", "ls " + p.home + "/.local/state/venv-exec/venvs/*/view"},
                       base_env(p), p.root);
  std::string file = view.out.substr(0, view.out.find('\n'));
  struct stat before, after;
  ASSERT_EQ(stat(file.c_str(), &before), 0) << view.err;
  // The run re-points the link: the next launch must still work, from the same cached view.
  ASSERT_EQ(run_launcher(p, {"/bin/sh", "-c", "rm 'l$x' && ln -s /nonexistent 'l$x'"}).status, 0);
  RunResult r = run_launcher(p, {"/bin/true"});
  EXPECT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(stat(file.c_str(), &after), 0);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  EXPECT_EQ(before.st_ino, after.st_ino);
}

// A pip run through the wrapped venv, its stderr merged into stdout, started in the background.
Background start_pip(const TempProject& p) {
  return start_process({"/bin/sh", "-c", "exec " + p.venv + "/bin/python -m pip --version 2>&1"},
                       base_env(p), p.project);
}

// Found by review: the host's pip launch took flock on the venv directory, which a sandbox (the
// venv is visible read-only) can flock too and hold for as long as it runs, stalling the host
// (SPEC §3a.4). The lock is a file in the host-side state directory now: a sandbox holding the
// venv directory's lock delays nothing, while two host-side runs still take turns (positive
// control: the test holds that file's lock itself, as another pip run would).
TEST(Trust, ASandboxHoldingALockOnTheVenvDoesNotStallPip) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  const std::string waiting = "venv-exec: warning: waiting for another pip run";
  std::string hold =
      "import fcntl, os, time\n"
      "fd = os.open('" +
      p.venv +
      "', os.O_RDONLY | os.O_DIRECTORY)\n"
      "fcntl.flock(fd, fcntl.LOCK_EX)\n"
      "print('locked', flush=True)\n"
      "time.sleep(600)\n";
  Background holder = start_launcher(p, {"/usr/bin/python3", "-c", hold});
  ASSERT_EQ(read_line(holder.out_fd), "locked");
  Background pip = start_pip(p);
  std::string first = read_line(pip.out_fd);
  EXPECT_EQ(first.find(waiting), std::string::npos) << first;
  // Released only now: on a launcher that waits for it, the pip run above ends after this.
  kill(holder.pid, SIGTERM);
  wait_status(holder.pid);
  while (!read_line(pip.out_fd).empty()) {
  }
  wait_status(pip.pid);
  close(pip.out_fd);
  close(holder.out_fd);

  struct stat st;
  ASSERT_EQ(stat(p.venv.c_str(), &st), 0);
  std::string lock = p.home + "/.local/state/venv-exec/venvs/" + std::to_string(st.st_dev) + "-" +
                     std::to_string(st.st_ino) + "/lock";
  int fd = open(lock.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << lock;
  ASSERT_EQ(flock(fd, LOCK_EX), 0);
  Background turn = start_pip(p);
  EXPECT_NE(read_line(turn.out_fd).find(waiting), std::string::npos);
  close(fd);
  while (!read_line(turn.out_fd).empty()) {
  }
  wait_status(turn.pid);
  close(turn.out_fd);
  // Nothing in the project or the venv is that lock: the sandbox cannot see it.
  RunResult r = sandbox_probe(p, "attempt(lambda: os.path.exists('" + lock + "'))\n");
  EXPECT_EQ(r.out, "OK False\n") << r.err;
}

// A project at PROJECT below the test's HOME (two levels: its mount point is made inside
// VENV/home), with an installed venv; true when all of it worked.
bool install_project_below_home(const TempProject& p, const std::string& project) {
  return run({"/bin/mkdir", "-p", project}, base_env(p), p.root).status == 0 &&
         run({"/usr/bin/python3", "-m", "venv", "--without-pip", project + "/.venv"}, base_env(p),
             project)
                 .status == 0 &&
         run_in(p, project, {"install", ".venv"}).status == 0;
}

// Found by attack review (finding 9): for a project two levels below HOME (~/src/p2) the
// project's mount point is made in VENV/home/src/p2, and VENV/home/src is the sandbox's own
// directory; a run that replaced it with a link made every later launch fail (125). SPEC §3a.4:
// nothing a sandbox writes may fail every later launch. The link is moved aside, never followed.
TEST(Trust, ALinkPlantedOnTheWayToTheProjectInTheSandboxHomeDoesNotStopLaterLaunches) {
  TempProject p = make_project(false);
  std::string project = p.home + "/src/p2";
  ASSERT_TRUE(install_project_below_home(p, project));
  std::string code = "import os; print(os.getcwd())";
  // The sandbox's ~/src is VENV/home/src: the run swaps it for a link to the host's /tmp.
  // With every name a move aside by pid would pick taken already (review of the first fix).
  std::string plant =
      "import os; h = os.environ['HOME']; os.rename(h + '/src', h + '/src.old'); "
      "os.symlink('/tmp', h + '/src')\n"
      "for n in range(1, 32769):\n"
      "    os.symlink('/tmp', h + '/src.moved-by-venv-exec-%d' % n)\n"
      "print('planted')";
  RunResult planted = run_in(p, project, {"/usr/bin/python3", "-c", plant});
  ASSERT_EQ(planted.out, "planted\n") << planted.err;
  // Positive control: the link is there, where the next launch makes the project's mount point.
  std::string link = project + "/.venv/home/src";
  struct stat st;
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  ASSERT_TRUE(S_ISLNK(st.st_mode));
  for (int i = 0; i < 2; ++i) {
    RunResult r = run_in(p, project, {"/usr/bin/python3", "-c", code});
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out, project + "\n");
    if (i == 0) {
      EXPECT_NE(r.err.find(link + " was a link or a file where a directory is needed"),
                std::string::npos)
          << r.err;
    }
  }
  ASSERT_EQ(lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  // Moved aside, not followed: nothing was made in the host's /tmp.
  EXPECT_FALSE(exists("/tmp/p2"));
}

// Found by attack review: a run that took away its own rights on a directory of its home
// (chmod 0 on ~/src, or on ~ itself) made every later launch fail with EACCES. The host owns
// VENV/home: it gives the owner's rights back, with a warning.
TEST(Trust, AnUnsearchableDirectoryInTheSandboxHomeDoesNotStopLaterLaunches) {
  TempProject p = make_project(false);
  std::string project = p.home + "/src/p2";
  ASSERT_TRUE(install_project_below_home(p, project));
  for (std::string target : {"/src", ""}) {
    std::string lock = "import os; os.chmod(os.environ['HOME'] + '" + target + "', 0); print(1)";
    RunResult locked = run_in(p, project, {"/usr/bin/python3", "-c", lock});
    ASSERT_EQ(locked.out, "1\n") << locked.err;
    // Positive control: the directory behind it is closed to its owner now.
    struct stat st;
    std::string backing = project + "/.venv/home" + target;
    ASSERT_EQ(stat(backing.c_str(), &st), 0);
    ASSERT_EQ(st.st_mode & 0777, 0u);
    RunResult r = run_in(p, project, {"/usr/bin/python3", "-c", "import os; print(os.getcwd())"});
    EXPECT_EQ(r.status, 0) << target << ": " << r.err;
    EXPECT_EQ(r.out, project + "\n");
    EXPECT_NE(r.err.find(backing + " had lost its owner's rights"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace vx::test
