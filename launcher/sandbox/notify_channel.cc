#include "sandbox/notify_channel.h"

#include <sys/socket.h>

#include <cstring>

namespace vx {

Expected<NotifyChannel> make_notify_channel() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return fail(Error::from_errno("create the channel for explain's seccomp listener"));
  return NotifyChannel{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

namespace {

// One byte with room for one descriptor: the only message the channel carries. It points into
// itself, so it is built in place and never copied.
struct OneFdMessage {
  char byte = 'L';
  struct iovec iov = {&byte, 1};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  struct msghdr msg = {};
  OneFdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  OneFdMessage(const OneFdMessage&) = delete;
  OneFdMessage& operator=(const OneFdMessage&) = delete;
};

}  // namespace

Expected<void> send_listener(int sock, int listener, bool killable) {
  OneFdMessage m;
  m.byte = killable ? 'K' : 'L';
  struct msghdr& msg = m.msg;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &listener, sizeof(int));
  ssize_t sent = retry_eintr([&] { return sendmsg(sock, &msg, MSG_NOSIGNAL); });
  int err = errno;
  close(listener);
  close(sock);
  if (sent != 1) {
    errno = err;
    return fail(Error::from_errno("hand the seccomp listener to the launcher"));
  }
  return {};
}

UniqueFd receive_listener(int sock, bool& killable) {
  OneFdMessage m;
  struct msghdr& msg = m.msg;
  if (retry_eintr([&] { return recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); }) != 1) return UniqueFd();
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
      c->cmsg_len != CMSG_LEN(sizeof(int)))
    return UniqueFd();
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  killable = m.byte == 'K';
  return UniqueFd(fd);
}

}  // namespace vx
