// While explain holds a notified call, the program can watch the launcher (here: whether it
// read the program's command line, through mincore on the program's own argv page). Nothing it
// sees may depend on the host: not whether a path exists there, nor a pid, nor a listening port.
// And once the launcher has received a call, a signal must not turn it into EINTR.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "explain_probe_c.h"
#include "support.h"

namespace vx::test {
namespace {

class ExplainOracle : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(p_.root + "/probe.c", kExplainProbeC);
    RunResult cc =
        run({"/usr/bin/cc", "-O2", "-pthread", "-o", p_.project + "/probe", p_.root + "/probe.c"},
            {"PATH=/usr/bin:/bin"}, p_.root);
    ASSERT_EQ(cc.status, 0) << cc.err;
  }
  RunResult probe(const std::vector<std::string>& pre, const std::vector<std::string>& items) {
    std::vector<std::string> args = pre;
    args.insert(args.end(), {"./probe", "x", "0"});
    args.insert(args.end(), items.begin(), items.end());
    return run_launcher(p_, args);
  }
  TempProject p_ = make_project(true);
};

// A TCP socket listening on 127.0.0.1, and the port of another one already closed.
struct Ports {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int listening = 0, free = 0;
  Ports() {
    auto bound_port = [](int s) {
      sockaddr_in a = {};
      a.sin_family = AF_INET;
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof a;
      if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
          getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        return 0;
      return static_cast<int>(ntohs(a.sin_port));
    };
    listening = bound_port(fd);
    listen(fd, 1);
    int other = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    free = bound_port(other);
    close(other);
  }
  ~Ports() { close(fd); }
};

TEST_F(ExplainOracle, LauncherWorkDoesNotDependOnTheHost) {
  std::string dir = p_.root + "/host-only";
  ASSERT_EQ(mkdir(dir.c_str(), 0755), 0);
  write_file(dir + "/present", "x");
  ASSERT_TRUE(exists(dir + "/present"));  // control: on the host, and not the other one
  ASSERT_FALSE(exists(dir + "/absent"));
  pid_t none = 4194000;
  while (kill(none, 0) == 0 || errno != ESRCH) --none;
  std::string live = "L:/proc/" + std::to_string(getpid()) + "/status";
  std::string dead = "L:/proc/" + std::to_string(none) + "/status";
  Ports ports;
  ASSERT_NE(ports.listening, 0);
  std::string up = "C:" + std::to_string(ports.listening);
  std::string down = "C:" + std::to_string(ports.free);
  std::vector<std::string> items = {dir + "/present",
                                    dir + "/absent",
                                    dir + "/present",
                                    dir + "/absent",
                                    live,
                                    dead,
                                    up,
                                    down,
                                    "X"};
  RunResult r = probe({"explain", "--format", "json", "--unshare-net"}, items);
  ASSERT_EQ(r.status, 0) << r.err;
  // First lookups of both read the command line, repeats of both do not; /proc is not looked
  // at; a refused call reads it too (the control: the probe does see the launcher's read).
  EXPECT_EQ(r.out, dir + "/present read=1\n" + dir + "/absent read=1\n" + dir +
                       "/present read=0\n" + dir + "/absent read=0\n" + live + " read=0\n" + dead +
                       " read=0\n" + up + " read=1\n" + down + " read=1\nX read=1\n");
  // After the run the host was asked: the report keeps exactly the host's side.
  EXPECT_NE(r.err.find("\"path\":\"" + dir + "/present\",\"call\":\"newfstatat\",\"count\":2"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find(dir + "/absent"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\"address\":\"127.0.0.1:" + std::to_string(ports.listening) + "\""),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("127.0.0.1:" + std::to_string(ports.free)), std::string::npos);
  EXPECT_EQ(r.err.find("/proc"), std::string::npos) << r.err;
  // Control: a normal run has no launcher reading anything.
  RunResult normal = probe({"--unshare-net"}, {dir + "/present", "X"});
  EXPECT_EQ(normal.out, dir + "/present read=0\nX read=0\n") << normal.err;
}

// SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: a signal sent once the launcher holds the call (it is
// reading the command line) waits for the answer. A signal before the launcher receives the
// call can still interrupt it (README, venv-exec(1)): the probe never sends one then. Each
// trial is a new absent path, which the launcher reads the command line for.
TEST_F(ExplainOracle, SignalDuringTheAnswerIsNoEintr) {
  RunResult r = probe({"explain"}, {"eintr", "300"});
  ASSERT_EQ(r.status, 0) << r.err;
  // signalled: calls did get their signal once the launcher held them (the control). The
  // launcher answers microseconds after its read, so without the flag only some would fail.
  EXPECT_EQ(r.out, "trials=300 signalled=some eintr=0\n") << r.err;
}

}  // namespace
}  // namespace vx::test
