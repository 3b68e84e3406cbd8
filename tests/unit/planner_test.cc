#include <gtest/gtest.h>

#include "plan/environ.h"
#include "base/error.h"
#include "sandbox/idmap.h"
#include "plan/plan_sandbox.h"
#include "sample_request.h"
#include "host/venv.h"

namespace vx {
namespace {

TEST(Environ, AllowlistOurVariablesDotenvThenOptions) {
  std::vector<std::string> host = {"PATH=/home/u/bin:/usr/bin", "TERM=xterm",      "AWS_SECRET_ACCESS_KEY=s",
                                   "LC_ALL=C",      "PIP_INDEX_URL=x", "GITHUB_TOKEN=t",
                                   "HOME=/h"};
  EnvInputs in;
  in.host_environ = &host;
  in.home = "/home/u";
  in.venv_dir = "/p/.venv";
  in.dotenv = {{"FROM_DOTENV", "1"}, {"TERM", "dumb"}};
  in.changes = {{"SET", "2"}, {"LC_ALL", std::nullopt}};
  EXPECT_EQ(plan_environment(in),
            (std::vector<std::string>{"TERM=dumb", "HOME=/home/u", "VIRTUAL_ENV=/p/.venv",
                                      "PATH=/p/.venv/bin:/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
                                      "PS1=(venv-exec) \\w \\$ ",
                                      "FROM_DOTENV=1", "SET=2"}));
  in.pip = true;
  auto pip_env = plan_environment(in);
  EXPECT_NE(std::find(pip_env.begin(), pip_env.end(), "PIP_INDEX_URL=x"), pip_env.end());
  // pip: no .env (other runs write it), no user site; the options still apply.
  EXPECT_EQ(std::find(pip_env.begin(), pip_env.end(), "FROM_DOTENV=1"), pip_env.end());
  EXPECT_NE(std::find(pip_env.begin(), pip_env.end(), "PYTHONNOUSERSITE=1"), pip_env.end());
  EXPECT_NE(std::find(pip_env.begin(), pip_env.end(), "SET=2"), pip_env.end());
}

TEST(Planner, PythonDashMPipLeavesTheWorkingDirectoryOutOfSysPath) {
  std::vector<std::string> argv = {"/v/bin/python", "-m", "pip", "install", "x"};
  pip_module_argv(argv, "python", "3.11");
  EXPECT_EQ(argv, (std::vector<std::string>{"/v/bin/python", "-P", "-m", "pip", "install", "x"}));
  std::vector<std::string> old = {"/v/bin/python", "-m", "pip"};
  pip_module_argv(old, "python3", "3.10");  // no -P before 3.11: it would be refused
  EXPECT_EQ(old.size(), 3u);
  std::vector<std::string> script = {"/v/bin/pip", "install"};
  pip_module_argv(script, "pip", "3.12");  // a console script: sys.path[0] is bin/
  EXPECT_EQ(script.size(), 2u);
}

TEST(Environ, GitIdentityComesBeforeDotenvAndOptions) {
  EnvInputs in;
  in.home = "/home/u";
  in.git_identity = {{"GIT_AUTHOR_NAME", "Ada"}, {"GIT_AUTHOR_EMAIL", "a@x"}};
  in.dotenv = {{"GIT_AUTHOR_EMAIL", "dotenv@x"}};
  auto env = plan_environment(in);
  EXPECT_NE(std::find(env.begin(), env.end(), "GIT_AUTHOR_NAME=Ada"), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "GIT_AUTHOR_EMAIL=dotenv@x"), env.end());
}

TEST(Planner, OnlyTheCallersPseudoTerminalsAreShown) {
  EXPECT_EQ(plan_terminals({"/dev/pts/3", "/dev/pts/3", "/dev/pts/12"}),
            (std::vector<MountOp>{{MountKind::kTerminal, "", "/dev/pts/3"},
                                  {MountKind::kTerminal, "", "/dev/pts/12"}}));
  EXPECT_EQ(plan_terminals({"/dev/tty1", "/dev/ttyS0", "/dev/pts/", "/dev/pts/1x",
                            "/dev/pts/../../etc/passwd", "/dev/pts/512", "/dev/pts/99999"}),
            std::vector<MountOp>{});
}

TEST(Environ, PathEntries) {
  EXPECT_EQ(path_entries({"A=1", "PATH=/a::/b"}), (std::vector<std::string>{"/a", ".", "/b"}));
}

TEST(Planner, PipCommands) {
  EXPECT_TRUE(is_pip_command("pip", {"pip", "install"}));
  EXPECT_TRUE(is_pip_command("pip3.11", {"pip3.11"}));
  EXPECT_TRUE(is_pip_command("/v/bin/python", {"python", "-m", "pip", "install", "x"}));
  EXPECT_TRUE(is_pip_command("python3", {"python3", "-I", "-mpip"}));
  EXPECT_FALSE(is_pip_command("python", {"python", "-c", "-m pip"}));
  EXPECT_FALSE(is_pip_command("python", {"python", "-m", "pytest"}));
  EXPECT_FALSE(is_pip_command("pipx", {"pipx"}));
}

TEST(Planner, NamespacesIdsSeccompChoice) {
  LaunchRequest req = sample_request(NetMode::kNone);
  req.options.uid = 0;
  auto plan = plan_sandbox(req);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->ids, (IdMapping{0, 1000, 1000, 1000}));
  EXPECT_TRUE(plan->loopback_up);
  EXPECT_EQ(plan->seccomp.mode, SeccompPlan::Mode::kEmbedded);
  EXPECT_FALSE(plan->new_session);
  req.seccomp_allow = "";
  EXPECT_TRUE(plan_sandbox(req)->new_session);
  req.seccomp_allow = "read write exit_group";
  auto custom = plan_sandbox(req);
  EXPECT_EQ(custom->seccomp.mode, SeccompPlan::Mode::kCustom);
  EXPECT_EQ(custom->seccomp.allow, (std::vector<std::string>{"read", "write", "exit_group"}));
}

TEST(IdMap, Formats) {
  IdMapping ids{0, 1000, 5, 100};
  EXPECT_EQ(format_uid_map(ids), "0 1000 1\n");
  EXPECT_EQ(format_gid_map(ids), "5 100 1\n");
}

TEST(Pyvenv, ParsesVenvAndUvForms) {
  auto venv = parse_pyvenv_cfg(
      "home = /usr/bin\ninclude-system-site-packages = false\n"
      "version = 3.11.2\n",
      "cfg");
  ASSERT_TRUE(venv.has_value());
  EXPECT_EQ(venv->home, "/usr/bin");
  EXPECT_EQ(venv->version, "3.11.2");
  auto uv = parse_pyvenv_cfg("home=/opt/py/bin\r\nversion_info=3.12.1.final.0\r\n", "cfg");
  ASSERT_TRUE(uv.has_value());
  EXPECT_EQ(uv->home, "/opt/py/bin");
  EXPECT_EQ(uv->version, "3.12.1.final.0");
  EXPECT_FALSE(parse_pyvenv_cfg("version = 3\n", "cfg").has_value());
}

TEST(Errors, FormatWithHint) {
  Error e = Error::make("bind-mount /p/.git read-only", "busy", "close it");
  EXPECT_EQ(format_error(e),
            "venv-exec: bind-mount /p/.git read-only: busy\nvenv-exec: hint: close it\n");
  EXPECT_EQ(format_warning("w"), "venv-exec: warning: w\n");
}

}  // namespace
}  // namespace vx
