// [o] outside: the launcher's end of the link channel. pid 1 binds the listening socket at
// plan.links_socket inside the sandbox; the launcher accepts on it from its supervision loop,
// reads each message under a size cap and a deadline, asks the host side for a verdict and
// sends it back as one byte. Impure.
#pragma once

#include <poll.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"

namespace vx {

// Makes the kernel refuse descriptors sent over `listener` and the connections it accepts
// (SO_PASSRIGHTS, Linux 6.16; senders get EPERM). Why: the launcher would otherwise hold, and
// close, descriptors the sandbox chose (see LinkServer::read_some). Older kernels answer
// EINVAL or ENOPROTOOPT; read_some's own discarding then covers them.
void refuse_passed_descriptors(int listener);

// One message from the sandbox: the bytes received, and how the message ended.
struct LinkMessage {
  enum class End { kComplete, kTooLong, kUnfinished };
  std::string bytes;
  End end = End::kComplete;
};

// The host side's part (host/link_open.h): judge and open, and reap what it started.
class LinkHandler {
 public:
  virtual ~LinkHandler() = default;
  virtual unsigned char on_link(const LinkMessage& message) = 0;  // the shim's exit status
  virtual void on_child_exit() = 0;                               // SIGCHLD arrived
};

class LinkServer {
 public:
  LinkServer(UniqueFd listener, LinkHandler* handler)
      : listener_(std::move(listener)), handler_(handler) {}

  // pid 1 reported that the socket listens: poll it from now on (before that, an unbound
  // stream socket polls as POLLHUP and would spin the loop).
  void activate() { active_ = static_cast<bool>(listener_); }
  void child_exited() {
    if (handler_ != nullptr) handler_->on_child_exit();
  }

  // Connections read at once; more are closed unanswered.
  static constexpr size_t kMaxConnections = 4;
  // The most descriptors add_pollfds writes: the listener and one per connection.
  static constexpr size_t kMaxPollfds = 1 + kMaxConnections;
  // Writes the descriptors to poll to `out` (room for kMaxPollfds) and returns how many; serve()
  // then takes the same slice back.
  size_t add_pollfds(struct pollfd* out) const;
  void serve(const struct pollfd* fds, uint64_t now_ms);
  // Milliseconds until the next connection's deadline, -1 if none.
  int timeout_ms(uint64_t now_ms) const;

 private:
  struct Connection {
    UniqueFd fd;
    std::string bytes;
    uint64_t deadline_ms = 0;
  };
  void accept_all(uint64_t now_ms);
  // How the message ended, or nullopt while more may come.
  std::optional<LinkMessage::End> read_some(Connection& c);
  void answer(Connection& c, LinkMessage::End end);

  UniqueFd listener_;
  LinkHandler* handler_ = nullptr;
  bool active_ = false;
  std::vector<Connection> connections_;
};

}  // namespace vx
