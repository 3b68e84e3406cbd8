// Profile standard, the default (SPEC §3): all of /usr, the root links and a curated /etc.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(Standard, IsTheDefaultWithUsrInOneBindAndEtcFilesCopied) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"--verbose", "/bin/true"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("  ro-bind /usr /usr\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("  file /etc/passwd "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("ro-bind /etc /etc"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(" /usr/bin "), std::string::npos) << r.err;  // nothing below /usr again
}

TEST(Standard, StandardLibraryToolsAndTheCompilerWork) {
  TempProject p = make_project(true);
  ASSERT_EQ(run({"/usr/bin/git", "init", "-q", p.project}, base_env(p), p.project).status, 0);
  std::string code =
      "import ssl, sqlite3, ctypes, ctypes.util, zlib, lzma, readline, zoneinfo, locale, socket\n"
      "import subprocess\n"
      "ssl.create_default_context().load_default_certs()\n"
      "print(sqlite3.connect(':memory:').execute('select 1').fetchone()[0])\n"
      "print(ctypes.util.find_library('z') is not None, zoneinfo.ZoneInfo('Europe/Paris').key)\n"
      "print(socket.getservbyname('https'), socket.getaddrinfo('localhost', 80)[0][4][1])\n"
      "locale.setlocale(locale.LC_ALL, 'C.UTF-8')\n"
      "print(subprocess.run(['git', 'status', '--short'], capture_output=True).returncode)\n";
  RunResult r = run_launcher(p, {"python3", "-c", code});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1\nTrue Europe/Paris\n443 80\n0\n") << r.err;
  write_file(p.project + "/c.c", "int main(void) { return 3; }\n");
  RunResult cc = run_launcher(p, {"/bin/sh", "-c", "cc c.c -o c.out && ./c.out; echo $?"});
  EXPECT_EQ(cc.out, "3\n") << cc.err;
}

TEST(Standard, EtcFilesHoldTheHostsContent) {
  TempProject p = make_project(true);
  for (const char* f : {"/etc/hosts", "/etc/resolv.conf", "/etc/ld.so.cache", "/etc/os-release"}) {
    struct stat st;
    if (stat(f, &st) != 0) continue;
    RunResult r = run_launcher(p, {"/bin/cat", f});
    EXPECT_EQ(r.status, 0) << f << r.err;
    EXPECT_EQ(r.out, read_file(f)) << f;
  }
}

// ld.so.cache (~40 KiB, too large for the plan) is copied by pid 1 into the root tmpfs: the
// loader inside must find the host's own cache, and no mount is spent on it.
TEST(Standard, LdSoCacheIsTheHostsCopiedNotBound) {
  struct stat st;
  if (stat("/etc/ld.so.cache", &st) != 0) GTEST_SKIP() << "the host has no /etc/ld.so.cache";
  TempProject p = make_project(true);
  RunResult cache = run_launcher(p, {"/bin/cat", "/etc/ld.so.cache"});
  ASSERT_EQ(cache.status, 0) << cache.err;
  EXPECT_TRUE(cache.out == read_file("/etc/ld.so.cache")) << "the sandbox's ld.so.cache differs";
  RunResult mounts = run_launcher(p, {"/bin/cat", "/proc/self/mountinfo"});
  ASSERT_EQ(mounts.status, 0) << mounts.err;
  EXPECT_EQ(mounts.out.find(" /etc/ld.so.cache "), std::string::npos) << mounts.out;
}

TEST(Standard, ExposeBindsAnExecutableOutsideUsr) {
  TempProject p = make_project(true);
  std::string tool = p.root + "/tools/hello";
  ASSERT_EQ(mkdir((p.root + "/tools").c_str(), 0755), 0);
  write_file(tool, "#!/bin/sh\necho hello from outside\n", 0755);
  RunResult hidden = run_launcher(p, {tool});
  EXPECT_EQ(hidden.status, 127) << hidden.err;  // positive control: not in the view by itself
  RunResult r = run_launcher(p, {"--expose", tool, tool});
  EXPECT_EQ(r.out, "hello from outside\n") << r.err;
}

// Issue 13: what failed under the old minimal default.
TEST(Standard, PipBuildsACExtensionThatImportsInTheDefaultView) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  ASSERT_EQ(mkdir((p.project + "/cext").c_str(), 0755), 0);
  write_file(p.project + "/cext/setup.py",
             "from setuptools import setup, Extension\n"
             "setup(name='cx', version='1.0', ext_modules=[Extension('cx', ['cx.c'])])\n");
  write_file(p.project + "/cext/cx.c",
             "#include <Python.h>\n"
             "static PyObject* f(PyObject* s, PyObject* a) { return PyLong_FromLong(42); }\n"
             "static PyMethodDef m[] = {{\"answer\", f, METH_NOARGS, 0}, {0}};\n"
             "static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"cx\", 0, -1, m};\n"
             "PyMODINIT_FUNC PyInit_cx(void) { return PyModule_Create(&d); }\n");
  RunResult pip = run({p.venv + "/bin/pip", "install", "-q", "--no-index", "--no-build-isolation",
                       "./cext"},
                      base_env(p), p.project);
  ASSERT_EQ(pip.status, 0) << pip.err;
  RunResult r = run({p.venv + "/bin/python", "-c", "import cx; print(cx.answer())"}, base_env(p),
                    p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
}

TEST(Standard, ASystemSitePackagesVenvImportsADebianPackageAndItsCModule) {
  TempProject p = make_project(false);
  std::string venv = p.project + "/.venv";
  ASSERT_EQ(run({"/usr/bin/python3", "-m", "venv", "--without-pip", "--system-site-packages", venv},
                base_env(p), p.project)
                .status,
            0);
  // python3-yaml: a Debian package in /usr/lib/python3/dist-packages, with its C module.
  std::string code = "import yaml, yaml._yaml; print(yaml.__file__, yaml.__with_libyaml__)";
  RunResult host = run({venv + "/bin/python", "-c", code}, base_env(p), p.project);
  ASSERT_EQ(host.out, "/usr/lib/python3/dist-packages/yaml/__init__.py True\n") << host.err;
  RunResult r = run_launcher(p, {venv + "/bin/python", "-c", code});
  EXPECT_EQ(r.out, host.out) << r.err;
}

// numpy's tests that build C code with the host's compiler (issue 13): numpy.testing.extbuild
// compiles an extension module (test_mem_policy), numpy.distutils builds a project
// (test_build_ext). Debian's python3-numpy in a --system-site-packages venv; the same subset
// unwrapped is the control. test_new_policy is left out: it reruns all of numpy's tests in a
// subprocess (minutes), which compare.sh's numpy suite already covers.
TEST(Standard, NumpysCompilerNeedingTestsPassSandboxedAsUnwrapped) {
  const std::string numpy = "/usr/lib/python3/dist-packages/numpy";
  if (!exists(numpy + "/core/tests/test_mem_policy.py")) {
    if (must_work()) FAIL() << "python3-numpy is not installed (tests/debian-packages has it)";
    GTEST_SKIP() << "python3-numpy is not installed";
  }
  TempProject p = make_project(false);
  std::string venv = p.project + "/.venv";
  ASSERT_EQ(run({"/usr/bin/python3", "-m", "venv", "--without-pip", "--system-site-packages", venv},
                base_env(p), p.project)
                .status,
            0);
  std::vector<std::string> pytest = {venv + "/bin/python", "-m", "pytest", "-q",
                                     "-p", "no:cacheprovider", "-k", "not test_new_policy",
                                     numpy + "/core/tests/test_mem_policy.py",
                                     numpy + "/distutils/tests/test_build_ext.py"};
  RunResult control = run(pytest, base_env(p), p.project);
  ASSERT_EQ(control.status, 0) << control.out << control.err;
  auto summary = [](const std::string& out) {
    auto at = out.rfind(" passed");
    return at == std::string::npos ? std::string() : out.substr(out.rfind('\n', at) + 1, at - out.rfind('\n', at) - 1);
  };
  ASSERT_NE(summary(control.out), "") << control.out;
  ASSERT_EQ(run_launcher(p, {"install", venv}).status, 0);
  RunResult r = run(pytest, base_env(p), p.project);
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(summary(r.out), summary(control.out)) << r.out;
}

}  // namespace
}  // namespace vx::test
