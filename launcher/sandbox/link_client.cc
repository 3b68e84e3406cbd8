#include "sandbox/link_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "base/fd.h"
#include "base/path.h"
#include "plan/links.h"

namespace vx {

namespace {

// The launcher answers as soon as it has judged the message and started the opener.
constexpr int kAnswerTimeoutMs = 10000;

int shim_fail(int code, const std::string& why) {
  std::string line = "venv-exec: xdg-open: " + terminal_safe(why) + "\n";
  write_all(STDERR_FILENO, line);
  return code;
}

}  // namespace

int run_link_shim(const std::vector<std::string>& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "--version")) {
    std::fputs(
        "usage: xdg-open URL\nvenv-exec's xdg-open: the launcher checks the link (http, "
        "https or mailto) and opens it on the host.\n",
        stdout);
    return 0;
  }
  if (args.size() != 1) return shim_fail(kLinkRefused, "expected one URL; usage: xdg-open URL");
  const std::string& url = args[0];
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return shim_fail(kLinkNoChannel, std::string("socket: ") + strerror(errno));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, kLinksSocket, sizeof addr.sun_path - 1);
  if (connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0)
    return shim_fail(kLinkNoChannel, errno == ENOENT
                                         ? "links are off in this sandbox (--no-open)"
                                         : std::string("reach the launcher: ") + strerror(errno));
  // The whole URL, then end of message. A launcher that stops reading early (too long)
  // still answers: keep going to read its verdict.
  size_t sent = 0;
  while (sent < url.size()) {
    ssize_t n = send(sock.get(), url.data() + sent, url.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(sock.get(), SHUT_WR);
  struct pollfd p = {sock.get(), POLLIN, 0};
  unsigned char verdict = 0;
  if (retry_eintr([&] { return poll(&p, 1, kAnswerTimeoutMs); }) != 1 ||
      retry_eintr([&] { return recv(sock.get(), &verdict, 1, 0); }) != 1)
    return shim_fail(kLinkTooMany, "the launcher did not answer");
  return verdict;
}

}  // namespace vx
