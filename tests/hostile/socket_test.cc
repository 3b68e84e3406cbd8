// Hostile probes against host sockets: path sockets under the host's /tmp and beside the
// project, and abstract unix sockets (the network namespace is shared by default: the
// Landlock scope keeps the host's out of reach; --unshare-net hides them too).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "support.h"

namespace vx::test {
namespace {

int listen_unix(const std::string& name, bool abstract) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  socklen_t len = sizeof(sa_family_t) + name.size();
  if (abstract) {
    std::memcpy(addr.sun_path + 1, name.data(), name.size());
    len += 1;
  } else {
    std::memcpy(addr.sun_path, name.data(), name.size());
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 || listen(fd, 8) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

std::string connect_probe(const std::string& address) {
  return "import socket\n"
         "def conn():\n"
         "    s = socket.socket(socket.AF_UNIX)\n"
         "    s.connect(" +
         address +
         ")\n"
         "attempt(conn)\n";
}

TEST(Sockets, HostPathSocketsAreInvisible) {
  TempProject p = make_project(true);
  std::string in_tmp = "/tmp/" + unique_token("vx-sock-");
  std::string beside = p.root + "/service.sock";
  int a = listen_unix(in_tmp, false), b = listen_unix(beside, false);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  std::string code = connect_probe("'" + in_tmp + "'") + connect_probe("'" + beside + "'");
  EXPECT_EQ(host_probe(p, code).out, "OK \nOK \n");
  EXPECT_EQ(sandbox_probe(p, code).out, "ERR ENOENT\nERR ENOENT\n");
  close(a);
  close(b);
  unlink(in_tmp.c_str());
}

TEST(Sockets, HostRunAndX11SocketDirectoriesAreAbsent) {
  TempProject p = make_project(true);
  std::string code =
      "attempt(lambda: os.listdir('/run/user'))\n"
      "attempt(lambda: os.listdir('/tmp/.X11-unix'))\n"
      "attempt(lambda: os.listdir('/var/run'))\n";
  RunResult r = sandbox_probe(p, code);
  std::string uid = std::to_string(getuid());
  EXPECT_EQ(r.out, "OK ['" + uid + "']\nERR ENOENT\nERR ENOENT\n") << r.err;
}

TEST(Sockets, HostAbstractSocketsAreUnreachableWithTheNetworkShared) {
  // Abstract sockets belong to the network namespace, which is shared by default (pip
  // downloads); the Landlock scope of ABI 6 confines them to the sandbox's own domain.
  VX_REQUIRE_KERNEL(landlock_abi() >= 6, "Landlock ABI 6 (abstract unix socket scope)");
  TempProject p = make_project(true);
  std::string name = unique_token("vx-abstract-");
  int fd = listen_unix(name, true);
  ASSERT_GE(fd, 0);
  std::string code = connect_probe("'\\0" + name + "'");
  // Positive control: from the host, the listener is reachable.
  EXPECT_EQ(host_probe(p, code).out, "OK \n");
  RunResult shared = sandbox_probe(p, code);
  EXPECT_EQ(shared.out, "ERR EPERM\n") << shared.err;
  EXPECT_EQ(sandbox_probe(p, code, {"--unshare-net"}).out, "ERR ECONNREFUSED\n");
  close(fd);
}

TEST(Sockets, AbstractSocketsInsideTheSandboxStillWork) {
  // The scope refuses only sockets bound outside the program's domain: a server and a client
  // started in the same sandbox (a test suite's own services) talk as before.
  TempProject p = make_project(true);
  std::string name = unique_token("vx-inside-");
  std::string code =
      "import socket\n"
      "srv = socket.socket(socket.AF_UNIX)\n"
      "srv.bind('\\0" +
      name +
      "')\n"
      "srv.listen(1)\n" +
      connect_probe("'\\0" + name + "'");
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.out, "OK \n") << r.err;
}

}  // namespace
}  // namespace vx::test
