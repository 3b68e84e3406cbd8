// `venv-exec explain`: for each kind of refusal, the report names it and the fix, and applying
// the fix makes the same program succeed (the always-denied call excepted: nothing lifts it).
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

// The report's JSON objects of one kind (one a line, on stderr after the run).
std::vector<std::string> findings(const std::string& err, const std::string& kind) {
  std::vector<std::string> out;
  size_t at = 0;
  while ((at = err.find("{\"kind\":\"" + kind + "\"", at)) != std::string::npos) {
    size_t end = err.find('\n', at);
    out.push_back(err.substr(at, end - at));
    at = end;
  }
  return out;
}

// The words of a JSON array of strings named `key` in `object` (no escapes in these tests).
std::vector<std::string> json_words(const std::string& object, const std::string& key) {
  std::vector<std::string> words;
  size_t at = object.find("\"" + key + "\":[");
  if (at == std::string::npos) return words;
  at = object.find('[', at) + 1;
  while (object[at] == '"') {
    size_t end = object.find('"', at + 1);
    words.push_back(object.substr(at + 1, end - at - 1));
    at = end + 1 + (object[end + 1] == ',');
  }
  return words;
}

std::string python_code(const std::string& body) {
  return "import ctypes, errno, os, socket, subprocess, sys\n"
         "libc = ctypes.CDLL(None, use_errno=True)\n" +
         body;
}

RunResult explain(const TempProject& p, const std::vector<std::string>& options,
                  const std::string& code, const std::vector<std::string>& env = {}) {
  std::vector<std::string> args = {"explain", "--format", "json"};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {p.venv + "/bin/python", "-c", python_code(code)});
  return run_launcher(p, args, env);
}

RunResult plain(const TempProject& p, const std::vector<std::string>& options,
                const std::string& code, const std::vector<std::string>& env = {}) {
  std::vector<std::string> args = options;
  args.insert(args.end(), {p.venv + "/bin/python", "-c", python_code(code)});
  return run_launcher(p, args, env);
}

class Explain : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(run_launcher(p_, {"install"}).status, 0); }
  TempProject p_ = make_project(true);
};

TEST_F(Explain, HostDirectoryOutsideTheView) {
  std::string dir = p_.root + "/outside-data";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  write_file(dir + "/table.csv", "a,b\n");
  std::string code = "print(open('" + dir + "/table.csv').read(), end='')\n";
  ASSERT_EQ(host_probe(p_, code).out, "a,b\n");  // control: the file is there on the host
  RunResult r = explain(p_, {}, code);
  EXPECT_EQ(r.status, 1) << r.err;  // the program's own failure (FileNotFoundError)
  auto paths = findings(r.err, "path");
  std::vector<std::string> option;
  for (const auto& f : paths)
    if (f.find("\"path\":\"" + dir + "/table.csv\"") != std::string::npos)
      option = json_words(f, "option");
  ASSERT_EQ(option, (std::vector<std::string>{"--ro-bind", dir, dir})) << r.err;
  RunResult fixed = plain(p_, option, code);
  EXPECT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(fixed.out, "a,b\n");
}

TEST_F(Explain, HiddenBinaryExecuted) {
  std::string tool = p_.root + "/tools/hello";
  ASSERT_EQ(mkdir((p_.root + "/tools").c_str(), 0755), 0);
  write_file(tool, read_file("/usr/bin/echo"), 0755);
  std::string code = "subprocess.run(['" + tool + "', 'hi'], check=True)\n";
  RunResult r = explain(p_, {}, code);
  EXPECT_EQ(r.status, 1) << r.err;
  std::vector<std::string> option;
  for (const auto& f : findings(r.err, "path"))
    if (f.find("\"path\":\"" + tool + "\"") != std::string::npos) option = json_words(f, "option");
  ASSERT_EQ(option, (std::vector<std::string>{"--expose", tool})) << r.err;
  RunResult fixed = plain(p_, option, code);
  EXPECT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(fixed.out, "hi\n");
}

// mbind is not on the default allowlist: ENOSYS; the report's SANDBOX_SECCOMP_ALLOW adds it.
TEST_F(Explain, CallOutsideTheAllowlist) {
  std::string code =
      "r = libc.syscall(237, 0, 0, 0, 0, 0, 0)\n"
      "print('refused' if r < 0 and ctypes.get_errno() == errno.ENOSYS else 'ran')\n";
  RunResult r = explain(p_, {}, code);
  EXPECT_EQ(r.out, "refused\n") << r.err;
  auto calls = findings(r.err, "syscall");
  ASSERT_EQ(calls.size(), 1u) << r.err;
  EXPECT_NE(calls[0].find("\"name\":\"mbind\""), std::string::npos) << calls[0];
  EXPECT_NE(calls[0].find("\"always_denied\":false"), std::string::npos) << calls[0];
  const std::string key = "\"allow\":\"SANDBOX_SECCOMP_ALLOW='";
  size_t at = calls[0].find(key);
  ASSERT_NE(at, std::string::npos) << calls[0];
  at += key.size();
  std::string list = calls[0].substr(at, calls[0].find('\'', at) - at);
  EXPECT_TRUE(list.ends_with(" mbind")) << list;
  RunResult fixed = plain(p_, {}, code, {"SANDBOX_SECCOMP_ALLOW=" + list});
  EXPECT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(fixed.out, "ran\n") << fixed.err;
}

TEST_F(Explain, AlwaysDeniedCallHasNoFix) {
  std::string code =
      "r = libc.syscall(312, os.getpid(), os.getpid(), 0, 0, 0)\n"
      "print(errno.errorcode[ctypes.get_errno()] if r < 0 else 'ran')\n";
  RunResult r = explain(p_, {}, code);
  EXPECT_EQ(r.out, "EPERM\n") << r.err;
  auto calls = findings(r.err, "syscall");
  ASSERT_EQ(calls.size(), 1u) << r.err;
  EXPECT_NE(calls[0].find("\"name\":\"kcmp\""), std::string::npos) << calls[0];
  EXPECT_NE(calls[0].find("\"always_denied\":true"), std::string::npos) << calls[0];
  EXPECT_EQ(calls[0].find("\"allow\""), std::string::npos) << calls[0];
  // Text form: says so in words.
  RunResult text = run_launcher(p_, {"explain", p_.venv + "/bin/python", "-c", python_code(code)});
  EXPECT_NE(text.err.find("kcmp (EPERM, 1x)"), std::string::npos) << text.err;
  EXPECT_NE(text.err.find("always denied: no option"), std::string::npos) << text.err;
}

// A listener on the host's loopback (this test's own socket: nothing leaves the machine).
TEST_F(Explain, LoopbackRefusedWithoutTheHostNetwork) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  sockaddr_in a = {};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(listen(s, 4), 0);
  ASSERT_EQ(getsockname(s, reinterpret_cast<sockaddr*>(&a), &len), 0);
  std::string port = std::to_string(ntohs(a.sin_port));
  std::string code =
      "c = socket.create_connection(('127.0.0.1', " + port + "))\nprint('connected')\n";
  // --net none, and --net internet (the sandbox's own loopback behind pasta; nothing leaves
  // the machine: the connect goes to that loopback).
  for (std::vector<std::string> mode : {std::vector<std::string>{"--unshare-net"},
                                        std::vector<std::string>{"--net", "internet"}}) {
    RunResult r = explain(p_, mode, code);
    EXPECT_EQ(r.status, 1) << mode.back() << ": " << r.err;  // ConnectionRefusedError
    auto net = findings(r.err, "network");
    ASSERT_EQ(net.size(), 1u) << mode.back() << ": " << r.err;
    EXPECT_NE(net[0].find("\"address\":\"127.0.0.1:" + port + "\""), std::string::npos) << net[0];
    ASSERT_EQ(json_words(net[0], "option"), (std::vector<std::string>{"--net", "host"}));
    mode.insert(mode.end(), {"--net", "host"});
    RunResult fixed = plain(p_, mode, code);
    EXPECT_EQ(fixed.out, "connected\n") << fixed.err;
  }
  close(s);
}

// VENV/bin/NAME with VENV_EXEC_EXPLAIN; the report's install line, run as given, makes the
// proposed options the venv's defaults, after which the entrypoint alone succeeds.
TEST_F(Explain, EntrypointAndTheSuggestedInstallLine) {
  std::string dir = p_.root + "/shared";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  write_file(dir + "/x.txt", "x\n");
  std::vector<std::string> argv = {p_.venv + "/bin/python", "-c",
                                   "print(open('" + dir + "/x.txt').read(), end='')"};
  std::vector<std::string> env = base_env(p_);
  env.push_back("VENV_EXEC_EXPLAIN=json");
  RunResult r = run(argv, env, p_.project);
  EXPECT_EQ(r.status, 1) << r.err;
  auto install = findings(r.err, "install");
  ASSERT_EQ(install.size(), 1u) << r.err;
  std::vector<std::string> words = json_words(install[0], "command");
  ASSERT_GE(words.size(), 6u) << install[0];
  EXPECT_EQ(words[0], "venv-exec");
  EXPECT_EQ(words[2], p_.venv);
  words.erase(words.begin());  // "venv-exec": the binary under test
  EXPECT_EQ(run_launcher(p_, words).status, 0);
  RunResult fixed = run(argv, base_env(p_), p_.project);
  EXPECT_EQ(fixed.status, 0) << fixed.err;
  EXPECT_EQ(fixed.out, "x\n");
}

}  // namespace
}  // namespace vx::test
