// Hostile probes against processes and privilege: host processes (see, signal, the launcher),
// pid 1's memory and environment, capabilities, no_new_privs, set-id binaries.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(Processes, HostProcessesAreInvisibleAndUnsignallable) {
  TempProject p = make_project(true);
  std::string me = std::to_string(getpid());
  std::string code =
      "print(sorted(int(d) for d in os.listdir('/proc') if d.isdigit()))\n"
      "attempt(lambda: os.kill(" +
      me + ", 0))\n";
  // Positive control: on the host this test process is visible and signallable (signal 0).
  RunResult host = host_probe(p, "attempt(lambda: os.kill(" + me + ", 0))\n");
  EXPECT_EQ(host.out, "OK \n");
  RunResult inside = sandbox_probe(p, code);
  // If the test's pid happens to be 1 or 2 inside, the kill would hit a sandbox process; the
  // test process's pid is never that small on a running system.
  ASSERT_GT(getpid(), 2);
  EXPECT_EQ(inside.out, "[1, 2]\nERR ESRCH\n") << inside.err;
}

TEST(Processes, KillingEverythingInsideLeavesTheLauncherAlive) {
  TempProject p = make_project(true);
  // kill(-1) reaches every process the sender may signal: inside, only the sandbox's own.
  std::string code =
      "import subprocess, signal\n"
      "child = subprocess.Popen(['/bin/sleep', '100'])\n"
      "attempt(lambda: os.kill(-1, signal.SIGKILL))\n"
      "print('child', child.wait())\n";
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK \nchild -9\n");
}

TEST(Processes, Pid1EnvironmentAndMemoryAreClosed) {
  TempProject p = make_project(true);
  std::string code =
      "attempt(lambda: open('/proc/1/environ').read())\n"
      "attempt(lambda: open('/proc/1/mem', 'rb').read(1))\n"
      "attempt(lambda: 'TOKEN_FOR_PID1' in open('/proc/self/environ').read())\n";
  // Positive control: a process can read its own environment on the host, secret included.
  RunResult host = host_probe(p,
                              "attempt(lambda: 'TOKEN_FOR_PID1' in open('/proc/self/environ')"
                              ".read())\n",
                              {"TOKEN_FOR_PID1=s3cret"});
  EXPECT_EQ(host.out, "OK True\n");
  RunResult inside = sandbox_probe(p, code, {}, {"TOKEN_FOR_PID1=s3cret"});
  EXPECT_EQ(inside.out, "ERR EACCES\nERR EACCES\nOK False\n") << inside.err;
}

TEST(Processes, Pid1CannotBeTraced) {
  TempProject p = make_project(true);
  std::string code =
      "import ctypes\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "PTRACE_ATTACH = 16\n"
      "def attach(pid):\n"
      "    if libc.ptrace(PTRACE_ATTACH, pid, 0, 0) != 0:\n"
      "        raise OSError(ctypes.get_errno(), 'ptrace')\n"
      "attempt(lambda: attach(1))\n";
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "ERR EPERM\n") << inside.err;
  // Positive control: on the host a process may attach to its own child.
  std::string host_code =
      "import ctypes, subprocess\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "import signal\n"
      "null = subprocess.DEVNULL\n"
      "child = subprocess.Popen(['/bin/sleep', '30'], stdin=null, stdout=null, stderr=null)\n"
      "r = libc.ptrace(16, child.pid, 0, 0)\n"
      "print('attached' if r == 0 else 'refused', flush=True)\n"
      // Popen.poll() would take the trace stop for an exit and skip the kill: use the raw calls.
      "os.kill(child.pid, signal.SIGKILL)\n"
      "os.waitpid(child.pid, 0)\n";
  EXPECT_EQ(host_probe(p, host_code).out, "attached\n");
}

std::string status_fields() {
  return "fields = dict(l.split(':', 1) for l in open('/proc/self/status'))\n"
         "for k in ('NoNewPrivs', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb'):\n"
         "    print(k, fields[k].strip())\n";
}

TEST(Privilege, NoCapabilitiesAndNoNewPrivs) {
  TempProject p = make_project(true);
  RunResult host = host_probe(p, status_fields());
  // Positive control: on the host the bounding set is full and no_new_privs is off.
  EXPECT_NE(host.out.find("NoNewPrivs 0\n"), std::string::npos) << host.out;
  EXPECT_EQ(host.out.find("CapBnd 0000000000000000\n"), std::string::npos) << host.out;
  RunResult inside = sandbox_probe(p, status_fields());
  EXPECT_EQ(inside.out,
            "NoNewPrivs 1\nCapInh 0000000000000000\nCapPrm 0000000000000000\n"
            "CapEff 0000000000000000\nCapBnd 0000000000000000\nCapAmb 0000000000000000\n")
      << inside.err;
}

TEST(Privilege, RootInsideHasNoCapabilitiesEither) {
  TempProject p = make_project(true);
  RunResult inside = sandbox_probe(p, "print(os.getuid())\n" + status_fields(), {"--uid", "0"});
  EXPECT_EQ(inside.out,
            "0\nNoNewPrivs 1\nCapInh 0000000000000000\nCapPrm 0000000000000000\n"
            "CapEff 0000000000000000\nCapBnd 0000000000000000\nCapAmb 0000000000000000\n")
      << inside.err;
}

TEST(Privilege, SetuidBinariesGiveNothing) {
  TempProject p = make_project(true);
  // /usr/bin/su is set-uid root on the host; inside, /usr is nosuid and no_new_privs holds.
  std::string code =
      "import stat\n"
      "print('suid', bool(os.stat('/usr/bin/su').st_mode & stat.S_ISUID))\n"
      "print('nosuid', bool(os.statvfs('/usr/bin').f_flag & os.ST_NOSUID))\n";
  RunResult host = host_probe(p, code);
  EXPECT_EQ(host.out, "suid True\nnosuid False\n");
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "suid True\nnosuid True\n") << inside.err;
  RunResult su = run_launcher(p, {"/usr/bin/su", "-c", "id -u", "root"}, {}, "");
  EXPECT_EQ(su.status, 1);
  EXPECT_EQ(su.out.find("\n0\n"), std::string::npos);
}

TEST(Privilege, EveryMountInsideIsNosuid) {
  TempProject p = make_project(true);
  // Mount options are the sixth field of mountinfo; the flag is set in one pass at the end.
  std::string code =
      "bad = [l.split()[4] for l in open('/proc/self/mountinfo')\n"
      "       if 'nosuid' not in l.split()[5].split(',')]\n"
      "print(len(bad) > 0 if os.environ.get('VX_HOST') else bad)\n";
  // Positive control: the host has mounts without nosuid (its root, at least).
  EXPECT_EQ(host_probe(p, code, {"VX_HOST=1"}).out, "True\n");
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "[]\n") << inside.err;
}

TEST(Privilege, CallerSecretsAreNotInTheEnvironment) {
  TempProject p = make_project(true);
  std::string code = "print(sorted(k for k in os.environ if 'SECRET' in k or 'TOKEN' in k))\n";
  std::vector<std::string> secrets = {"AWS_SECRET_ACCESS_KEY=a", "GITHUB_TOKEN=b", "NPM_TOKEN=c",
                                      "MY_SECRET=d"};
  EXPECT_EQ(host_probe(p, code, secrets).out,
            "['AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'MY_SECRET', 'NPM_TOKEN']\n");
  EXPECT_EQ(sandbox_probe(p, code, {}, secrets).out, "[]\n");
}

}  // namespace
}  // namespace vx::test
