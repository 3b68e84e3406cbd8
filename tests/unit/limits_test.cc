// The limit options: units, the command line, the stored form, and the choice of mechanism.
#include "plan/limits.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include "plan/cli.h"

namespace vx {
namespace {

TEST(Limits, SizesInTheUsualUnits) {
  EXPECT_EQ(parse_size("4096"), 4096u);
  EXPECT_EQ(parse_size("512M"), 512ull << 20);
  EXPECT_EQ(parse_size("2G"), 2ull << 30);
  EXPECT_EQ(parse_size("2g"), 2ull << 30);
  EXPECT_EQ(parse_size("1.5G"), 3ull << 29);
  EXPECT_EQ(parse_size("64KiB"), 64ull << 10);
  EXPECT_EQ(parse_size("1TB"), 1ull << 40);
  for (const char* bad : {"", "M", "12X", "1.2.3M", "-1G", "2GG", "1e9"})
    EXPECT_EQ(parse_size(bad), std::nullopt) << bad;
}

TEST(Limits, DurationsInTheUsualUnits) {
  EXPECT_EQ(parse_duration_ms("90s"), 90000u);
  EXPECT_EQ(parse_duration_ms("90"), 90000u);  // seconds, as timeout(1)
  EXPECT_EQ(parse_duration_ms("10m"), 600000u);
  EXPECT_EQ(parse_duration_ms("1.5h"), 5400000u);
  EXPECT_EQ(parse_duration_ms("250ms"), 250u);
  EXPECT_EQ(parse_duration_ms("2d"), 172800000u);
  EXPECT_EQ(parse_duration_ms("0"), 0u);
  for (const char* bad : {"", "s", "10x", "1m30s", "-5s"})
    EXPECT_EQ(parse_duration_ms(bad), std::nullopt) << bad;
  EXPECT_EQ(format_duration_ms(90000), "90s");
  EXPECT_EQ(format_duration_ms(1500), "1500ms");
}

TEST(Limits, CommandLineParsesEveryLimitOption) {
  auto r = parse_sandbox_args({"--timeout", "1.5s", "--kill-after", "2s", "--memory", "512M",
                               "--pids", "64", "--cpus", "0.5", "--tmpfs-size", "1G", "--nofile",
                               "256", "--status-json", "out.json", "--status-fd", "3", "pytest"},
                              true, "venv-exec");
  ASSERT_TRUE(r.has_value()) << format_error(r.error());
  const LimitOptions& l = r->options.limits;
  EXPECT_EQ(l.timeout_ms, 1500u);
  EXPECT_EQ(l.kill_after_ms, 2000u);
  EXPECT_EQ(l.memory, 512ull << 20);
  EXPECT_EQ(l.pids, 64u);
  EXPECT_EQ(l.cpus, 0.5);
  EXPECT_EQ(l.tmpfs_size, 1ull << 30);
  EXPECT_EQ(l.nofile, 256u);
  EXPECT_EQ(l.status_json, "out.json");
  EXPECT_EQ(l.status_fd, 3);
  EXPECT_EQ(r->rest, (std::vector<std::string>{"pytest"}));
}

TEST(Limits, BadValuesNameTheOption) {
  auto r = parse_sandbox_args({"--memory", "lots", "x"}, true, "venv-exec");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().why, "--memory: 'lots' is not a size (e.g. 512M, 2G)");
  EXPECT_FALSE(parse_sandbox_args({"--pids", "0", "x"}, true, "o").has_value());
  EXPECT_FALSE(parse_sandbox_args({"--cpus", "0", "x"}, true, "o").has_value());
  EXPECT_FALSE(parse_sandbox_args({"--timeout", "soon", "x"}, true, "o").has_value());
  EXPECT_FALSE(parse_sandbox_args({"--status-fd", "-1", "x"}, true, "o").has_value());
}

TEST(Limits, StoredFormParsesBackAndLaterWins) {
  SandboxOptions o;
  o.limits = {90000, 2500, 1ull << 30, 100, 1.5, 64ull << 20, 1024, "s.json", 4};
  auto back = parse_sandbox_args(format_options(o), false, "the install defaults");
  ASSERT_TRUE(back.has_value()) << format_error(back.error());
  EXPECT_EQ(back->options.limits, o.limits);
  SandboxOptions later;
  later.limits.timeout_ms = 0;  // --timeout 0 switches a stored timeout off
  later.limits.memory = 1ull << 20;
  merge_options(o, later);
  EXPECT_EQ(o.limits.timeout_ms, 0u);
  EXPECT_EQ(o.limits.memory, 1ull << 20);
  EXPECT_EQ(o.limits.pids, 100u);
}

LimitFacts v2_facts() {
  LimitFacts f;
  f.cgroup2_parent = "/cg/user.slice/app.slice";
  f.cgroup2_home = "/cg/user.slice/app.slice/term.scope";
  f.cgroup2_controllers = {"cpu", "memory", "pids"};
  f.uid = 1000;
  return f;
}

TEST(Limits, NothingToEnforceNeedsNoMechanism) {
  LimitOptions o;
  o.timeout_ms = 1000;
  o.tmpfs_size = 1 << 20;
  auto p = plan_limits(o, {});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->mechanism, LimitMechanism::kNone);
  EXPECT_EQ(p->timeout_ms, 1000u);
  EXPECT_EQ(p->kill_after_ms, kDefaultKillAfterMs);
  EXPECT_EQ(p->tmpfs_size, 1u << 20);
  EXPECT_TRUE(p->cgroups.empty());
}

TEST(Limits, DelegatedCgroup2ComesFirst) {
  LimitOptions o;
  o.memory = 1 << 30;
  o.pids = 50;
  o.cpus = 1.5;
  LimitFacts f = v2_facts();
  f.cgroup1_memory = f.cgroup1_pids = f.cgroup1_cpu = "/v1";
  auto p = plan_limits(o, f);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->mechanism, LimitMechanism::kCgroup2);
  EXPECT_EQ(p->cgroups, (std::vector<CgroupPlace>{{f.cgroup2_parent, f.cgroup2_home}}));
  std::string d = f.cgroup2_parent;
  EXPECT_EQ(p->cgroup_settings, (std::vector<CgroupSetting>{
                                    {d, "memory.max", "1073741824"},
                                    {d, "memory.swap.max", "0", true},
                                    {d, "pids.max", "51"},  // the launcher is inside too
                                    {d, "cpu.max", "150000 100000"},
                                }));
  EXPECT_TRUE(p->rlimits.empty());
  EXPECT_EQ(p->approximate, "");
}

TEST(Limits, Cgroup1WhenV2LacksAController) {
  LimitOptions o;
  o.memory = 1 << 20;
  o.pids = 10;
  LimitFacts f = v2_facts();
  f.cgroup2_controllers = {"memory"};
  f.cgroup1_memory = "/v1/memory/job";
  f.cgroup1_pids = "/v1/pids";
  auto p = plan_limits(o, f);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->mechanism, LimitMechanism::kCgroup1);
  EXPECT_EQ(p->cgroups, (std::vector<CgroupPlace>{{"/v1/memory/job", "/v1/memory/job"},
                                                  {"/v1/pids", "/v1/pids"}}));
  EXPECT_EQ(p->memory_parent, "/v1/memory/job");
  EXPECT_EQ(p->pids_parent, "/v1/pids");
  EXPECT_EQ(p->cgroup_settings[0],
            (CgroupSetting{"/v1/memory/job", "memory.limit_in_bytes", "1048576"}));
  EXPECT_EQ(p->cgroup_settings.back(), (CgroupSetting{"/v1/pids", "pids.max", "11"}));
}

TEST(Limits, RlimitsOtherwiseWithApproximationsNamed) {
  LimitOptions o;
  o.memory = 1 << 30;
  o.pids = 20;
  o.cpus = 2;
  o.timeout_ms = 30000;
  o.nofile = 64;
  LimitFacts f;
  f.uid = 65534;
  auto p = plan_limits(o, f);
  ASSERT_TRUE(p.has_value()) << format_error(p.error());
  EXPECT_EQ(p->mechanism, LimitMechanism::kRlimits);
  EXPECT_EQ(
      p->rlimits,
      (std::vector<Rlimit>{
          {RLIMIT_NOFILE, 64}, {RLIMIT_DATA, 1 << 30}, {RLIMIT_NPROC, 20}, {RLIMIT_CPU, 60}}));
  EXPECT_EQ(p->approximate,
            "--memory as RLIMIT_DATA per process, --cpus as RLIMIT_CPU of 60 s per process "
            "(--cpus x --timeout)");
  EXPECT_NE(format_limit_plan(*p).find("RLIMIT_NPROC = 20"), std::string::npos);
}

TEST(Limits, WhatNothingCanEnforceIsAnError) {
  LimitOptions pids;
  pids.pids = 20;
  LimitFacts root;
  root.uid = 0;  // fork(2) exempts the global root from RLIMIT_NPROC
  auto r = plan_limits(pids, root);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().what, "enforce --pids");
  EXPECT_EQ(r.error().exit_code, kExitLauncherFailed);
  LimitOptions cpus;
  cpus.cpus = 1;
  LimitFacts user;
  user.uid = 1000;
  EXPECT_FALSE(plan_limits(cpus, user).has_value());  // no time budget without --timeout
}

TEST(Limits, DescribedForCheckAndVerbose) {
  EXPECT_EQ(describe_limit_facts(v2_facts()),
            "cgroup2 at /cg/user.slice/app.slice (controllers: cpu memory pids)");
  LimitFacts v1;
  v1.cgroup1_memory = "/m";
  v1.cgroup1_pids = "/p";
  EXPECT_EQ(describe_limit_facts(v1), "cgroup1 (writable: memory pids)");
  EXPECT_EQ(describe_limit_facts(LimitFacts{}),
            "rlimits (no writable cgroup; --pids cannot be enforced for root)");
}

}  // namespace
}  // namespace vx
