// Everyday work that must just work inside (issue 13): service names, scheduler calls, the
// user's git identity (and nothing else of the gitconfig), the caller's terminal by its name.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(DailyWork, ServiceAndProtocolNamesResolveInEveryProfile) {
  TempProject p = make_project(true);
  std::string code =
      "import socket\n"
      "print(socket.getservbyname('http'), socket.getprotobyname('tcp'))\n"
      "print(sorted({a[4][1] for a in socket.getaddrinfo('localhost', 'http', "
      "type=socket.SOCK_STREAM)}))\n";
  RunResult host = host_probe(p, code);
  ASSERT_EQ(host.out, "80 6\n[80]\n") << host.err;
  for (const char* profile : {"minimal", "system"}) {
    RunResult r = sandbox_probe(p, code, {"--profile", profile});
    EXPECT_EQ(r.out, host.out) << profile << ": " << r.err;
  }
  RunResult by_default = sandbox_probe(p, code);
  EXPECT_EQ(by_default.out, host.out) << by_default.err;
}

TEST(DailyWork, SchedulerCallsWorkAsCpythonsTestPosixUsesThem) {
  TempProject p = make_project(true);
  std::string code =
      "import os, sys\n"
      "policy = os.sched_getscheduler(0)\n"
      "print(policy == os.SCHED_OTHER, os.sched_getparam(0).sched_priority)\n"
      "os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))\n"
      "os.sched_setparam(0, os.sched_param(0))\n"
      "for scheduler in [(os.SCHED_OTHER, os.sched_param(0)), (None, os.sched_param(0))]:\n"
      "    pid = os.posix_spawn(sys.executable, [sys.executable, '-c', 'pass'], os.environ,\n"
      "                         scheduler=scheduler)\n"
      "    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))\n";
  RunResult host = host_probe(p, code);
  ASSERT_EQ(host.out, "True 0\n0\n0\n") << host.err;
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, host.out) << r.err;
}

// A host gitconfig with an identity and the kind of secrets such files hold.
std::string planted_gitconfig(const std::string& token) {
  return "[user]\n\tname = Ada Host\n\temail = ada@host.example\n"
         "[credential]\n\thelper = store --file /x\n"
         "[url \"https://" +
         token +
         "@github.com/\"]\n\tinsteadOf = https://github.com/\n"
         "[http]\n\textraHeader = Authorization: Bearer " +
         token + "\n";
}

TEST(DailyWork, GitInsideKnowsTheUsersIdentityAndNothingElseOfTheGitconfig) {
  TempProject p = make_project(true);
  std::string token = unique_token("GITTOKEN");
  write_file(p.home + "/.gitconfig", planted_gitconfig(token), 0600);
  // The positive control: git on the host reads the identity and the secret from that file.
  RunResult host = run({"/usr/bin/git", "config", "--global", "--list"}, base_env(p), p.project);
  ASSERT_NE(host.out.find("user.name=Ada Host"), std::string::npos) << host.err;
  ASSERT_NE(host.out.find(token), std::string::npos);
  RunResult r = run_launcher(
      p, {"/bin/sh", "-c",
          "git init -q repo && cd repo && git commit -q --allow-empty -m inside && "
          "git log -1 --format='%an|%ae|%cn|%ce'; git config --list --show-origin; env; "
          "cat \"$HOME/.gitconfig\" 2>/dev/null || echo no-gitconfig"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1),
            "Ada Host|ada@host.example|Ada Host|ada@host.example\n")
      << r.out << r.err;
  EXPECT_EQ(r.out.find(token), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("credential"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("no-gitconfig"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find(token), std::string::npos) << r.err;
}

TEST(DailyWork, GitIdentityComesFromXdgConfigAndTheProjectsOwnConfigWins) {
  TempProject p = make_project(true);
  std::string xdg = p.root + "/xdg";
  ASSERT_EQ(mkdir(xdg.c_str(), 0700), 0);
  ASSERT_EQ(mkdir((xdg + "/git").c_str(), 0700), 0);
  write_file(xdg + "/git/config", "[user]\n\tname = Xdg Name\n\temail = xdg@host.example\n");
  write_file(p.home + "/.gitconfig", "[user]\n\temail = global@host.example\n");
  std::vector<std::string> env = base_env(p);
  env.push_back("XDG_CONFIG_HOME=" + xdg);
  ASSERT_EQ(run({"/usr/bin/git", "init", "-q", p.project}, env, p.project).status, 0);
  std::string ident = "git var GIT_AUTHOR_IDENT | sed 's/>.*/>/'";
  RunResult host = run({"/bin/sh", "-c", ident}, env, p.project);
  ASSERT_EQ(host.out, "Xdg Name <global@host.example>\n") << host.err;
  RunResult inside = run_launcher(p, {"/bin/sh", "-c", ident}, {"XDG_CONFIG_HOME=" + xdg});
  EXPECT_EQ(inside.out, host.out) << inside.err;
  // A per-project email, set in .git/config on the host, is what git inside uses too.
  ASSERT_EQ(
      run({"/usr/bin/git", "config", "user.email", "local@project.example"}, env, p.project).status,
      0);
  RunResult local = run_launcher(p, {"/bin/sh", "-c", ident}, {"XDG_CONFIG_HOME=" + xdg});
  EXPECT_EQ(local.out, "Xdg Name <local@project.example>\n") << local.err;
  // GIT_CONFIG_GLOBAL names the file git reads instead of both user files.
  write_file(p.root + "/named.gitconfig", "[user]\n\tname = Named File\n");
  std::string named = "GIT_CONFIG_GLOBAL=" + p.root + "/named.gitconfig";
  env.push_back(named);
  RunResult host_named = run({"/bin/sh", "-c", ident}, env, p.project);
  ASSERT_EQ(host_named.out, "Named File <local@project.example>\n") << host_named.err;
  RunResult in_named = run_launcher(p, {"/bin/sh", "-c", ident}, {"XDG_CONFIG_HOME=" + xdg, named});
  EXPECT_EQ(in_named.out, host_named.out) << in_named.err;
}

TEST(DailyWork, TheCallersTerminalIsVisibleByItsNameAndNoOtherIs) {
  TempProject p = make_project(true);
  std::string code =
      "import os, subprocess\n"
      "name = os.ttyname(0)\n"
      "print('name', name == os.ttyname(1) == os.ttyname(2), name.startswith('/dev/pts/'))\n"
      "print('tty', subprocess.run(['tty'], capture_output=True, text=True).stdout.strip() "
      "== name)\n"
      "others = [n for n in os.listdir('/dev/pts') if n not in ('ptmx', name[9:])]\n"
      "print('others', others)\n"
      "fd = os.open(name, os.O_WRONLY | os.O_NOCTTY)\n"
      "os.write(fd, b'written-by-name\\n')\n";
  RunResult host = run_under_pty({"/usr/bin/python3", "-c", code}, base_env(p), p.project);
  ASSERT_NE(host.out.find("name True True"), std::string::npos) << host.out << host.err;
  for (const char* profile : {"minimal", "system"}) {
    RunResult r =
        run_under_pty({launcher_path(), "--profile", profile, "/usr/bin/python3", "-c", code},
                      base_env(p), p.project);
    EXPECT_NE(r.out.find("name True True\ntty True\nothers []\nwritten-by-name"), std::string::npos)
        << profile << ": " << r.out << r.err;
  }
  // A pty opened inside still works next to it, with a name of the private devpts.
  RunResult pty = run_under_pty(
      {launcher_path(), "/usr/bin/python3", "-c",
       "import os, pty\nm, s = pty.openpty()\nprint('inner', os.ttyname(s) != os.ttyname(0))\n"
       "os.write(m, b'x\\n'); print('read', os.read(s, 10))\n"},
      base_env(p), p.project);
  EXPECT_NE(pty.out.find("inner True\nread b'x\\n'"), std::string::npos) << pty.out << pty.err;
}

TEST(DailyWork, GetpassReadsFromTheCallersTerminal) {
  TempProject p = make_project(true);
  RunResult r = run_under_pty({launcher_path(), "/usr/bin/python3", "-c",
                               "import getpass\nprint('got', repr(getpass.getpass('pw: ')))"},
                              base_env(p), p.project, "pw: ", "hunter2");
  EXPECT_NE(r.out.find("got 'hunter2'"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.out.find("Warning"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vx::test
