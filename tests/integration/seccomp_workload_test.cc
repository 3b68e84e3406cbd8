// Seccomp end to end: the work that must keep working under the filter, and
// SANDBOX_SECCOMP_ALLOW. The attacks (each always-denied family, TIOCSTI and TIOCLINUX under a
// pseudo-terminal) are in tests/hostile/kernel_test.cc and tty_test.cc.
#include <gtest/gtest.h>

#include <sstream>

#include "support.h"

namespace vx::test {
namespace {

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
  EXPECT_EQ(r.status, 120);  // Python could not flush stdout at exit
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
