// [o] outside, trusted host side of the link channel (SPEC §10): judge each message from the
// sandbox, print the accepted URL, and open it on the host through the desktop portal or
// xdg-open, or only print it. Nothing of D-Bus is loaded: gdbus runs as a separate process,
// and the tools are looked up at the first link, so a launch that opens none pays nothing.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "host/host.h"
#include "plan/links.h"
#include "sandbox/link_server.h"

namespace vx {

class HostLinks : public LinkHandler {
 public:
  explicit HostLinks(const HostFacts& host) : host_(host) {}
  unsigned char on_link(const LinkMessage& message) override;
  void on_child_exit() override;
  // When the run ends: waits for the portal calls still running (bounded by gdbus's own
  // --timeout), so that a failure still prints the link. xdg-open is not waited for: it may
  // run the browser in the foreground.
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

  const HostFacts& host_;
  std::optional<OpenerFacts> facts_;
  LinkBudget budget_;
  LinkBudget refusals_shown_;
  std::vector<Opening> running_;
};

}  // namespace vx
