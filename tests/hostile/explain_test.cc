// `venv-exec explain` hands refused calls to the launcher instead of the kernel answering them:
// it must refuse exactly what a normal run refuses, never let the program hold the seccomp
// listener, print the sandbox's text escaped, and never block on what the sandbox names.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support.h"

namespace vx::test {
namespace {

// Each call with harmless arguments: an allowed call fails with EFAULT/EBADF/EINVAL or runs,
// a refused one answers the filter's errno. One line per call.
const char* const kCalls =
    "import ctypes, errno, os\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "def sc(name, nr, *args):\n"
    "    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n"
    "    print(name, 'ok' if r >= 0 else errno.errorcode.get(ctypes.get_errno()))\n"
    "sc('mbind', 237, 0, 0, 0, 0, 0, 0)\n"
    "sc('kcmp', 312, os.getpid(), os.getpid(), 0, 0, 0)\n"
    "sc('ptrace', 101, 0x4206, 0x7fffffff, 0, 0)\n"
    "sc('unshare', 272, 0x10000000)\n"
    "sc('clone_newuser', 56, 0x10000000 | 17, 0, 0, 0, 0)\n"
    "sc('clone3', 435, 0, 0)\n"
    "sc('mount', 165, 0, 0, 0, 0, 0)\n"
    "sc('bpf', 321, 0x7fff, 0, 0)\n"
    "sc('keyctl', 250, 0x7fffffff, 0)\n"
    "sc('tiocsti', 16, 0, 0x5412, 0)\n"
    "sc('af_packet', 41, 17, 3, 0)\n"
    "sc('personality', 135, 0x0008)\n"
    "sc('process_vm_readv', 310, 1, 0, 0, 0, 0, 0)\n"
    "sc('syslog', 103, 0, 0, 0)\n"
    "sc('getpid', 39)\n"
    "sc('read_badfd', 0, -1, 0, 0)\n";

class ExplainHostile : public ::testing::Test {
 protected:
  RunResult run_calls(const std::vector<std::string>& pre,
                      const std::vector<std::string>& env = {}) {
    std::vector<std::string> args = pre;
    args.insert(args.end(), {"/usr/bin/python3", "-c", kCalls});
    return run_launcher(p_, args, env);
  }
  TempProject p_ = make_project(true);
};

TEST_F(ExplainHostile, RefusesEverythingNormalModeRefuses) {
  RunResult normal = run_calls({});
  ASSERT_EQ(normal.status, 0) << normal.err;
  ASSERT_NE(normal.out.find("mbind ENOSYS"), std::string::npos) << normal.out;
  ASSERT_NE(normal.out.find("kcmp EPERM"), std::string::npos) << normal.out;
  RunResult explained = run_calls({"explain", "--format", "json"});
  ASSERT_EQ(explained.status, 0) << explained.err;
  EXPECT_EQ(explained.out, normal.out);
  // The refusals went through the listener (else the kernel answered them, proving nothing).
  for (const char* name : {"mbind", "kcmp", "ptrace", "unshare", "clone3", "mount", "bpf", "ioctl",
                           "socket", "personality", "syslog"})
    EXPECT_NE(explained.err.find(std::string("\"name\":\"") + name + "\""), std::string::npos)
        << name << "\n"
        << explained.err;
  // Positive control: with the filter off the same probe sees different answers.
  RunResult off = run_calls({}, {"SANDBOX_SECCOMP_ALLOW="});
  ASSERT_EQ(off.status, 0) << off.err;
  EXPECT_NE(off.out, normal.out);
}

TEST_F(ExplainHostile, CustomAllowlistAnswersTheSame) {
  const std::string allow =
      "SANDBOX_SECCOMP_ALLOW=read write close sendmsg openat newfstatat fstat lseek mmap munmap "
      "mprotect brk rt_sigaction rt_sigprocmask ioctl pread64 getdents64 execve exit_group "
      "arch_prctl set_tid_address set_robust_list rseq prlimit64 getrandom futex access readlink "
      "getcwd dup fcntl sysinfo gettid getpid uname clock_gettime geteuid getuid getegid getgid "
      "stat lstat statx faccessat2 mbind";
  RunResult normal = run_calls({}, {allow});
  RunResult explained = run_calls({"explain"}, {allow});
  ASSERT_FALSE(normal.out.empty()) << normal.err;
  EXPECT_EQ(explained.out, normal.out) << explained.err;
  EXPECT_NE(normal.out.find("mbind ok"), std::string::npos) << normal.out;
}

// The listener would let a program answer its own refused calls: it must never reach it.
TEST_F(ExplainHostile, ProgramNeverHoldsTheListener) {
  const std::string probe =
      "import os, sys\n"
      "if len(sys.argv) > 1: e = os.eventfd(0)\n"
      "for fd in sorted(int(n) for n in os.listdir('/proc/self/fd')):\n"
      "    try: t = os.readlink(f'/proc/self/fd/{fd}')\n"
      "    except OSError: continue\n"
      "    if fd > 2 and (t.startswith('anon_inode:') or t.startswith('socket:')): print(fd, t)\n"
      "print('done')\n";
  // Control: the probe sees an anonymous-inode descriptor when there is one.
  RunResult control = run_launcher(p_, {"explain", "/usr/bin/python3", "-c", probe, "control"});
  ASSERT_EQ(control.status, 0) << control.err;
  EXPECT_NE(control.out.find("anon_inode:[eventfd]"), std::string::npos) << control.out;
  RunResult r = run_launcher(p_, {"explain", "/usr/bin/python3", "-c", probe});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "done\n");
  // A child of the program neither.
  RunResult child =
      run_launcher(p_, {"explain", "/bin/sh", "-c", "/usr/bin/python3 -c \"$0\"", probe});
  EXPECT_EQ(child.out, "done\n") << child.err;
}

// The first caller's command line is the sandbox's text: escaped in the report.
TEST_F(ExplainHostile, SandboxTextIsEscaped) {
  const std::string evil = "\x1b]0;pwned\x07\x1b[2J";
  RunResult r =
      run_launcher(p_, {"explain", "/usr/bin/python3", "-c",
                        "import ctypes; ctypes.CDLL(None).syscall(237, 0, 0, 0, 0, 0, 0)", evil});
  ASSERT_EQ(r.status, 0) << r.err;
  // Control: the command line did reach the report, in escaped form.
  EXPECT_NE(r.err.find("\\x1b]0;pwned\\x07"), std::string::npos) << r.err;
  // The only escape sequence is the report's own reset (SGR 0, show the cursor), first.
  const std::string reset = "\x1b[0m\x1b[?25h\n";
  ASSERT_TRUE(r.err.starts_with(reset)) << r.err;
  EXPECT_EQ(r.err.find('\x1b', reset.size()), std::string::npos);
  EXPECT_EQ(r.err.find('\x07'), std::string::npos);
}

// A FIFO on the host, named by the sandbox: explain stats it, never opens it (an open would
// block the launcher until someone writes).
TEST_F(ExplainHostile, HostFifoDoesNotBlock) {
  std::string dir = p_.root + "/pipes";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  std::string fifo = dir + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0644), 0);
  struct stat st;
  ASSERT_EQ(stat(fifo.c_str(), &st), 0);  // control: it is there, and a FIFO
  ASSERT_TRUE(S_ISFIFO(st.st_mode));
  RunResult r = run_launcher(p_, {"explain", "--format", "json", "--timeout", "60s",
                                  "/usr/bin/python3", "-c", "open('" + fifo + "')"});
  EXPECT_EQ(r.status, 1) << r.err;  // FileNotFoundError inside
  EXPECT_NE(r.err.find("\"path\":\"" + fifo + "\""), std::string::npos) << r.err;
}

// The program shares stderr with the report: it can print a forged one and conceal what follows
// (SGR 8, cursor hidden). The report starts by undoing that; --report FILE cannot be forged.
TEST_F(ExplainHostile, ForgedReportIsUndoneAndTheFileIsOurs) {
  const std::string forge =
      "import sys; sys.stderr.write('venv-exec explain: FOR' + 'GED --ro-bind / "
      "/host\\x1b[8m\\x1b[?25l')";
  const std::string call = "; import ctypes; ctypes.CDLL(None).syscall(237, 0, 0, 0, 0, 0, 0)";
  RunResult r = run_launcher(p_, {"explain", "/usr/bin/python3", "-c", forge + call});
  ASSERT_EQ(r.status, 0) << r.err;
  // Control: the program's bytes did reach stderr; the reset follows them at once.
  EXPECT_NE(r.err.find("FORGED --ro-bind / /host\x1b[8m\x1b[?25l\x1b[0m\x1b[?25h\n"
                       "venv-exec explain: what the sandbox refused\n"),
            std::string::npos)
      << r.err;
  std::string file = p_.root + "/report.txt";
  RunResult f =
      run_launcher(p_, {"explain", "--report", file, "/usr/bin/python3", "-c", forge + call});
  ASSERT_EQ(f.status, 0) << f.err;
  EXPECT_NE(f.err.find("FORGED"), std::string::npos) << f.err;
  EXPECT_NE(f.err.find("venv-exec explain: report written to " + file + "\n"), std::string::npos);
  std::string text = read_file(file);
  EXPECT_TRUE(text.starts_with("venv-exec explain: what the sandbox refused\n")) << text;
  EXPECT_NE(text.find("  mbind (ENOSYS, 1x)"), std::string::npos) << text;
  EXPECT_EQ(text.find("FORGED"), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // A symlink the program planted at the report's name is not followed.
  std::string planted = p_.project + "/report.txt";
  RunResult l = run_launcher(
      p_, {"explain", "--report", planted, "/bin/sh", "-c", "ln -s victim " + planted});
  EXPECT_EQ(l.status, 125) << l.err;
  EXPECT_FALSE(exists(p_.project + "/victim"));
}

}  // namespace
}  // namespace vx::test
