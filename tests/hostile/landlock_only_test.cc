// The hostile probes again, in the Landlock-only sandbox (--isolation landlock): no namespaces,
// the host's own paths; the ruleset, its ABI 6 scopes and the AF_UNIX socket filter are the
// whole boundary. Each probe runs on the host first (positive control).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "support.h"

namespace vx::test {
namespace {

const std::vector<std::string> kLandlockOnly = {"--isolation", "landlock"};

RunResult landlock_probe(const TempProject& p, const std::string& code,
                         const std::vector<std::string>& extra_env = {}) {
  return sandbox_probe(p, code, kLandlockOnly, extra_env);
}

std::string read_probe(const std::string& path) {
  return "attempt(lambda: open('" + path + "').read().strip())\n";
}

std::string write_probe(const std::string& path) {
  return "attempt(lambda: open('" + path + "', 'a').write('x'))\n";
}

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(LandlockOnly, RunsWithOneWarningLine) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/src").c_str(), 0755), 0);
  // git reads the host's /etc/gitconfig and stops when it cannot.
  std::string code =
      "import subprocess, tempfile\n"
      "print(os.environ['HOME'], os.environ['XDG_CACHE_HOME'], tempfile.gettempdir())\n"
      "print(subprocess.run(['git', 'init', '-q', 'src/repo']).returncode)\n";
  RunResult r = landlock_probe(p, code);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, p.venv + "/home " + p.venv + "/cache " + p.venv + "/cache/tmp\n0\n");
  EXPECT_EQ(count(r.err,
                  "venv-exec: warning: Landlock-only sandbox (--isolation landlock): "
                  "no pid isolation"),
            1u)
      << r.err;
}

TEST(LandlockOnly, SecretsOutsideTheProjectAreUnreadable) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  ASSERT_EQ(symlink(p.secret_path.c_str(), (p.project + "/innocent.txt").c_str()), 0);
  std::string environ = "/proc/" + std::to_string(getpid()) + "/environ";
  std::string code = read_probe(p.secret_path) + read_probe("innocent.txt") +
                     "attempt(lambda: len(open('" + environ + "', 'rb').read()) > 0)\n";
  EXPECT_EQ(host_probe(p, code).out, "OK " + p.secret + "\nOK " + p.secret + "\nOK True\n");
  RunResult r = landlock_probe(p, code);
  // The key's path and the environment of the caller's processes: refused by the ruleset and
  // by Landlock's ptrace-mode check on /proc/PID/environ.
  EXPECT_EQ(r.out, "ERR EACCES\nERR EACCES\nERR EACCES\n") << r.err;
}

TEST(LandlockOnly, WritesOnlyInsideTheProjectAndTheVenvCaches) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/.git").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((p.project + "/src").c_str(), 0755), 0);
  write_file(p.project + "/.git/config", "[core]\n");
  std::string outside = p.root + "/outside-" + unique_token("w");
  std::string tmp = "/tmp/" + unique_token("vx-ll-");
  std::string refused = write_probe(outside) + write_probe(tmp) + write_probe(".git/config") +
                        write_probe(".git/hooks-pre-commit") + write_probe(".venv/pyvenv.cfg") +
                        write_probe(".venv/bin/activate") + write_probe("new-top-level.txt");
  std::string allowed = write_probe("src/module.py") +
                        "attempt(lambda: open(os.path.expanduser('~/note'), 'w').write('x'))\n"
                        "import tempfile\n"
                        "attempt(lambda: tempfile.NamedTemporaryFile().write(b'x'))\n";
  RunResult r = landlock_probe(p, refused + allowed);
  EXPECT_EQ(r.out,
            "ERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\n"
            "ERR EACCES\nOK 1\nOK 1\nOK 1\n")
      << r.err;
  EXPECT_FALSE(exists(outside));
  EXPECT_FALSE(exists(tmp));
  EXPECT_TRUE(exists(p.venv + "/home/note"));
  // Positive control: the host writes every one of them.
  RunResult host = host_probe(p, refused);
  EXPECT_EQ(host.out.find("ERR"), std::string::npos) << host.out;
  unlink(tmp.c_str());
}

// Found by review: another registered venv deeper in the project (tools/.venv) was writable,
// so a run could replace its wrapper and have the host user run that file unsandboxed. Its
// siblings stay writable (positive control); it, and the directory on the way to it, can be
// neither written, nor renamed away, nor replaced.
TEST(LandlockOnly, DeeperRegisteredVenvsAreReadOnly) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::string tools = p.project + "/tools/.venv";
  ASSERT_EQ(mkdir((p.project + "/tools").c_str(), 0755), 0);
  ASSERT_EQ(
      run({"/usr/bin/python3", "-m", "venv", "--without-pip", tools}, base_env(p), p.root).status,
      0);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  ASSERT_EQ(run_launcher(p, {"install", tools}).status, 0);
  write_file(p.project + "/tools/notes.txt", "");
  ASSERT_EQ(mkdir((p.project + "/tools/src").c_str(), 0755), 0);
  std::string wrapper = read_file(tools + "/bin/activate");
  std::string code = write_probe("tools/notes.txt") + write_probe("tools/src/new.py") +
                     write_probe("tools/.venv/bin/activate") +
                     "attempt(lambda: os.unlink('tools/.venv/bin/python3'))\n"
                     "attempt(lambda: os.rename('tools/.venv', 'tools/venv-old'))\n"
                     "attempt(lambda: os.rename('tools', 'tools-old'))\n"
                     "attempt(lambda: os.mkdir('tools/.venv2'))\n";
  RunResult r = landlock_probe(p, code);
  EXPECT_EQ(r.out, "OK 1\nOK 1\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\n")
      << r.err;
  EXPECT_EQ(read_file(tools + "/bin/activate"), wrapper);
  EXPECT_TRUE(exists(tools + "/bin/python3"));
  EXPECT_EQ(read_file(p.project + "/tools/notes.txt"), "x");
}

// Found by review: the host-side state directory inside the project (SPEC §3a.1) was writable,
// so a run could rewrite the venv's stored options and widen every later launch. Its contents
// are neither readable nor writable, and the directories on the way to it cannot be renamed to
// put another registry in its place; a sibling on the way stays writable (positive control).
TEST(LandlockOnly, StateDirectoryInsideTheProjectIsUnreachable) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::vector<std::string> env = {"XDG_STATE_HOME=" + p.project + "/.state"};
  ASSERT_EQ(run_launcher(p, {"install", p.venv}, env).status, 0);
  ASSERT_EQ(mkdir((p.project + "/.state/other").c_str(), 0755), 0);
  std::string state = p.project + "/.state/venv-exec";
  std::string registry = read_file(state + "/registry");
  std::string code = write_probe(".state/other/x") + read_probe(state + "/registry") +
                     write_probe(state + "/registry") + write_probe(state + "/planted") +
                     "attempt(lambda: os.rename('.state', '.state-old'))\n"
                     "attempt(lambda: os.rename('.state/venv-exec', '.state/old'))\n";
  EXPECT_EQ(host_probe(p, read_probe(state + "/registry"), env).out.substr(0, 3), "OK ");
  RunResult r = landlock_probe(p, code, env);
  EXPECT_EQ(r.out, "OK 1\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\nERR EACCES\n") << r.err;
  EXPECT_EQ(read_file(state + "/registry"), registry);
  EXPECT_FALSE(exists(state + "/planted"));
}

TEST(LandlockOnly, HostProcessesCannotBeSignalled) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::string code = "attempt(lambda: os.kill(" + std::to_string(getpid()) + ", 0))\n";
  EXPECT_EQ(host_probe(p, code).out, "OK \n");
  RunResult r = landlock_probe(p, code);
  EXPECT_EQ(r.out, "ERR EPERM\n") << r.err;
}

TEST(LandlockOnly, HostUnixSocketsAreUnreachable) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::string name = unique_token("vx-ll-abstract-");
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path + 1, name.data(), name.size());
  socklen_t len = static_cast<socklen_t>(sizeof(sa_family_t) + 1 + name.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  std::string code =
      "import socket\n"
      "def conn():\n"
      "    s = socket.socket(socket.AF_UNIX)\n"
      "    s.connect('\\0" +
      name +
      "')\n"
      "attempt(conn)\n"
      "attempt(lambda: len(socket.socketpair()))\n";
  EXPECT_EQ(host_probe(p, code).out, "OK \nOK 2\n");
  // Path sockets (a session bus, an ssh agent) are no files to Landlock: socket(AF_UNIX) is
  // refused outright; socketpair(2), which reaches nothing outside, still works.
  RunResult r = landlock_probe(p, code);
  EXPECT_EQ(r.out, "ERR EAFNOSUPPORT\nOK 2\n") << r.err;
  close(fd);
}

TEST(LandlockOnly, NestedCallsRunInPlaceAndTheVariableAloneSkipsNothing) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::string code =
      "import subprocess\n"
      "r = subprocess.run(['" +
      launcher_path() +
      "', '/bin/sh', '-c', 'echo nested'], capture_output=True, text=True)\n"
      "print(r.returncode, r.stdout.strip(), 'warning' in r.stderr)\n";
  RunResult r = landlock_probe(p, code);
  EXPECT_EQ(r.out, "0 nested False\n") << r.err;
  // On the host, the variable naming a process of the caller (signallable) or of another user
  // (not signallable for another reason) makes no call skip the sandbox.
  for (const std::string& pid : {std::to_string(getpid()), std::string("1")}) {
    RunResult host = run_launcher(
        p, {"/usr/bin/python3", "-c", "import os; print(os.path.exists('" + p.secret_path + "'))"},
        {"VENV_EXEC_LANDLOCK_SUPERVISOR=" + pid});
    EXPECT_EQ(host.out, "False\n") << host.err;
  }
}

// Runs the rest of argv with user namespaces refused the way a sysctl or a container's seccomp
// policy refuses them: clone(CLONE_NEWUSER) and unshare(2) answer EPERM, clone3 ENOSYS.
const char* const kNoUserns =
    "import ctypes, os, struct, sys\n"
    "def op(code, k, jt=0, jf=0): return struct.pack('HBBI', code, jt, jf, k)\n"
    "prog = b''.join([op(0x20, 0), op(0x15, 435, 6, 0), op(0x15, 272, 4, 0),\n"
    "    op(0x15, 56, 0, 2), op(0x20, 16), op(0x45, 0x10000000, 1, 0),\n"
    "    op(0x06, 0x7fff0000), op(0x06, 0x00050001), op(0x06, 0x00050026)])\n"
    "buf = ctypes.create_string_buffer(prog)\n"
    "class Fprog(ctypes.Structure):\n"
    "    _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]\n"
    "fprog = Fprog(len(prog) // 8, ctypes.addressof(buf))\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "assert libc.prctl(38, 1, 0, 0, 0) == 0\n"
    "assert libc.syscall(317, 1, 0, ctypes.byref(fprog)) == 0\n"
    "os.execv(sys.argv[1], sys.argv[1:])\n";

RunResult run_without_userns(const TempProject& p, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", kNoUserns, launcher_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, base_env(p), p.project);
}

TEST(LandlockOnly, ChosenWhereUserNamespacesAreBlocked) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  std::string code =
      std::string(kProbePrelude) + read_probe(p.secret_path) + "print(os.environ['HOME'])\n";
  // Positive control: the wrapper really blocks them (an explicit --isolation namespaces fails).
  RunResult forced = run_without_userns(p, {"--isolation", "namespaces", "/bin/true"});
  EXPECT_EQ(forced.status, 125);
  EXPECT_NE(forced.err.find("create the sandbox's namespaces (clone)"), std::string::npos)
      << forced.err;
  RunResult r = run_without_userns(p, {"/usr/bin/python3", "-c", code});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ERR EACCES\n" + p.venv + "/home\n");
  EXPECT_EQ(count(r.err, "warning: Landlock-only sandbox (user namespaces are not available)"), 1u)
      << r.err;
  RunResult check = run_without_userns(p, {"check"});
  EXPECT_NE(check.out.find("WARN  isolation: Landlock only"), std::string::npos) << check.out;
}

TEST(LandlockOnly, OptionsThatNeedNamespacesAreRefused) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6");
  TempProject p = make_project(true);
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--unshare-net"}, {"--bind", "/usr", "/x"}, {"--uid", "0"}}) {
    std::vector<std::string> args = kLandlockOnly;
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("/bin/true");
    RunResult r = run_launcher(p, args);
    EXPECT_EQ(r.status, 125) << extra[0];
    EXPECT_NE(r.err.find("needs user namespaces"), std::string::npos) << r.err;
  }
  // Positive control: the same options work with namespaces.
  EXPECT_EQ(run_launcher(p, {"--unshare-net", "/bin/true"}).status, 0);
}

}  // namespace
}  // namespace vx::test
