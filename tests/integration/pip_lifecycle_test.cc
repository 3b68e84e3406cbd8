// pip's whole lifecycle in a wrapped venv (SPEC §7), offline: wheels built on the host with
// python3-wheel, then install, upgrade, downgrade, --force-reinstall and uninstall, through
// `pip` and `python -m pip`; a console script added and later dropped; legacy `setup.py
// install` (Debian's pip takes it when `wheel` is absent from the venv) and `-e .`. After every
// step, bin/ holds exactly the expected names and nothing a host could run unsandboxed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "support.h"
#include "wheels.h"

namespace vx::test {
namespace {

// A package `hello` of `version` with the console scripts `scripts` (each runs hello:main).
std::string write_hello(const TempProject& p, const std::string& version,
                        const std::vector<std::string>& scripts) {
  std::string dir = p.project + "/src-" + version;
  std::vector<std::string> entries;
  for (const auto& s : scripts) entries.push_back(s + "=hello:main");
  write_package(dir, "hello", version, "def main():\n    print('hello " + version + "')\n",
                entries);
  return dir;
}

// Built on the host, by the host's pip and python3-wheel: no network, no PyPI.
std::string build_wheel(const TempProject& p, const std::string& src) {
  RunResult r = build_wheel_into(p, src, p.project + "/dist", p.project);
  if (r.status != 0) throw std::runtime_error("pip wheel: " + r.err);
  for (const auto& name : dir_names(p.project + "/dist"))
    if (name.find(src.substr(src.rfind('-') + 1) + "-py3") != std::string::npos)
      return p.project + "/dist/" + name;
  throw std::runtime_error("no wheel built from " + src);
}

RunResult pip(const TempProject& p, bool module, std::vector<std::string> args) {
  std::vector<std::string> argv = {p.venv + "/bin/pip"};
  if (module) argv = {p.venv + "/bin/python", "-m", "pip"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, base_env(p), p.project);
}

// The names of bin/ that start with `prefix`, with their real/ counterparts checked.
std::vector<std::string> entries(const TempProject& p, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& n : dir_names(p.venv + "/bin"))
    if (n.starts_with(prefix)) out.push_back(n);
  for (const auto& n : dir_names(p.venv + "/venv-exec/real"))
    if (n.starts_with(prefix) && std::find(out.begin(), out.end(), n) == out.end())
      out.push_back("real/" + n + " without its wrapper");
  return out;
}

std::string run_entry(const TempProject& p, const std::string& name) {
  return run({p.venv + "/bin/" + name}, base_env(p), p.project).out;
}

using Names = std::vector<std::string>;

// One wrapped venv with pip for the whole program (making one takes seconds); each test
// leaves it as it found it, with `hello` uninstalled.
class Shared : public ::testing::Environment {
 public:
  void SetUp() override {
    p = new TempProject(make_project(true, "proj", true));
    ASSERT_EQ(run_launcher(*p, {"install"}).status, 0);
    v1 = build_wheel(*p, write_hello(*p, "1.0", {"hello", "hello-old"}));
    v2 = build_wheel(*p, write_hello(*p, "2.0", {"hello", "hello-new"}));
  }
  void TearDown() override { delete p; }
  static TempProject* p;
  static std::string v1, v2;
};
TempProject* Shared::p = nullptr;
std::string Shared::v1, Shared::v2;
[[maybe_unused]] const auto* const kShared = ::testing::AddGlobalTestEnvironment(new Shared);

class PipLifecycle : public ::testing::TestWithParam<bool> {
 protected:
  TempProject& p_ = *Shared::p;
  const std::string& v1_ = Shared::v1;
  const std::string& v2_ = Shared::v2;
};

TEST_P(PipLifecycle, InstallUpgradeDowngradeReinstallUninstall) {
  bool module = GetParam();
  RunResult r = pip(p_, module, {"install", "-q", "--no-index", v1_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), (Names{"hello", "hello-old"}));
  EXPECT_EQ(run_entry(p_, "hello-old"), "hello 1.0\n");
  EXPECT_EQ(bin_violations(p_.venv), "");

  r = pip(p_, module, {"install", "-q", "--no-index", v2_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), (Names{"hello", "hello-new"}));
  EXPECT_EQ(run_entry(p_, "hello"), "hello 2.0\n");
  EXPECT_EQ(bin_violations(p_.venv), "");

  r = pip(p_, module, {"install", "-q", "--no-index", "--find-links", "dist", "hello==1.0"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), (Names{"hello", "hello-old"}));
  EXPECT_EQ(run_entry(p_, "hello"), "hello 1.0\n");
  EXPECT_EQ(bin_violations(p_.venv), "");

  r = pip(p_, module, {"install", "-q", "--no-index", "--force-reinstall", v1_});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), (Names{"hello", "hello-old"}));
  EXPECT_EQ(run_entry(p_, "hello"), "hello 1.0\n");
  EXPECT_EQ(bin_violations(p_.venv), "");

  r = pip(p_, module, {"uninstall", "-q", "-y", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), Names{});
  EXPECT_EQ(bin_violations(p_.venv), "");
  // pip itself still works after all that, and saw no broken RECORD.
  r = pip(p_, module, {"check"});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
}

INSTANTIATE_TEST_SUITE_P(PipAndPythonDashMPip, PipLifecycle, ::testing::Values(false, true));

class PipLegacy : public ::testing::Test {
 protected:
  TempProject& p_ = *Shared::p;
};

TEST_F(PipLegacy, SetupPyInstallThenForceReinstallThenUninstall) {
  // Without `wheel` in the venv, Debian 12's pip installs a source tree with setup.py install.
  ASSERT_NE(run({p_.venv + "/bin/python", "-c", "import wheel"}, base_env(p_), p_.project).status,
            0);
  std::string src = write_hello(p_, "3.0", {"hello"});
  RunResult r = pip(p_, false, {"install", "-q", "--no-index", "--no-build-isolation", src});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), Names{"hello"});
  EXPECT_EQ(run_entry(p_, "hello"), "hello 3.0\n");
  r = pip(p_, false,
          {"install", "-q", "--no-index", "--no-build-isolation", "--force-reinstall", src});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(run_entry(p_, "hello"), "hello 3.0\n");
  EXPECT_EQ(bin_violations(p_.venv), "");
  r = pip(p_, true, {"uninstall", "-q", "-y", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), Names{});
  EXPECT_EQ(bin_violations(p_.venv), "");
}

TEST_F(PipLegacy, EditableInstallFollowsTheSourceAndUninstalls) {
  std::string src = write_hello(p_, "4.0", {"hello"});
  RunResult r = pip(p_, false, {"install", "-q", "--no-index", "--no-build-isolation", "-e", src});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), Names{"hello"});
  EXPECT_EQ(run_entry(p_, "hello"), "hello 4.0\n");
  write_file(src + "/hello/__init__.py", "def main():\n    print('edited')\n");
  EXPECT_EQ(run_entry(p_, "hello"), "edited\n");
  EXPECT_EQ(bin_violations(p_.venv), "");
  r = pip(p_, false, {"uninstall", "-q", "-y", "hello"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(entries(p_, "hello"), Names{});
  EXPECT_EQ(bin_violations(p_.venv), "");
}

// A package whose build step records whether the system's C headers are visible.
std::string write_probe(const TempProject& p) {
  std::string dir = p.project + "/probe";
  mkdir(dir.c_str(), 0755);
  write_file(dir + "/setup.py",
             "import os\nfrom setuptools import setup\n"
             "open('" + p.project + "/probe-result', 'w').write("
             "str(os.path.exists('/usr/include/stdio.h')))\n"
             "setup(name='probe', version='1.0', py_modules=[])\n");
  return dir;
}

class PipView : public ::testing::Test {
 protected:
  TempProject& p_ = *Shared::p;
};

TEST_F(PipView, PipRunsWithTheSystemProfileAndSeesTheUsersPipConfOnly) {
  mkdir((p_.home + "/.config").c_str(), 0755);
  mkdir((p_.home + "/.config/pip").c_str(), 0755);
  write_file(p_.home + "/.config/pip/pip.conf", "[global]\ntimeout = 77\n");
  RunResult r = pip(p_, false, {"config", "list"});
  EXPECT_NE(r.out.find("global.timeout='77'\n"), std::string::npos) << r.out << r.err;
  // Another program of the same venv does not see it (the positive control: the host does);
  // at most the empty mount point that pip's run left in VENV/home.
  std::string code = "import os; p = os.path.expanduser('~/.config/pip/pip.conf')\n"
                     "print(open(p).read() if os.path.exists(p) else '', end='')\n"
                     "print(os.path.exists('/usr/include/stdio.h'))";
  // (/usr/include is there for every program: the standard view shows all of /usr, SPEC §3.)
  EXPECT_EQ(run({p_.venv + "/bin/python", "-c", code}, base_env(p_), p_.project).out, "True\n");
  EXPECT_EQ(run({"/usr/bin/python3", "-c", code}, base_env(p_), p_.project).out,
            "[global]\ntimeout = 77\nTrue\n");
  // pip's own view has the compilers' headers (profile system): a build step can see them.
  RunResult headers = pip(p_, true, {"install", "-q", "--no-index", "--no-build-isolation",
                                     write_probe(p_)});
  EXPECT_EQ(headers.status, 0) << headers.err;
  EXPECT_EQ(read_file(p_.project + "/probe-result"), "True");
  unlink((p_.home + "/.config/pip/pip.conf").c_str());
}

TEST_F(PipView, APathTypedOnThePipCommandLineIsShownForThatRunOnly) {
  std::string src = p_.root + "/src-outside", wheels = p_.root + "/wheels";
  write_package(src, "outside", "1.0", "X = 1\n");
  RunResult built = build_wheel_into(p_, src, wheels, p_.project);
  ASSERT_EQ(built.status, 0) << built.err;
  std::string code = "import os; print(os.path.exists('../wheels'))";
  EXPECT_EQ(run({p_.venv + "/bin/python", "-c", code}, base_env(p_), p_.project).out,
            "False\n");
  RunResult r =
      pip(p_, false, {"install", "-q", "--no-index", "--find-links", "../wheels", "outside"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(run({p_.venv + "/bin/python", "-c", "import outside; print(outside.X)"}, base_env(p_),
                p_.project)
                .out,
            "1\n");
  EXPECT_EQ(run({p_.venv + "/bin/python", "-c", code}, base_env(p_), p_.project).out,
            "False\n");
  ASSERT_EQ(pip(p_, false, {"uninstall", "-q", "-y", "outside"}).status, 0);
}

TEST_F(PipView, TheHomeDirectoryOrAnAncestorIsNeverBound) {
  for (const std::string& path : {p_.home, p_.root, std::string("/")}) {
    RunResult r = pip(p_, false, {"download", "-q", "--no-index", "-d", "dl", path});
    EXPECT_EQ(r.status, 1);  // pip's: the path is not there
    EXPECT_NE(r.err.find(path + " is not shown to pip: it is / or holds your home"),
              std::string::npos)
        << r.err;
  }
}

}  // namespace
}  // namespace vx::test
