// [o] outside, trusted host side of the link channel (SPEC §10): judge each message from the
// sandbox, print the accepted URL, and open it on the host through the desktop portal or
// xdg-open, or only print it. Nothing of D-Bus is loaded: gdbus runs as a separate process,
// and the tools are checked at the first link, so a launch that opens none pays nothing.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "host/host.h"
#include "plan/links.h"
#include "sandbox/link_server.h"

namespace vx {

inline constexpr const char* kHostGdbus = "/usr/bin/gdbus";

class HostLinks : public LinkHandler {
 public:
  // `untrusted`: the directories the sandbox can write (the project, the venv); no opener, nor
  // a PATH entry given to one, may lie there. `host_network`: the sandbox shares the host's
  // network (--net host), so its local URLs are the host's too (link_refusal).
  HostLinks(const HostFacts& host, std::vector<std::string> untrusted, bool host_network);
  unsigned char on_link(const LinkMessage& message) override;
  void on_child_exit() override;
  // When the run ends: waits for the portal calls still running (gdbus's own --timeout, and
  // at most 10 s in all), so that a failure still prints the link. xdg-open is not waited
  // for: it may run the browser in the foreground.
  void finish();

 private:
  struct Opening {
    pid_t pid;
    LinkOpener opener;
    std::string url;
  };
  void refuse(const std::string& why, const std::string& text);
  void open(const std::string& url, LinkOpener opener);
  void opened(const Opening& o, int status);
  const OpenerFacts& facts();
  const std::vector<std::string>& opener_env();

  const HostFacts& host_;
  std::vector<std::string> untrusted_;
  bool host_network_;
  std::optional<std::vector<std::string>> env_;  // the caller's, PATH cleaned
  std::optional<OpenerFacts> facts_;
  LinkBudget budget_;
  LinkBudget refusals_shown_;
  std::vector<Opening> running_;
};

}  // namespace vx
