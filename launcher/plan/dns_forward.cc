#include "plan/dns_forward.h"

#include <algorithm>

namespace vx {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The address of a `nameserver ADDRESS` line; empty for any other line.
std::string_view nameserver_of(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && is_blank(line[i])) ++i;
  constexpr std::string_view kKeyword = "nameserver";
  if (line.substr(i, kKeyword.size()) != kKeyword) return {};
  i += kKeyword.size();
  if (i >= line.size() || !is_blank(line[i])) return {};
  while (i < line.size() && is_blank(line[i])) ++i;
  size_t end = i;
  while (end < line.size() && !is_blank(line[end])) ++end;
  return line.substr(i, end - i);
}

}  // namespace

bool is_loopback_nameserver(std::string_view address) {
  if (address == "::1" || address == "0:0:0:0:0:0:0:1") return true;
  if (!address.starts_with("127.")) return false;
  // Dotted decimal, as glibc's inet_aton reads a nameserver line.
  return std::all_of(address.begin(), address.end(),
                     [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
}

std::optional<DnsForward> plan_dns_forward(std::string_view host_resolv_conf) {
  DnsForward out;
  bool v4 = false, v6 = false;
  size_t pos = 0;
  while (pos < host_resolv_conf.size()) {
    size_t nl = host_resolv_conf.find('\n', pos);
    size_t end = nl == std::string_view::npos ? host_resolv_conf.size() : nl;
    std::string_view line = host_resolv_conf.substr(pos, end - pos);
    pos = end + 1;
    std::string_view address = nameserver_of(line);
    if (address.empty() || !is_loopback_nameserver(address)) {
      out.resolv_conf.append(line);
      out.resolv_conf += '\n';
      continue;
    }
    bool six = address.find(':') != std::string_view::npos;
    bool& seen = six ? v6 : v4;
    if (seen) continue;  // pasta forwards to the first nameserver of the family only
    seen = true;
    out.resolv_conf += std::string("nameserver ") + (six ? kDnsForward6 : kDnsForward4) + "\n";
    out.pasta_args.insert(out.pasta_args.end(),
                          {"--dns-forward", six ? kDnsForward6 : kDnsForward4});
  }
  if (!v4 && !v6) return std::nullopt;
  return out;
}

}  // namespace vx
