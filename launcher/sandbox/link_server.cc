#include "sandbox/link_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <optional>

#include "plan/links.h"

namespace vx {

namespace {

// A message must arrive whole within this time: a client that never finishes holds a slot
// only this long, and the run's end never waits for it.
constexpr uint64_t kMessageDeadlineMs = 2000;
// Connections read at once; more are closed unanswered (the shim then reports no answer).
constexpr size_t kMaxConnections = 4;
constexpr int kMaxAcceptsPerRound = 16;

}  // namespace

void LinkServer::add_pollfds(std::vector<struct pollfd>& fds) const {
  if (!active_) return;
  fds.push_back({listener_.get(), POLLIN, 0});
  for (const auto& c : connections_) fds.push_back({c.fd.get(), POLLIN, 0});
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
    // recv() without a control buffer: descriptors the client attaches (SCM_RIGHTS) are
    // never installed here; the kernel closes them and flags MSG_CTRUNC (unix(7), scm_recv).
    ssize_t n = recv(c.fd.get(), buf, sizeof buf, MSG_DONTWAIT);
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
