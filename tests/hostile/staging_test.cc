// Hostile content in pip's staged bin/ (SPEC §7, §3a.4): what a sandboxed pip leaves there is
// published without following a link, opening a FIFO or reading a huge file, and never as a
// name the host trusts. The stand-in for pip plants it all in one run, next to an ordinary
// console script, the positive control that the publish ran.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support.h"

namespace vx::test {
namespace {

// Each plant prints what it made, proving the attempt was real.
std::string planter(const TempProject& p) {
  return "#!" + p.venv +
         "/bin/python\n"
         "import os, sys\n"
         "b = os.path.join(sys.prefix, 'bin')\n"
         "def put(name, body, mode=0o755):\n"
         "    with open(os.path.join(b, name), 'w') as f: f.write(body)\n"
         "    os.chmod(os.path.join(b, name), mode)\n"
         "put('good', '#!/bin/sh\\necho good\\n')\n"
         "os.mkfifo(os.path.join(b, 'fifo'))\n"
         "os.chmod(os.path.join(b, 'fifo'), 0o755)\n"
         "print('fifo', os.path.exists(os.path.join(b, 'fifo')))\n"
         "os.symlink('" +
         p.secret_path +
         "', os.path.join(b, 'secret'))\n"
         "print('secret', os.readlink(os.path.join(b, 'secret')))\n"
         "with open(os.path.join(b, 'huge'), 'w') as f: f.truncate(1 << 32)\n"
         "os.chmod(os.path.join(b, 'huge'), 0o755)\n"
         "print('huge', os.stat(os.path.join(b, 'huge')).st_size)\n"
         "try:\n"
         "    put('activate', 'echo evil\\n', 0o644)\n"
         "    print('activate written')\n"
         "except OSError as e:\n"
         "    print('activate', e.errno)\n"
         "put('activate.zsh', 'echo evil\\n', 0o644)\n"
         "print('activate.zsh', os.path.exists(os.path.join(b, 'activate.zsh')))\n"
         "put('esc\\x1b[31m', 'x', 0o644)\n";
}

class Staging : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(p_.venv + "/bin/pip3", planter(p_), 0755);
    ASSERT_EQ(run_launcher(p_, {"install"}).status, 0);
    activate_ = read_file(p_.venv + "/bin/activate");
    pip_ = run({p_.venv + "/bin/pip3"}, base_env(p_), p_.project);
    ASSERT_EQ(pip_.status, 0) << pip_.err;
  }
  TempProject p_ = make_project(true);
  std::string activate_;
  RunResult pip_;
};

TEST_F(Staging, TheOrdinaryScriptIsPublishedAndNothingUnwrappedReachesBin) {
  EXPECT_EQ(run({p_.venv + "/bin/good"}, base_env(p_), p_.project).out, "good\n");
  EXPECT_EQ(bin_violations(p_.venv), "");
}

TEST_F(Staging, AFifoIsSkippedWithAWarningNotOpened) {
  EXPECT_NE(pip_.out.find("fifo True\n"), std::string::npos) << pip_.out;  // it was made
  EXPECT_FALSE(exists(p_.venv + "/bin/fifo"));
  EXPECT_FALSE(exists(p_.venv + "/venv-exec/real/fifo"));
  EXPECT_NE(pip_.err.find("fifo: not a regular file or a link"), std::string::npos) << pip_.err;
}

TEST_F(Staging, ALinkToAHostSecretIsMovedNeverFollowed) {
  EXPECT_NE(pip_.out.find("secret " + p_.secret_path + "\n"), std::string::npos) << pip_.out;
  // Positive control: on the host, the link does lead to the key.
  EXPECT_EQ(read_file(p_.venv + "/venv-exec/real/secret"), p_.secret + "\n");
  // The launcher moved the link itself (no copy of the key), wrapped it, and the sandbox it
  // runs in does not show the key.
  struct stat st;
  ASSERT_EQ(lstat((p_.venv + "/venv-exec/real/secret").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(bin_violations(p_.venv), "");
  RunResult r = run({p_.venv + "/bin/secret"}, base_env(p_), p_.project);
  EXPECT_EQ(r.status, 127);  // the key is not there inside
  EXPECT_EQ(r.out.find(p_.secret), std::string::npos);
}

TEST_F(Staging, AHugeFileIsSkippedUnread) {
  EXPECT_NE(pip_.out.find("huge 4294967296\n"), std::string::npos) << pip_.out;
  EXPECT_FALSE(exists(p_.venv + "/bin/huge"));
  EXPECT_FALSE(exists(p_.venv + "/venv-exec/real/huge"));
  EXPECT_NE(pip_.err.find("huge: larger than"), std::string::npos) << pip_.err;
}

TEST_F(Staging, ActivateScriptsCannotBeChangedOrPlanted) {
  EXPECT_NE(pip_.out.find("activate 30\n"), std::string::npos) << pip_.out;  // EROFS
  EXPECT_EQ(read_file(p_.venv + "/bin/activate"), activate_);
  // Planted in the staging dir (the positive control), never published to the host's bin/.
  EXPECT_NE(pip_.out.find("activate.zsh True\n"), std::string::npos) << pip_.out;
  EXPECT_FALSE(exists(p_.venv + "/bin/activate.zsh"));
  EXPECT_NE(pip_.err.find("activate.zsh: not executable"), std::string::npos) << pip_.err;
}

TEST_F(Staging, NamesAreEscapedInWarnings) {
  EXPECT_NE(pip_.err.find("esc\\x1b[31m: not executable"), std::string::npos) << pip_.err;
  EXPECT_EQ(pip_.err.find('\x1b'), std::string::npos);
}

// pip.conf's mount point lies in VENV/home, which every sandbox writes: a link planted in its
// way is stepped around with a warning, not an error on every later pip run.
TEST(PipConf, ALinkPlantedInTheWayOfPipConfDoesNotStopPip) {
  TempProject p = make_project(true);
  write_file(p.venv + "/bin/pip3",
             "#!" + p.venv + "/bin/python\nimport os\n"
             "print(os.path.exists(os.path.expanduser('~/.config/pip/pip.conf')))\n",
             0755);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  ASSERT_EQ(mkdir((p.home + "/.config").c_str(), 0755), 0);
  ASSERT_EQ(mkdir((p.home + "/.config/pip").c_str(), 0755), 0);
  write_file(p.home + "/.config/pip/pip.conf", "[global]\n");
  // Positive control: pip sees the user's pip.conf.
  RunResult seen = run({p.venv + "/bin/pip3"}, base_env(p), p.project);
  EXPECT_EQ(seen.out, "True\n") << seen.err;
  RunResult plant = run_launcher(p, {"/bin/sh", "-c", "rm -rf ~/.config && ln -s /nowhere ~/.config"});
  ASSERT_EQ(plant.status, 0) << plant.err;
  RunResult after = run({p.venv + "/bin/pip3"}, base_env(p), p.project);
  EXPECT_EQ(after.status, 0) << after.err;
  EXPECT_EQ(after.out, "False\n");
  EXPECT_NE(after.err.find("is in the way (a sandbox may have made it)"), std::string::npos)
      << after.err;
}

}  // namespace
}  // namespace vx::test
