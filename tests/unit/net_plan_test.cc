// --net host|none|internet and --pip-net: parsing, the stored form, precedence, and the plan.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>

#include "plan/cli.h"
#include "plan/options.h"
#include "plan/plan_sandbox.h"

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

LaunchRequest request(NetMode net) {
  static const std::vector<std::string> host = {"PATH=/usr/bin"};
  LaunchRequest req;
  req.host_environ = &host;
  req.host_uid = 1000;
  req.host_gid = 1000;
  req.home = "/home/u";
  req.cwd = "/p";
  req.project = "/p";
  req.exec_file = "true";
  req.argv = {"true"};
  req.options.net = net;
  return req;
}

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

}  // namespace
}  // namespace vx
