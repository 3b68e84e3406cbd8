// Links from the sandbox (SPEC §10): where the xdg-open shim and the link socket live inside,
// which URLs the launcher accepts, how many per minute, and how the host opens them. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plan/mount_plan.h"

namespace vx {

// Beside the sandbox marker, on the read-only root: the program can use the socket but not
// replace it, nor the shim, with its own.
inline constexpr const char* kLinksBinDir = "/run/venv-exec/bin";
inline constexpr const char* kLinksShim = "/run/venv-exec/bin/xdg-open";
inline constexpr const char* kLinksSocket = "/run/venv-exec/links.sock";
inline constexpr const char* kShimName = "xdg-open";
// The host's xdg-open, shown inside /usr as the shim (bound over it) rather than itself.
inline constexpr const char* kHostXdgOpen = "/usr/bin/xdg-open";

inline constexpr size_t kMaxLinkBytes = 8192;
inline constexpr size_t kLinksPerMinute = 5;

// xdg-open(1)'s exit statuses, which the shim returns as the launcher's verdict.
inline constexpr unsigned char kLinkOpened = 0;     // handed to the host's opener, or printed
inline constexpr unsigned char kLinkRefused = 1;    // not an acceptable URL
inline constexpr unsigned char kLinkNoChannel = 3;  // --no-open: nothing to send it to
inline constexpr unsigned char kLinkTooMany = 4;    // over the per-minute budget

// Why the launcher refuses `url`, or nullopt when it is an http, https or mailto URL of
// printable ASCII without blanks, at most kMaxLinkBytes long; an http(s) host that is local
// (localhost, a loopback, private, link-local or unspecified address) only when the sandbox
// shares the host's network (`host_network`: then `jupyter notebook`'s localhost link is the
// host's too; otherwise it would reach the host's own servers instead); no mailto link that
// asks for an attachment.
std::optional<std::string> link_refusal(std::string_view url, bool host_network = false);

// At most kLinksPerMinute accepted links in any 60 s. A vector, not a deque: a deque allocates
// at construction, and the launcher makes its budgets just after the clone, where each heap
// page it writes is a copy-on-write fault; this one allocates only at the first link.
struct LinkBudget {
  std::vector<uint64_t> taken_ms;  // CLOCK_MONOTONIC of each accepted link in the window
  bool take(uint64_t now_ms);
};

enum class LinkOpener { kPortal, kXdgOpen, kPrint };

// What the host offers, from the caller's environment and the tools found on its PATH.
struct OpenerFacts {
  bool session_bus = false;  // DBUS_SESSION_BUS_ADDRESS set
  bool display = false;      // DISPLAY or WAYLAND_DISPLAY set
  std::string gdbus;         // path of gdbus, "" if absent
  std::string xdg_open;      // path of the host's xdg-open, "" if absent
};

// The portal on the session bus first (it works in Flatpak and on Wayland), then xdg-open
// when there is a display to open it on (without one it would start a text browser on the
// user's terminal), else print only (ssh, CI).
LinkOpener choose_opener(const OpenerFacts& facts);

// The host command that opens an accepted `url` (kPortal or kXdgOpen). The URL is one argv
// element, never a shell word; it starts with its scheme's letter, so no tool takes it for an
// option.
std::vector<std::string> opener_argv(LinkOpener opener, const OpenerFacts& facts,
                                     const std::string& url);

// `s` as a GVariant text-format string literal: gdbus parses its arguments as GVariant text,
// and would read backslash escapes in a bare word.
std::string gvariant_string(std::string_view s);

// The shim inside: its link on PATH and, over the host's xdg-open when the host has one
// (`host_xdg_open`) and a read-only bind of `view` shows it (all profiles bind /usr/bin).
std::vector<MountOp> plan_link_mounts(const std::string& self_exe, bool host_xdg_open,
                                      const std::vector<MountOp>& view);

}  // namespace vx
