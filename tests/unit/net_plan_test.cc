// --net host|none|internet and --pip-net: parsing, the stored form, precedence, and the plan.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>

#include "plan/cli.h"
#include "plan/dns_forward.h"
#include "plan/options.h"
#include "plan/plan_sandbox.h"
#include "sample_request.h"

namespace vx {
namespace {

TEST(NetOptions, ModesAndAliases) {
  auto r = parse_sandbox_args({"--net", "internet", "--pip-net", "host"}, false, "t");
  ASSERT_TRUE(r.has_value()) << format_error(r.error());
  EXPECT_EQ(r->options.net, NetMode::kInternet);
  EXPECT_EQ(r->options.pip_net, NetMode::kHost);
  EXPECT_EQ(parse_sandbox_args({"--share-net"}, false, "t")->options.net, NetMode::kHost);
  EXPECT_EQ(parse_sandbox_args({"--unshare-net"}, false, "t")->options.net, NetMode::kNone);
  auto bad = parse_sandbox_args({"--net", "lan"}, false, "t");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().why, "--net: 'lan' is not a network mode (host, none or internet)");
}

TEST(NetOptions, StoredFormRoundTrips) {
  SandboxOptions o;
  o.net = NetMode::kNone;
  o.pip_net = NetMode::kInternet;
  auto words = format_options(o);
  EXPECT_EQ(words, (std::vector<std::string>{"--net", "none", "--pip-net", "internet"}));
  EXPECT_EQ(parse_sandbox_args(words, false, "t")->options, o);
}

TEST(NetOptions, ALaterNetIsForPipToo) {
  SandboxOptions stored;
  stored.net = NetMode::kNone;
  stored.pip_net = NetMode::kInternet;
  SandboxOptions caller;
  caller.net = NetMode::kHost;
  SandboxOptions merged = stored;
  merge_options(merged, caller);
  EXPECT_EQ(effective_net(merged, true), NetMode::kHost);
  merged = stored;
  merge_options(merged, SandboxOptions{});
  EXPECT_EQ(effective_net(merged, true), NetMode::kInternet);
  EXPECT_EQ(effective_net(merged, false), NetMode::kNone);
  EXPECT_EQ(effective_net(SandboxOptions{}, true), NetMode::kHost);
}

LaunchRequest request(NetMode net) { return sample_request(net); }

bool has(const std::vector<std::string>& words, const std::vector<std::string>& run) {
  return std::search(words.begin(), words.end(), run.begin(), run.end()) != words.end();
}

TEST(NetPlan, HostCostsNothingNoneIsLoopbackOnly) {
  auto host = plan_sandbox(request(NetMode::kHost));
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->clone_flags & CLONE_NEWNET, 0);
  EXPECT_TRUE(host->user_net_argv.empty());
  auto none = plan_sandbox(request(NetMode::kNone));
  EXPECT_NE(none->clone_flags & CLONE_NEWNET, 0);
  EXPECT_TRUE(none->loopback_up);
  EXPECT_TRUE(none->user_net_argv.empty());
}

TEST(NetPlan, InternetStartsPastaWithoutTheHostsLoopback) {
  LaunchRequest req = request(NetMode::kInternet);
  req.pasta = "/usr/bin/pasta";
  auto plan = plan_sandbox(req);
  ASSERT_TRUE(plan.has_value()) << format_error(plan.error());
  EXPECT_NE(plan->clone_flags & CLONE_NEWNET, 0);
  const auto& argv = plan->user_net_argv;
  ASSERT_FALSE(argv.empty());
  EXPECT_EQ(argv.front(), "/usr/bin/pasta");
  EXPECT_TRUE(has(argv, {"--no-map-gw"}));
  EXPECT_TRUE(has(argv, {"-T", "none"}));
  EXPECT_TRUE(has(argv, {"-U", "none"}));
  EXPECT_TRUE(has(argv, {"-t", "none"}));
  EXPECT_TRUE(has(argv, {"-u", "none"}));
  EXPECT_TRUE(has(argv, {"-f"}));
  EXPECT_FALSE(has(argv, {"--runas"}));
  EXPECT_NE(format_sandbox_plan(*plan).find("network: internet (/usr/bin/pasta)\n"),
            std::string::npos);
  req.host_uid = 0;
  EXPECT_TRUE(has(plan_sandbox(req)->user_net_argv, {"--runas", "0:0"}));
}

TEST(NetPlan, InternetWithoutPastaSaysWhatToInstall) {
  auto plan = plan_sandbox(request(NetMode::kInternet));
  ASSERT_FALSE(plan.has_value());
  EXPECT_EQ(plan.error().exit_code, kExitLauncherFailed);
  EXPECT_EQ(plan.error().hint, "install it: apt-get install passt");
}

TEST(NetPlan, PipRunsGetTheirOwnMode) {
  LaunchRequest req = request(NetMode::kNone);
  req.options.pip_net = NetMode::kHost;
  req.pip = true;
  EXPECT_EQ(plan_sandbox(req)->net, NetMode::kHost);
  req.pip = false;
  EXPECT_EQ(plan_sandbox(req)->net, NetMode::kNone);
}

TEST(DnsForward, LoopbackNameservers) {
  EXPECT_TRUE(is_loopback_nameserver("127.0.0.53"));
  EXPECT_TRUE(is_loopback_nameserver("127.0.0.1"));
  EXPECT_TRUE(is_loopback_nameserver("127.1.2.3"));
  EXPECT_TRUE(is_loopback_nameserver("::1"));
  EXPECT_FALSE(is_loopback_nameserver("10.255.255.53"));
  EXPECT_FALSE(is_loopback_nameserver("128.0.0.1"));
  EXPECT_FALSE(is_loopback_nameserver("127.example"));
  EXPECT_FALSE(is_loopback_nameserver("fe80::1"));
  EXPECT_FALSE(is_loopback_nameserver(""));
}

TEST(DnsForward, OnlyALoopbackResolverIsForwarded) {
  EXPECT_FALSE(plan_dns_forward("nameserver 10.0.0.1\nnameserver 2001:db8::1\n").has_value());
  EXPECT_FALSE(plan_dns_forward("").has_value());
  EXPECT_FALSE(plan_dns_forward("# nameserver 127.0.0.53\nsearch lan\n").has_value());
  auto dns = plan_dns_forward(
      "# systemd-resolved\nnameserver 127.0.0.53\nsearch lan example.org\noptions edns0 "
      "trust-ad");
  ASSERT_TRUE(dns.has_value());
  EXPECT_EQ(dns->pasta_args, (std::vector<std::string>{"--dns-forward", "169.254.0.53"}));
  EXPECT_EQ(dns->resolv_conf,
            "# systemd-resolved\nnameserver 169.254.0.53\nsearch lan example.org\noptions edns0 "
            "trust-ad\n");
  // One forward address per family (pasta forwards to the host's first nameserver of each);
  // other nameservers are kept.
  dns = plan_dns_forward(
      "nameserver 127.0.0.1\n  nameserver\t::1\nnameserver 127.0.0.53\nnameserver 10.0.0.1\n");
  ASSERT_TRUE(dns.has_value());
  EXPECT_EQ(dns->pasta_args, (std::vector<std::string>{"--dns-forward", "169.254.0.53",
                                                       "--dns-forward", "fd7e:5f0a:76e3::53"}));
  EXPECT_EQ(dns->resolv_conf,
            "nameserver 169.254.0.53\nnameserver fd7e:5f0a:76e3::53\nnameserver 10.0.0.1\n");
}

const MountOp* op_at(const SandboxPlan& plan, const std::string& dest) {
  for (const auto& op : plan.mounts.ops)
    if (op.dest == dest) return &op;
  return nullptr;
}

LaunchRequest resolver_request(NetMode net, const std::string& profile, const std::string& text,
                               const std::string& real) {
  static std::vector<EtcEntry> etc;
  etc = {{EtcEntry::Kind::kContent, "/etc/hosts", "127.0.0.1 localhost\n"},
         {EtcEntry::Kind::kContent, "/etc/resolv.conf", text}};
  LaunchRequest req = request(net);
  req.pasta = "/usr/bin/pasta";
  req.options.profile = profile;
  req.etc = etc;
  req.system_view = {
      {MountKind::kRoBind, "/usr", "/usr"},
      {MountKind::kSymlink, "../run/systemd/resolve/stub-resolv.conf", "/etc/resolv.conf"},
      {MountKind::kRoBind, real, real}};
  req.resolv_conf = text;
  req.resolv_conf_real = real;
  return req;
}

// systemd-resolved's stub: /etc/resolv.conf a link to a file in /run naming 127.0.0.53.
TEST(NetPlan, InternetForwardsDnsToALoopbackResolverInEveryProfile) {
  const std::string text = "nameserver 127.0.0.53\nsearch lan\noptions edns0\n";
  const std::string inside = "nameserver 169.254.0.53\nsearch lan\noptions edns0\n";
  const std::string stub = "/run/systemd/resolve/stub-resolv.conf";
  for (const char* profile : {"standard", "minimal", "system"}) {
    auto plan = plan_sandbox(resolver_request(NetMode::kInternet, profile, text, stub));
    ASSERT_TRUE(plan.has_value()) << format_error(plan.error());
    const auto& argv = plan->user_net_argv;
    EXPECT_TRUE(has(argv, {"--dns-forward", "169.254.0.53"})) << profile;
    EXPECT_FALSE(has(argv, {"-D"})) << profile;
    EXPECT_EQ(argv.back(), "/proc/self/fd/3");
    // The system profile binds /etc, whose link leads to the root tmpfs's /run: the file is
    // planned there; the others place /etc/resolv.conf themselves.
    std::string where = std::string(profile) == "system" ? stub : "/etc/resolv.conf";
    const MountOp* op = op_at(*plan, where);
    ASSERT_NE(op, nullptr) << profile;
    EXPECT_EQ(*op, (MountOp{MountKind::kFile, inside, where})) << profile;
  }
  // A plain file in the bound /etc (a local dnsmasq's 127.0.0.1): a file over it.
  auto plan = plan_sandbox(
      resolver_request(NetMode::kInternet, "system", "nameserver 127.0.0.1\n", "/etc/resolv.conf"));
  ASSERT_TRUE(plan.has_value());
  const MountOp* op = op_at(*plan, "/etc/resolv.conf");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(*op, (MountOp{MountKind::kFileOver, "nameserver 169.254.0.53\n", "/etc/resolv.conf"}));
  // Never written into a tree bound from the host (here the project, read-write).
  plan = plan_sandbox(
      resolver_request(NetMode::kInternet, "system", "nameserver 127.0.0.1\n", "/p/resolv.conf"));
  ASSERT_TRUE(plan.has_value());
  op = op_at(*plan, "/p/resolv.conf");
  ASSERT_NE(op, nullptr);
  EXPECT_EQ(op->kind, MountKind::kFileOver);
}

// Nothing changes for a resolver on the network, nor in the other modes.
TEST(NetPlan, OtherResolversAndModesKeepTheHostsResolvConf) {
  const std::string stub = "/run/systemd/resolve/stub-resolv.conf";
  for (const char* profile : {"standard", "minimal", "system"}) {
    LaunchRequest base =
        resolver_request(NetMode::kInternet, profile, "nameserver 10.0.0.1\n", stub);
    base.resolv_conf.reset();
    auto before = plan_sandbox(base);
    ASSERT_TRUE(before.has_value()) << format_error(before.error());
    auto after =
        plan_sandbox(resolver_request(NetMode::kInternet, profile, "nameserver 10.0.0.1\n", stub));
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->user_net_argv, before->user_net_argv) << profile;
    EXPECT_FALSE(has(after->user_net_argv, {"--dns-forward"})) << profile;
    EXPECT_EQ(after->mounts, before->mounts) << profile;
    for (NetMode net : {NetMode::kNone, NetMode::kHost}) {
      LaunchRequest loopback = resolver_request(net, profile, "nameserver 127.0.0.53\n", stub);
      auto plan = plan_sandbox(loopback);
      loopback.resolv_conf.reset();
      EXPECT_EQ(plan->mounts, plan_sandbox(loopback)->mounts) << profile;
      EXPECT_TRUE(plan->user_net_argv.empty());
    }
  }
}

}  // namespace
}  // namespace vx
