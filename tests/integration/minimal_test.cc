// Profile minimal (opt-in, --profile minimal): what it shows, what it hides, and its cached plan.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

// The one cached view in the test HOME's state directory.
std::string cached_view_file(const TempProject& p) {
  std::string dir = p.home + "/.local/state/venv-exec/venvs";
  RunResult ls = run({"/bin/sh", "-c", "ls -d " + dir + "/*/view"}, base_env(p), p.root);
  return ls.out.empty() ? "" : ls.out.substr(0, ls.out.find('\n'));
}

TEST(Minimal, StandardLibraryAndToolsWork) {
  TempProject p = make_project(true);
  ASSERT_EQ(run({"/usr/bin/git", "init", "-q", p.project}, base_env(p), p.project).status, 0);
  std::string code =
      "import ssl, sqlite3, ctypes, zlib, lzma, readline, decimal, zoneinfo, locale, subprocess\n"
      "ssl.create_default_context().load_default_certs()\n"
      "print(sqlite3.connect(':memory:').execute('select 1').fetchone()[0])\n"
      "print(ctypes.CDLL(None).getpid() > 0, len(zlib.compress(b'x')) > 0, lzma.compress(b'x') != "
      "b'')\n"
      "print(decimal.Decimal('1.1') + 1, zoneinfo.ZoneInfo('Europe/Paris').key)\n"
      "locale.setlocale(locale.LC_ALL, 'C.UTF-8')\n"
      "print(subprocess.run(['git', 'status', '--short'], capture_output=True).returncode)\n";
  RunResult r = run_launcher(p, {"--profile", "minimal", "python3", "-c", code});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1\nTrue True True\n2.1 Europe/Paris\n0\n") << r.err;
}

TEST(Minimal, SystemFilesOutsideTheViewAreHidden) {
  TempProject p = make_project(true);
  struct stat st;
  ASSERT_EQ(stat("/usr/share/doc", &st), 0);  // positive control: there on the host
  std::string code =
      "import os\nprint([os.path.exists(x) for x in ('/usr/share/doc', "
      "'/usr/include', '/etc/fstab', '/usr/lib/gcc', '/usr/share/doc/git')])\n";
  RunResult minimal = run_launcher(p, {"--profile", "minimal", "python3", "-c", code});
  EXPECT_EQ(minimal.out, "[False, False, False, False, False]\n") << minimal.err;
  RunResult system = run_launcher(p, {"--profile", "system", "python3", "-c", code});
  EXPECT_EQ(system.out.find("[True"), 0u) << system.out;
}

TEST(Minimal, ExtensionLinkingALibraryOutsideTheSystemDirectoriesIsNamedThenImportsWhenBound) {
  // A C extension that links libvxextra.so from a directory of its own (RUNPATH), outside the
  // project. SPEC §3a.3: the view never binds it by itself (the RUNPATH is the sandbox's
  // writing); the warning names the option, and with it the extension imports.
  TempProject p = make_project(true);
  std::string libdir = p.root + "/vendor-lib";
  ASSERT_EQ(mkdir(libdir.c_str(), 0755), 0);
  write_file(libdir + "/extra.c", "int vx_extra(void) { return 41; }\n");
  ASSERT_EQ(
      run({"/usr/bin/cc", "-shared", "-fPIC", "-o", libdir + "/libvxextra.so", libdir + "/extra.c"},
          base_env(p), libdir)
          .status,
      0);
  std::string site = p.venv + "/lib/python3.11/site-packages";
  write_file(
      p.project + "/ext.c",
      "#include <Python.h>\nint vx_extra(void);\n"
      "static PyObject* f(PyObject* s, PyObject* a) { return PyLong_FromLong(vx_extra() + 1); }\n"
      "static PyMethodDef m[] = {{\"answer\", f, METH_NOARGS, 0}, {0}};\n"
      "static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, \"vxext\", 0, -1, m};\n"
      "PyMODINIT_FUNC PyInit_vxext(void) { return PyModule_Create(&d); }\n");
  RunResult cc = run({"/usr/bin/cc", "-shared", "-fPIC", "-I/usr/include/python3.11", "ext.c", "-o",
                      site + "/vxext.cpython-311-x86_64-linux-gnu.so", "-L" + libdir, "-lvxextra",
                      "-Wl,-rpath," + libdir, "-Wl,--enable-new-dtags"},
                     base_env(p), p.project);
  ASSERT_EQ(cc.status, 0) << cc.err;
  RunResult hidden = run_launcher(p, {"--profile", "minimal", "python3", "-c",
                                      "import vxext; print(vxext.answer())"});
  EXPECT_EQ(hidden.status, 1) << hidden.err;
  EXPECT_NE(hidden.err.find("--ro-bind " + libdir + " " + libdir), std::string::npos) << hidden.err;
  RunResult r = run_launcher(p, {"--profile", "minimal", "--ro-bind", libdir, libdir, "python3",
                                 "-c", "import vxext; print(vxext.answer())"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "42\n");
}

TEST(Minimal, StaleCacheIsRebuiltAfterAPackageIsCopiedInFromOutside) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--profile", "minimal"}).status, 0);
  ASSERT_EQ(run_launcher(p, {"/bin/true"}).status, 0);
  // The view of a registered venv is cached in the host-side state (SPEC §3a.1), never in it.
  EXPECT_FALSE(exists(p.venv + "/venv-exec/view"));
  std::string view_file = cached_view_file(p);
  std::string view = read_file(view_file);
  ASSERT_FALSE(view.empty());
  // From the host, as uv pip install would: a new package with an extension that links a
  // library of the project from a directory of its own.
  std::string libdir = p.project + "/uv-lib";
  ASSERT_EQ(mkdir(libdir.c_str(), 0755), 0);
  write_file(libdir + "/x.c", "int vx_uv(void) { return 7; }\n");
  ASSERT_EQ(run({"/usr/bin/cc", "-shared", "-fPIC", "-o", libdir + "/libvxuv.so", libdir + "/x.c"},
                base_env(p), libdir)
                .status,
            0);
  std::string pkg = p.venv + "/lib/python3.11/site-packages/uvpkg";
  ASSERT_EQ(mkdir(pkg.c_str(), 0755), 0);
  write_file(pkg + "/m.c", "int vx_uv(void);\nint use(void) { return vx_uv(); }\n");
  ASSERT_EQ(run({"/usr/bin/cc", "-shared", "-fPIC", "-o", pkg + "/m.so", pkg + "/m.c",
                 "-L" + libdir, "-lvxuv", "-Wl,-rpath," + libdir},
                base_env(p), pkg)
                .status,
            0);
  RunResult r = run_launcher(p, {"--profile", "minimal", "python3", "-c",
                                 "import ctypes; print(ctypes.CDLL('" + pkg + "/m.so').use())"});
  EXPECT_EQ(r.out, "7\n") << r.err;
  EXPECT_NE(read_file(view_file), view);
}

TEST(Minimal, ExposeAddsAnExecutableAndItsLibraries) {
  TempProject p = make_project(true);
  std::string tool = "/usr/bin/perl";
  struct stat st;
  if (stat(tool.c_str(), &st) != 0) tool = "/usr/bin/gpgv";
  ASSERT_EQ(stat(tool.c_str(), &st), 0);
  RunResult r = run_launcher(p, {"--profile", "minimal", "--expose", tool, "python3", "-c",
                                 "import os; print(os.path.exists('" + tool + "'))"});
  EXPECT_EQ(r.out, "True\n") << r.err;
}

TEST(Minimal, HalfWrittenAndTemporaryLibrariesDoNotBreakALaunch) {
  // apt writes libfoo.so.6.dpkg-new beside the library; a crashed build leaves a truncated .so.
  TempProject p = make_project(true);
  std::string site = p.venv + "/lib/python3.11/site-packages";
  write_file(site + "/libvxtmp.so.6.dpkg-new", "\x7f" "ELF garbage");
  write_file(site + "/half.so", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(40, '\xff'));
  RunResult r = run_launcher(p, {"--profile", "minimal", "python3", "-c", "print('ran')"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ran\n");
  EXPECT_NE(r.err.find("unreadable: " + site + "/half.so"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("dpkg-new"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vx::test
