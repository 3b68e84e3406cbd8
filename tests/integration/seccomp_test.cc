// Seccomp end to end: each always-denied family from inside the sandbox, against the same
// attempt on the host (positive control); TIOCSTI under a pseudo-terminal; the work that must
// keep working; SANDBOX_SECCOMP_ALLOW.
#include <gtest/gtest.h>

#include <sstream>

#include "support.h"

namespace vx::test {
namespace {

// Each attempt uses harmless arguments: an allowed call fails with EFAULT/EBADF/EINVAL, a
// filtered one with EPERM before the kernel looks at them.
const char* const kFamilies =
    "import ctypes\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "def sc(name, nr, *args):\n"
    "    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n"
    "    e = ctypes.get_errno()\n"
    "    print(name, 'ok' if r >= 0 else errno.errorcode.get(e, e), flush=True)\n"
    "sc('keyctl', 250, 0x7fffffff, 0)\n"
    "sc('add_key', 248, 0, 0, 0, 0, 0)\n"
    "sc('request_key', 249, 0, 0, 0, 0)\n"
    "sc('bpf', 321, 0x7fff, 0, 0)\n"
    "sc('perf_event_open', 298, 0, 0, -1, -1, 0)\n"
    "sc('userfaultfd', 323, 0xffff)\n"
    "sc('io_uring_setup', 425, 0, 0)\n"
    "sc('unshare', 272, 0x10000000)\n"
    "sc('setns', 308, -1, 0)\n"
    "sc('mount', 165, 0, 0, 0, 0, 0)\n"
    "sc('umount2', 166, 0, 0)\n"
    "sc('pivot_root', 155, 0, 0)\n"
    "sc('open_tree', 428, -1, 0, 0)\n"
    "sc('fsopen', 430, 0, 0)\n"
    "sc('ptrace', 101, 0x4206, 0x7fffffff, 0, 0)\n"
    "sc('init_module', 175, 0, 0, 0)\n"
    "sc('kexec_load', 246, 0, 0, 0, 0)\n"
    "sc('reboot', 169, 0, 0, 0, 0)\n"
    "sc('swapon', 167, 0, 0)\n"
    "sc('acct', 163, 0)\n"
    "sc('clone_newuser', 56, 0x10000000 | 0x8000, 0, 0, 0, 0)\n"
    "sc('tiocsti', 16, -1, 0x5412 | (1 << 32), 0)\n"
    "sc('tioclinux', 16, -1, 0x541c, 0)\n"
    "sc('clone3', 435, 0, 0)\n";

TEST(Seccomp, AlwaysDeniedFamiliesGetTheirErrnoInsideOnly) {
  TempProject p = make_project(true);
  RunResult host = host_probe(p, kFamilies);
  RunResult inside = sandbox_probe(p, kFamilies);
  ASSERT_EQ(inside.status, 0) << inside.err;
  std::istringstream host_lines(host.out), inside_lines(inside.out);
  std::string h, i;
  int families = 0;
  while (std::getline(inside_lines, i)) {
    ASSERT_TRUE(static_cast<bool>(std::getline(host_lines, h)));
    std::string name = i.substr(0, i.find(' '));
    std::string want = name == "clone3" ? "ENOSYS" : "EPERM";
    EXPECT_EQ(i, name + " " + want);
    // Positive control: on the host the same attempt reaches the kernel and fails otherwise
    // (a root host may get EPERM from the kernel itself for a few; never the filter's answer
    // for all of them).
    if (name == "tiocsti" || name == "tioclinux" || name == "clone3" || name == "bpf" ||
        name == "userfaultfd")
      EXPECT_NE(h, name + " " + want) << "host: " << h;
    ++families;
  }
  EXPECT_EQ(families, 24);
}

TEST(Seccomp, TiocstiUnderAPseudoTerminalDoesNotInject) {
  TempProject p = make_project(true);
  // A driver on the host gives the child a pty as its controlling terminal, then reports what
  // the child's TIOCSTI did and what arrived on the terminal's input.
  std::string driver =
      "import os, pty, sys, select\n"
      "argv = sys.argv[1:]\n"
      "pid, fd = pty.fork()\n"
      "if pid == 0:\n"
      "    os.execv(argv[0], argv)\n"
      "out = b''\n"
      "while True:\n"
      "    try:\n"
      "        chunk = os.read(fd, 1024)\n"
      "    except OSError:\n"
      "        break\n"
      "    if not chunk:\n"
      "        break\n"
      "    out += chunk\n"
      "os.waitpid(pid, 0)\n"
      "print(out.decode(errors='replace').replace('\\r', '').strip())\n";
  std::string probe =
      "import fcntl, termios, errno, sys\n"
      "try:\n"
      "    fcntl.ioctl(0, termios.TIOCSTI, b'Z')\n"
      "    fcntl.ioctl(0, termios.TIOCSTI, b'\\n')\n"
      "    r = 'injected'\n"
      "except OSError as e:\n"
      "    r = errno.errorcode[e.errno]\n"
      "import select\n"
      "pending = select.select([0], [], [], 0.2)[0]\n"
      "print(r, 'pending' if pending else 'nothing-pending')\n";
  std::vector<std::string> env = base_env(p);
  RunResult host =
      run({"/usr/bin/python3", "-c", driver, "/usr/bin/python3", "-c", probe}, env, p.project);
  EXPECT_NE(host.out.find("injected pending"), std::string::npos) << host.out << host.err;
  RunResult inside =
      run({"/usr/bin/python3", "-c", driver, launcher_path(), "/usr/bin/python3", "-c", probe}, env,
          p.project);
  EXPECT_NE(inside.out.find("EPERM nothing-pending"), std::string::npos)
      << inside.out << inside.err;
  EXPECT_EQ(inside.out.find('Z'), std::string::npos) << inside.out;
  // With seccomp off, the program runs in a new session and has no controlling terminal.
  env.push_back("SANDBOX_SECCOMP_ALLOW=");
  RunResult off =
      run({"/usr/bin/python3", "-c", driver, launcher_path(), "/usr/bin/python3", "-c", probe}, env,
          p.project);
  EXPECT_NE(off.out.find("EPERM nothing-pending"), std::string::npos) << off.out << off.err;
}

TEST(Seccomp, OrdinaryPythonWorkKeepsWorking) {
  TempProject p = make_project(true);
  ASSERT_EQ(run({"/usr/bin/git", "init", "-q", p.project}, base_env(p), p.project).status, 0);
  std::string code =
      "import threading, concurrent.futures, multiprocessing, subprocess, sqlite3, ssl, asyncio\n"
      "t = threading.Thread(target=lambda: None); t.start(); t.join()\n"
      "with concurrent.futures.ThreadPoolExecutor(4) as ex: print(sum(ex.map(abs, [-1, -2])))\n"
      "with multiprocessing.Pool(2) as pool: print(pool.map(abs, [-3, -4]))\n"
      "print(subprocess.run(['/bin/sh', '-c', 'echo sh-ok'], capture_output=True, "
      "text=True).stdout.strip())\n"
      "g = subprocess.run(['git', 'status', '--short'], capture_output=True, text=True)\n"
      "print('git', g.returncode)\n"
      "print(sqlite3.connect(':memory:').execute('select 6*7').fetchone()[0])\n"
      "ctx = ssl.create_default_context(); print('certs', ctx.cert_store_stats()['x509_ca'] > 0)\n"
      "print(asyncio.run(asyncio.sleep(0, result='async-ok')))\n";
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-c", code});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "3\n[3, 4]\nsh-ok\ngit 0\n42\ncerts True\nasync-ok\n") << r.err;
}

TEST(Seccomp, PipRunsUnderTheFilter) {
  TempProject p = make_project(true, "proj", true);
  RunResult r = run_launcher(p, {p.venv + "/bin/pip", "--version"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.rfind("pip ", 0), 0u) << r.out;
}

TEST(Seccomp, CExtensionBuildsWithCcUnderTheSystemProfile) {
  TempProject p = make_project(true);
  write_file(p.project + "/ext.c",
             "#include <Python.h>\n"
             "static PyObject* answer(PyObject* s, PyObject* a) { return PyLong_FromLong(42); }\n"
             "static PyMethodDef m[] = {{\"answer\", answer, METH_NOARGS, 0}, {0}};\n"
             "static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"ext\", 0, -1, m};\n"
             "PyMODINIT_FUNC PyInit_ext(void) { return PyModule_Create(&d); }\n");
  RunResult r =
      run_launcher(p, {"--profile", "system", "/bin/sh", "-c",
                       "cc -shared -fPIC -I/usr/include/python3.11 ext.c -o ext$(python3 -c "
                       "'import sysconfig; print(sysconfig.get_config_var(\"EXT_SUFFIX\"))') && "
                       "python3 -c 'import ext; print(ext.answer())'"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
}

TEST(Seccomp, AllowlistWithoutWriteMakesPrintFail) {
  TempProject p = make_project(true);
  std::string list =
      "SANDBOX_SECCOMP_ALLOW=read openat close fstat newfstatat mmap munmap mprotect brk "
      "rt_sigaction rt_sigprocmask execve exit_group arch_prctl set_tid_address set_robust_list "
      "rseq prlimit64 getrandom lseek ioctl readlink getdents64 futex getcwd pread64 access "
      "sysinfo uname getpid gettid dup fcntl";
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-c", "print('visible')"}, {list});
  EXPECT_NE(r.status, 0);
  EXPECT_EQ(r.out, "");
  // The same list with write added prints: the list, not something else, made the difference.
  RunResult with_write =
      run_launcher(p, {"/usr/bin/python3", "-c", "print('visible')"}, {list + " write"});
  EXPECT_EQ(with_write.out, "visible\n") << with_write.err;
}

TEST(Seccomp, EmptyAllowlistDisablesWithAWarningAndANewSession) {
  TempProject p = make_project(true);
  std::string code =
      "import os\nprint(os.getsid(0) == os.getpid())\n"
      "print(open('/proc/self/status').read().split('Seccomp:')[1].split()[0])\n";
  RunResult off = run_launcher(p, {"/usr/bin/python3", "-c", code}, {"SANDBOX_SECCOMP_ALLOW="});
  EXPECT_EQ(off.status, 0) << off.err;
  EXPECT_EQ(off.out, "True\n0\n");
  EXPECT_NE(off.err.find("venv-exec: warning: seccomp is off"), std::string::npos) << off.err;
  RunResult on = run_launcher(p, {"/usr/bin/python3", "-c", code});
  EXPECT_EQ(on.out, "False\n2\n");
  EXPECT_EQ(on.err, "");
}

}  // namespace
}  // namespace vx::test
