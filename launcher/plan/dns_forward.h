// --net internet with a resolver on the host's loopback (systemd-resolved's 127.0.0.53, a local
// dnsmasq): pasta's DNS forwarding and the sandbox's resolv.conf that uses it. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vx {

// The addresses the sandbox sends its DNS queries to; pasta forwards those (UDP port 53 only) to
// the host's first nameserver of the same family. Link-local for IPv4 (not the cloud metadata
// service's 169.254.169.254), a random ULA /48 (RFC 4193) for IPv6: neither leads anywhere else.
inline constexpr const char* kDnsForward4 = "169.254.0.53";
inline constexpr const char* kDnsForward6 = "fd7e:5f0a:76e3::53";

// Above this the host's resolv.conf is not used (glibc reads 3 nameservers and a few lines).
inline constexpr size_t kResolvConfCap = 64 << 10;

struct DnsForward {
  std::vector<std::string> pasta_args;  // --dns-forward ADDR, one per family needed
  std::string resolv_conf;              // the sandbox's /etc/resolv.conf
};

// 127.0.0.0/8 or ::1.
bool is_loopback_nameserver(std::string_view address);

// Nothing when no nameserver of `host_resolv_conf` is on the host's loopback: the file then works
// inside as it is. Else each loopback nameserver line becomes the forward address of its family
// (once per family); every other line (search, options, other nameservers) is kept.
std::optional<DnsForward> plan_dns_forward(std::string_view host_resolv_conf);

}  // namespace vx
