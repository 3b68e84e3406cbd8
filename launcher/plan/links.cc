#include "plan/links.h"

#include <algorithm>

#include "base/path.h"

namespace vx {

namespace {

// Case-insensitive scheme match (RFC 3986 §3.1: schemes are case-insensitive).
bool has_scheme(std::string_view url, std::string_view scheme) {
  if (url.size() <= scheme.size() || url[scheme.size()] != ':') return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    char c = url[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != scheme[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> link_refusal(std::string_view url) {
  if (url.empty()) return "the message is empty";
  if (url.size() > kMaxLinkBytes) return "it is longer than 8 KiB";
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return "it contains a control character";
    if (u == ' ') return "it contains a blank (write it as %20)";
    if (u > 0x7e) return "it is not ASCII (write it percent-encoded)";
  }
  if (has_scheme(url, "http") || has_scheme(url, "https")) {
    std::string_view rest = url.substr(url.find(':') + 1);
    if (!rest.starts_with("//") || rest.size() == 2) return "it has no host after the scheme";
    return std::nullopt;
  }
  if (has_scheme(url, "mailto")) return std::nullopt;
  return "only http, https and mailto links are opened";
}

bool LinkBudget::take(uint64_t now_ms) {
  constexpr uint64_t kWindowMs = 60 * 1000;
  while (!taken_ms.empty() && now_ms - taken_ms.front() >= kWindowMs) taken_ms.pop_front();
  if (taken_ms.size() >= kLinksPerMinute) return false;
  taken_ms.push_back(now_ms);
  return true;
}

LinkOpener choose_opener(const OpenerFacts& facts) {
  if (facts.session_bus && !facts.gdbus.empty()) return LinkOpener::kPortal;
  if (facts.display && !facts.xdg_open.empty()) return LinkOpener::kXdgOpen;
  return LinkOpener::kPrint;
}

std::vector<std::string> opener_argv(LinkOpener opener, const OpenerFacts& facts,
                                     const std::string& url) {
  if (opener == LinkOpener::kXdgOpen) return {facts.xdg_open, url};
  if (opener != LinkOpener::kPortal) return {};
  // org.freedesktop.portal.OpenURI.OpenURI(s parent_window, s uri, a{sv} options). A bounded
  // --timeout: the launcher waits for gdbus when the run ends.
  return {facts.gdbus,
          "call",
          "--session",
          "--timeout",
          "10",
          "--dest",
          "org.freedesktop.portal.Desktop",
          "--object-path",
          "/org/freedesktop/portal/desktop",
          "--method",
          "org.freedesktop.portal.OpenURI.OpenURI",
          "''",
          gvariant_string(url),
          "@a{sv} {}"};
}

std::string gvariant_string(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::vector<MountOp> plan_link_mounts(const std::string& self_exe, bool host_xdg_open,
                                      const std::vector<MountOp>& view) {
  if (self_exe.empty()) return {};
  std::vector<MountOp> ops = {{MountKind::kSymlink, self_exe, kLinksShim}};
  // A file bind needs its mount point to exist: only over a host xdg-open that does, in a
  // directory bound from the host.
  bool shown = std::any_of(view.begin(), view.end(), [](const MountOp& op) {
    return op.kind == MountKind::kRoBind && op.src == op.dest && is_within(kHostXdgOpen, op.dest);
  });
  if (host_xdg_open && shown) ops.push_back({MountKind::kRoBind, self_exe, kHostXdgOpen});
  return ops;
}

}  // namespace vx
