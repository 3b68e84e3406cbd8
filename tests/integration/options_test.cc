// The bubblewrap-compatible options and the variables that carry them, replaying the
// sandbox-venv README's examples where they apply.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(Options, BwrapArgsAddsAReadOnlyFileForOneCall) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/bin/sh", "-c", "cat /file; echo x > /file"},
                             {"BWRAP_ARGS=--ro-bind /etc/os-release /file"});
  EXPECT_EQ(r.status, 2);  // sh: the redirection failed
  EXPECT_EQ(r.out, read_file("/etc/os-release"));
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.err;
}

TEST(Options, LaterSourcesWin) {
  TempProject p = make_project(true);
  // VENV_EXEC_ARGS comes after BWRAP_ARGS, the command line after both.
  RunResult r = run_launcher(p, {"--setenv", "WHO", "cli", "/usr/bin/env"},
                             {"BWRAP_ARGS=--setenv WHO bwrap --setenv A 1",
                              "VENV_EXEC_ARGS=--setenv WHO vx --setenv B 2"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("WHO=cli\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("A=1\n"), std::string::npos);
  EXPECT_NE(r.out.find("B=2\n"), std::string::npos);
}

TEST(Options, SetenvReachesTheProgramAndCallerSecretsDoNot) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/usr/bin/env"},
                             {"BWRAP_ARGS=--setenv OPENAI_API_KEY c4f3b4b3",
                              "GITHUB_TOKEN=ghp_secret", "AWS_SECRET_ACCESS_KEY=aws_secret"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("OPENAI_API_KEY=c4f3b4b3\n"), std::string::npos);
  EXPECT_EQ(r.out.find("ghp_secret"), std::string::npos);
  EXPECT_EQ(r.out.find("aws_secret"), std::string::npos);
}

TEST(Options, NewlineSeparatedValueKeepsSpacesInPaths) {
  TempProject p = make_project(true);
  std::string dir = p.root + "/data with spaces";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  write_file(dir + "/f", "spaced\n");
  RunResult r = run_launcher(p, {"/bin/cat", "/mnt/my data/f"},
                             {"VENV_EXEC_ARGS=--ro-bind\n" + dir + "\n/mnt/my data\n"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "spaced\n");
}

TEST(Options, RootInsideWithNetBindServiceBindsPort80WithoutNetwork) {
  TempProject p = make_project(true);
  std::string code =
      "import os, socket\n"
      "s = socket.socket()\n"
      "s.bind(('127.0.0.1', 80))\n"
      "print(os.getuid(), s.getsockname()[1])\n";
  RunResult r = run_launcher(p, {"--uid", "0", "--cap-add", "cap_net_bind_service", "--unshare-net",
                                 "python3", "-c", code});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "0 80\n");
  // Positive control: without the capability the same bind is refused.
  RunResult denied = run_launcher(p, {"--uid", "0", "--unshare-net", "python3", "-c", code});
  EXPECT_EQ(denied.status, 1);  // the PermissionError
  EXPECT_NE(denied.err.find("PermissionError"), std::string::npos) << denied.err;
}

TEST(Options, UnshareNetCannotReachAHostLoopbackListener) {
  TempProject p = make_project(true);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 8), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string code = "import socket\ntry:\n    socket.create_connection(('127.0.0.1', " +
                     std::to_string(ntohs(addr.sin_port)) +
                     "), timeout=5)\n    print('connected')\nexcept OSError as e:\n"
                     "    print('refused', type(e).__name__)\n";
  // Positive control: with the default (shared) network the listener is reachable.
  RunResult shared = run_launcher(p, {"python3", "-c", code});
  EXPECT_EQ(shared.out, "connected\n") << shared.err;
  RunResult isolated = run_launcher(p, {"--unshare-net", "python3", "-c", code});
  EXPECT_EQ(isolated.out, "refused ConnectionRefusedError\n") << isolated.err;
  close(listener);
}

TEST(Options, HostnameInItsOwnUtsNamespace) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"--hostname", "sandbox-box", "/bin/uname", "-n"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "sandbox-box\n");
}

TEST(Options, TmpfsDirSymlinkAndChdir) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(
      p, {"--tmpfs", "/scratch", "--dir", "/scratch/d", "--symlink", "/scratch/d", "/scratch/link",
          "--chdir", "/scratch/link", "/bin/sh", "-c", "touch here && pwd -P && ls /scratch/d"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "/scratch/d\nhere\n");
}

TEST(Options, ErrorsNameTheOptionAndExit125) {
  TempProject p = make_project(true);
  RunResult unknown = run_launcher(p, {"--unshare-all", "true"});
  EXPECT_EQ(unknown.status, 125);
  EXPECT_NE(unknown.err.find("unknown option '--unshare-all'"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("--ro-bind"), std::string::npos);
  RunResult missing_arg = run_launcher(p, {"--bind", "/usr"});
  EXPECT_EQ(missing_arg.status, 125);
  EXPECT_NE(missing_arg.err.find("--bind takes SRC DEST"), std::string::npos) << missing_arg.err;
  RunResult missing_src = run_launcher(p, {"--ro-bind", p.root + "/nope", "/x", "/bin/true"});
  EXPECT_EQ(missing_src.status, 125);
  EXPECT_NE(missing_src.err.find("--ro-bind " + p.root + "/nope /x"), std::string::npos)
      << missing_src.err;
  EXPECT_EQ(run_launcher(p, {"--ro-bind-try", p.root + "/nope", "/x", "/bin/true"}).status, 0);
  RunResult in_var = run_launcher(p, {"/bin/true"}, {"BWRAP_ARGS=--frobnicate"});
  EXPECT_EQ(in_var.status, 125);
  EXPECT_NE(in_var.err.find("venv-exec: BWRAP_ARGS: unknown option '--frobnicate'"),
            std::string::npos)
      << in_var.err;
}

TEST(Dotenv, ValuesReachTheProgram) {
  TempProject p = make_project(true);
  write_file(p.project + "/.env", "export API_URL=\"http://localhost:8000\"\nDEBUG=1 # on\n");
  RunResult r = run_launcher(p, {"/usr/bin/env"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("API_URL=http://localhost:8000\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("DEBUG=1\n"), std::string::npos);
  // --setenv comes after .env.
  RunResult over = run_launcher(p, {"--setenv", "DEBUG", "0", "/usr/bin/env"});
  EXPECT_NE(over.out.find("DEBUG=0\n"), std::string::npos);
}

TEST(Dotenv, LauncherKeysChangeNothingAndWarn) {
  TempProject p = make_project(true);
  write_file(p.project + "/.env",
             "BWRAP_ARGS=--bind / /host\nVENV_EXEC_ARGS=--bind / /host2\nSANDBOX_SECCOMP_ALLOW=\n");
  RunResult r = run_launcher(
      p, {"/bin/sh", "-c", "ls /host /host2 2>&1 | head -2; grep Seccomp: /proc/self/status"});
  EXPECT_EQ(r.out,
            "ls: cannot access '/host': No such file or directory\n"
            "ls: cannot access '/host2': No such file or directory\n"
            "Seccomp:\t2\n");
  EXPECT_NE(r.err.find(".env:1: BWRAP_ARGS is ignored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(".env:2: VENV_EXEC_ARGS is ignored"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(".env:3: SANDBOX_SECCOMP_ALLOW is ignored"), std::string::npos) << r.err;
}

TEST(Dotenv, MalformedFileIsIgnoredWithAWarningNamingTheLine) {
  // SPEC §3a.4: a sandbox can write .env; a malformed one must not stop every later launch.
  TempProject p = make_project(true);
  write_file(p.project + "/.env", "A=1\nnot a line\n");
  RunResult r = run_launcher(p, {"/bin/sh", "-c", "echo A=${A-unset}"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "A=unset\n");
  EXPECT_NE(r.err.find("venv-exec: warning: " + p.project +
                       "/.env:2: expected KEY=VALUE; .env is ignored for this run"),
            std::string::npos)
      << r.err;
}

TEST(Dotenv, SandboxCannotRelaxTheNextRunThroughDotenv) {
  TempProject p = make_project(true);
  std::string relax = "printf 'BWRAP_ARGS=--bind / /host\\nSANDBOX_SECCOMP_ALLOW=\\n' > .env";
  // No .env before: the sandbox may create one, but the next run ignores what steers us.
  RunResult created = run_launcher(p, {"/bin/sh", "-c", relax});
  EXPECT_EQ(created.status, 0) << created.err;
  EXPECT_NE(created.err.find("the sandbox created " + p.project + "/.env"), std::string::npos);
  RunResult next = run_launcher(
      p, {"/bin/sh", "-c", "test -e /host && echo HOST; grep Seccomp: /proc/self/status"});
  EXPECT_EQ(next.out, "Seccomp:\t2\n") << next.err;
  // An existing .env is read-only inside.
  RunResult rewrite = run_launcher(p, {"/bin/sh", "-c", relax});
  EXPECT_EQ(rewrite.status, 2);  // sh: the redirection failed
  EXPECT_NE(rewrite.err.find("Read-only file system"), std::string::npos) << rewrite.err;
}

TEST(Options, PipCacheIsSharedOnlyWhenAskedFor) {
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.home + "/.cache").c_str(), 0700), 0);
  ASSERT_EQ(mkdir((p.home + "/.cache/pip").c_str(), 0700), 0);
  write_file(p.home + "/.cache/pip/marker", "host cache\n");
  std::string code = "cat " + p.home + "/.cache/pip/marker 2>/dev/null || echo absent";
  EXPECT_EQ(run_launcher(p, {"/bin/sh", "-c", code}).out, "absent\n");
  EXPECT_EQ(run_launcher(p, {"/bin/sh", "-c", code}, {"SANDBOX_USE_PIP_CACHE=1"}).out,
            "host cache\n");
}

TEST(Options, SandboxVenvReadmeExamplesWorkInTheMinimalView) {
  TempProject p = make_project(true);
  const std::string minimal = "VENV_EXEC_ARGS=--profile minimal";
  // BWRAP_ARGS='--bind /lib /lib': /lib is a link in the minimal view; the user's bind wins.
  RunResult lib =
      run_launcher(p, {"python3", "-c", "import os; print(len(os.listdir('/lib')) > 20)"},
                   {"BWRAP_ARGS=--bind /lib /lib", minimal});
  EXPECT_EQ(lib.out, "True\n") << lib.err;
  // The whole of /usr and /lib, for a package that needs a compiler.
  write_file(p.project + "/c.c", "int main(void) { return 3; }\n");
  std::string build = "cc c.c -o c.out && ./c.out; echo $?";
  RunResult without = run_launcher(p, {"/bin/sh", "-c", build}, {minimal});
  EXPECT_NE(without.out, "3\n");  // positive control: the minimal view has no compiler
  RunResult with = run_launcher(p, {"/bin/sh", "-c", build},
                                {"BWRAP_ARGS=--ro-bind /usr /usr --ro-bind /lib /lib", minimal});
  EXPECT_EQ(with.out, "3\n") << with.err;
}

}  // namespace
}  // namespace vx::test
