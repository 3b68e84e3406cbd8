// Hostile probes for the Landlock ruleset under the namespaces: it holds where no mount stands
// in the way. A host directory's descriptor handed to the program (over a unix socket in the
// project) opens nothing outside the view, and procfs, mounted read-write, takes no write.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "support.h"

namespace vx::test {
namespace {

// Serves `rounds` connections on the unix socket PATH: each gets descriptors of `dirs`.
class DescriptorServer {
 public:
  DescriptorServer(const std::string& path, const std::vector<std::string>& dirs, int rounds) {
    listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ok_ = bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
          listen(listen_fd_, 4) == 0;
    for (const auto& d : dirs) fds_.push_back(open(d.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (ok_) thread_ = std::thread([this, rounds] { serve(rounds); });
  }
  ~DescriptorServer() {
    shutdown(listen_fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    close(listen_fd_);
    for (int fd : fds_) close(fd);
  }
  bool ok() const { return ok_; }

 private:
  void serve(int rounds) {
    for (int i = 0; i < rounds; ++i) {
      int c = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) return;
      char byte = 'F';
      iovec iov{&byte, 1};
      std::vector<char> control(CMSG_SPACE(sizeof(int) * fds_.size()));
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.data();
      msg.msg_controllen = control.size();
      cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      cm->cmsg_level = SOL_SOCKET;
      cm->cmsg_type = SCM_RIGHTS;
      cm->cmsg_len = CMSG_LEN(sizeof(int) * fds_.size());
      std::memcpy(CMSG_DATA(cm), fds_.data(), sizeof(int) * fds_.size());
      sendmsg(c, &msg, 0);
      close(c);
    }
  }
  int listen_fd_ = -1;
  bool ok_ = false;
  std::vector<int> fds_;
  std::thread thread_;
};

TEST(Landlock, HostDescriptorsOpenNothingOutsideTheView) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 2, "Landlock ABI 2");
  TempProject p = make_project(true);
  write_file(p.project + "/notes.txt", "project-notes\n");
  // One connection for the host control, one for the sandbox.
  DescriptorServer server(p.project + "/fd.sock", {p.home, p.project}, 2);
  ASSERT_TRUE(server.ok());
  std::string code =
      "import socket\n"
      "s = socket.socket(socket.AF_UNIX)\n"
      "s.connect('fd.sock')\n"
      "home, proj = socket.recv_fds(s, 1, 2)[1]\n"
      "def read(d, name):\n"
      "    with open(os.open(name, os.O_RDONLY, dir_fd=d)) as f:\n"
      "        return f.read().strip()\n"
      "def create(d, name):\n"
      "    os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=d))\n"
      "attempt(lambda: read(home, '.ssh/id_ed25519'))\n"
      "attempt(lambda: create(home, 'planted'))\n"
      "attempt(lambda: read(proj, 'notes.txt'))\n";
  // Positive control: with the descriptor, the host reads the key and writes beside it.
  EXPECT_EQ(host_probe(p, code).out, "OK " + p.secret + "\nOK \nOK project-notes\n");
  ASSERT_EQ(unlink((p.home + "/planted").c_str()), 0);
  // Inside, no mount hides the host's home from that descriptor: the ruleset refuses it, and
  // still allows the project, which is part of the view.
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "ERR EACCES\nERR EACCES\nOK project-notes\n") << inside.err;
  EXPECT_FALSE(exists(p.home + "/planted"));
}

TEST(Landlock, ProcTakesNoWrite) {
  VX_REQUIRE_KERNEL(landlock_abi() >= 2, "Landlock ABI 2");
  TempProject p = make_project(true);
  // procfs is mounted read-write and a process may rename itself: only the ruleset says no.
  std::string code =
      "attempt(lambda: open('/proc/self/comm', 'w').write('renamed'))\n"
      "attempt(lambda: open('/proc/self/comm').read().strip())\n";
  EXPECT_EQ(host_probe(p, code).out, "OK 7\nOK renamed\n");
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "ERR EACCES\nOK python3\n") << inside.err;
}

}  // namespace
}  // namespace vx::test
