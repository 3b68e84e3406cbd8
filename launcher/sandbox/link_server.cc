#include "sandbox/link_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "base/error.h"
#include "plan/links.h"

namespace vx {

namespace {

// A message must arrive whole within this time: a client that never finishes holds a slot
// only this long, and the run's end never waits for it.
constexpr uint64_t kMessageDeadlineMs = 2000;
// Connections accepted at one wake; those past kMaxConnections are closed unanswered (the shim
// then reports no answer).
constexpr int kMaxAcceptsPerRound = 16;
// socket(7); missing from the headers of libc versions older than Linux 6.16.
#ifndef SO_PASSRIGHTS
constexpr int SO_PASSRIGHTS = 83;
#endif

// Closes descriptors the sandbox passed without the launcher ever waiting on them. The last
// close of a TCP socket with SO_LINGER set waits out the linger time (socket(7)), in the
// closing process: the launcher would freeze with its signals blocked and --timeout dead. A
// process that exits skips that wait (inet_release: not when PF_EXITING), so a child holds
// them while the launcher drops its copies, then exits; the pipe orders the two.
void discard_descriptors(const std::vector<int>& fds) {
  int order[2];
  if (pipe2(order, O_CLOEXEC) != 0) return;  // kept open: a leak, not a freeze
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    close(order[1]);
    while (read(order[0], &c, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  close(order[0]);
  if (pid < 0) return close(order[1]), void();  // kept open, as above
  for (int fd : fds) close(fd);
  close(order[1]);
  retry_eintr([&] { return waitpid(pid, nullptr, 0); });
}

// The descriptors in `msg`'s SCM_RIGHTS messages.
std::vector<int> received_descriptors(struct msghdr& msg) {
  std::vector<int> fds;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const auto* data = reinterpret_cast<const unsigned char*>(CMSG_DATA(c));
    for (size_t i = 0; i < n; ++i) {
      int fd;
      std::memcpy(&fd, data + i * sizeof fd, sizeof fd);
      fds.push_back(fd);
    }
  }
  return fds;
}

}  // namespace

void refuse_passed_descriptors(int listener) {
  int zero = 0;
  setsockopt(listener, SOL_SOCKET, SO_PASSRIGHTS, &zero, sizeof zero);
}

size_t LinkServer::add_pollfds(struct pollfd* out) const {
  if (!active_) return 0;
  size_t n = 0;
  out[n++] = {listener_.get(), POLLIN, 0};
  for (const auto& c : connections_) out[n++] = {c.fd.get(), POLLIN, 0};
  return n;
}

int LinkServer::timeout_ms(uint64_t now_ms) const {
  int timeout = -1;
  for (const auto& c : connections_) {
    int left = c.deadline_ms > now_ms ? static_cast<int>(c.deadline_ms - now_ms) : 0;
    if (timeout < 0 || left < timeout) timeout = left;
  }
  return timeout;
}

void LinkServer::accept_all(uint64_t now_ms) {
  for (int i = 0; i < kMaxAcceptsPerRound; ++i) {
    UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd) return;
    if (connections_.size() >= kMaxConnections) continue;  // closed unanswered
    connections_.push_back({std::move(fd), {}, now_ms + kMessageDeadlineMs});
  }
}

std::optional<LinkMessage::End> LinkServer::read_some(Connection& c) {
  char buf[4096];
  while (true) {
    // With a control buffer for the most a message can carry (SCM_MAX_FD, 253): descriptors
    // that did not fit would be closed by the kernel in this process, with the linger wait
    // discard_descriptors avoids. Only reached when SO_PASSRIGHTS is not supported.
    alignas(struct cmsghdr) unsigned char control[CMSG_SPACE(253 * sizeof(int))];
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(c.fd.get(), &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n >= 0 && msg.msg_controllen > 0) {
      std::vector<int> fds = received_descriptors(msg);
      if (!fds.empty()) discard_descriptors(fds);
    }
    if (n == 0) return LinkMessage::End::kComplete;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return std::nullopt;
      return LinkMessage::End::kUnfinished;  // reset: what came is not a whole message
    }
    c.bytes.append(buf, static_cast<size_t>(n));
    if (c.bytes.size() > kMaxLinkBytes) return LinkMessage::End::kTooLong;
  }
}

void LinkServer::answer(Connection& c, LinkMessage::End end) {
  LinkMessage m{std::move(c.bytes), end};
  unsigned char verdict = handler_ != nullptr ? handler_->on_link(m) : kLinkRefused;
  // MSG_NOSIGNAL: a client gone already must not kill the launcher with SIGPIPE.
  send(c.fd.get(), &verdict, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
  c.fd.reset();
}

void LinkServer::serve(const struct pollfd* fds, uint64_t now_ms) {
  if (!active_) return;
  size_t i = 1;
  for (auto& c : connections_) {
    const struct pollfd& p = fds[i++];
    std::optional<LinkMessage::End> end;
    if (p.revents != 0) end = read_some(c);
    if (end) {
      answer(c, *end);
    } else if (now_ms >= c.deadline_ms) {
      answer(c, LinkMessage::End::kUnfinished);
    }
  }
  std::erase_if(connections_, [](const Connection& c) { return !c.fd; });
  if (fds[0].revents & POLLIN) accept_all(now_ms);
}

}  // namespace vx
