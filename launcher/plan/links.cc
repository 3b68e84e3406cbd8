#include "plan/links.h"

#include <arpa/inet.h>

#include <algorithm>

#include "base/path.h"

namespace vx {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Case-insensitive scheme match (RFC 3986 §3.1: schemes are case-insensitive).
bool has_scheme(std::string_view url, std::string_view scheme) {
  if (url.size() <= scheme.size() || url[scheme.size()] != ':') return false;
  for (size_t i = 0; i < scheme.size(); ++i) {
    if (lower(url[i]) != scheme[i]) return false;
  }
  return true;
}

int hex_value(char c) {
  c = lower(c);
  if (c >= '0' && c <= '9') return c - '0';
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// Lower-cased, %XX decoded: browsers decode a percent-encoded host (http://%6cocalhost/).
std::string decoded_lower(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = i + 2 < s.size() && s[i] == '%' ? hex_value(s[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (lo < 0) {
      out += lower(s[i]);
      continue;
    }
    out += lower(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

// The host of an http(s) URL's authority (`rest` follows "//"), without userinfo, port,
// brackets or trailing dots. A backslash ends it too: browsers read it as a slash.
std::string url_host(std::string_view rest) {
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#\\"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  std::string_view host = authority;
  if (host.starts_with('[')) {
    size_t close = host.find(']');
    host = host.substr(1, close == std::string_view::npos ? close : close - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  std::string out = decoded_lower(host);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

bool is_local_ipv4(uint32_t a) {
  auto in = [a](uint32_t net, int bits) { return (a >> (32 - bits)) == (net >> (32 - bits)); };
  return in(0x00000000, 8) || in(0x0a000000, 8) || in(0x7f000000, 8) || in(0xa9fe0000, 16) ||
         in(0xac100000, 12) || in(0xc0a80000, 16);
}

// Loopback, private, link-local or unspecified; IPv4 in every form inet_aton(3) accepts, as
// browsers do (127.1, 2130706433, 0x7f.1).
bool is_local_host(const std::string& host) {
  if (host == "localhost" || host.ends_with(".localhost")) return true;
  struct in_addr v4;
  if (inet_aton(host.c_str(), &v4) != 0) return is_local_ipv4(ntohl(v4.s_addr));
  struct in6_addr v6;
  std::string literal = host.substr(0, host.find('%'));  // a zone index (fe80::1%eth0)
  if (inet_pton(AF_INET6, literal.c_str(), &v6) != 1) return false;
  const unsigned char* b = v6.s6_addr;
  static const unsigned char kZero[16] = {};
  bool mapped = std::equal(b, b + 10, kZero) && b[10] == 0xff && b[11] == 0xff;
  if (mapped || (std::equal(b, b + 12, kZero) && (b[12] | b[13]) != 0))  // ::a.b.c.d
    return is_local_ipv4(uint32_t{b[12]} << 24 | uint32_t{b[13]} << 16 | uint32_t{b[14]} << 8 |
                         b[15]);
  bool loopback_or_any = std::equal(b, b + 15, kZero) && b[15] <= 1;
  return loopback_or_any || (b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) ||
         (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0);
}

// mailto's attach/attachment header makes some mail clients attach a local file to the
// draft (CVE-2020-11879 Evolution, CVE-2020-11880 KMail).
bool asks_for_attachment(std::string_view url) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return false;
  for (const auto& field : split(url.substr(q + 1), '&')) {
    std::string name = decoded_lower(std::string_view(field).substr(0, field.find('=')));
    if (name == "attach" || name == "attachment") return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> link_refusal(std::string_view url, bool host_network) {
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
    if (!host_network && is_local_host(url_host(rest.substr(2))))
      return "its host is local to the sandbox, which has a network of its own";
    return std::nullopt;
  }
  if (has_scheme(url, "mailto")) {
    if (asks_for_attachment(url)) return "a mailto link may not ask for an attachment";
    return std::nullopt;
  }
  return "only http, https and mailto links are opened";
}

bool LinkBudget::take(uint64_t now_ms) {
  constexpr uint64_t kWindowMs = 60 * 1000;
  auto expired = std::find_if(taken_ms.begin(), taken_ms.end(),
                              [&](uint64_t t) { return now_ms - t < kWindowMs; });
  taken_ms.erase(taken_ms.begin(), expired);
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
