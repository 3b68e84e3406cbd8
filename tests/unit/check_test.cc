#include "host/check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace vx {
namespace {

CheckFacts healthy() {
  CheckFacts f;
  f.kernel_release = "6.1.0-18-amd64";
  f.max_user_namespaces = 15000;
  f.userns_probe_ok = true;
  f.seccomp_filter = true;
  f.landlock_abi = 6;
  f.legacy_tiocsti = 0;
  f.cgroup2_unified = true;
  f.limits.cgroup2_parent = "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service";
  f.limits.cgroup2_controllers = {"memory", "pids", "cpu"};
  return f;
}

const CheckLine* find(const std::vector<CheckLine>& lines, const std::string& item,
                      CheckLine::Level level) {
  for (const auto& l : lines)
    if (l.item == item && l.level == level) return &l;
  return nullptr;
}

TEST(Check, HealthyMachineIsAllOkAndExitsZero) {
  auto lines = evaluate_checks(healthy());
  EXPECT_EQ(check_exit_code(lines), 0);
  for (const auto& l : lines) EXPECT_EQ(l.level, CheckLine::Level::kOk) << l.item;
  EXPECT_NE(format_check_report(lines).find("OK    sandbox probe: created user"),
            std::string::npos);
}

TEST(Check, EachRestrictionFailsWithItsExactFix) {
  using L = CheckLine::Level;
  CheckFacts f = healthy();
  f.max_user_namespaces = 0;
  f.unprivileged_userns_clone = 0;
  f.apparmor_restrict_userns = 1;
  f.userns_probe_ok = false;
  f.userns_probe_error = "Operation not permitted";
  f.kernel_release = "5.10.0";
  f.seccomp_filter = false;
  auto lines = evaluate_checks(f);
  EXPECT_EQ(check_exit_code(lines), 1);
  ASSERT_NE(find(lines, "kernel", L::kFail), nullptr);
  const CheckLine* max = nullptr;
  for (const auto& l : lines)
    if (l.detail == "user.max_user_namespaces is 0") max = &l;
  ASSERT_NE(max, nullptr);
  EXPECT_NE(max->fix.find("sudo sysctl -w user.max_user_namespaces=15000"), std::string::npos);
  auto* aa = find(lines, "AppArmor", L::kFail);
  ASSERT_NE(aa, nullptr);
  EXPECT_NE(aa->fix.find("/etc/apparmor.d/venv-exec"), std::string::npos);
  EXPECT_NE(aa->fix.find("kernel.apparmor_restrict_unprivileged_userns=0"), std::string::npos);
  auto* probe = find(lines, "sandbox probe", L::kFail);
  ASSERT_NE(probe, nullptr);
  EXPECT_NE(probe->detail.find("Operation not permitted"), std::string::npos);
  ASSERT_NE(find(lines, "seccomp", L::kFail), nullptr);
  std::string report = format_check_report(lines);
  EXPECT_NE(report.find("FAIL  user namespaces: kernel.unprivileged_userns_clone is 0\n"
                        "      fix: sudo sysctl -w kernel.unprivileged_userns_clone=1"),
            std::string::npos)
      << report;
}

TEST(Check, WarningsDoNotFail) {
  CheckFacts f = healthy();
  f.landlock_abi = -1;
  f.legacy_tiocsti = 1;
  f.cgroup2_unified = false;
  f.cgroup2_mounted = true;
  auto lines = evaluate_checks(f);
  EXPECT_EQ(check_exit_code(lines), 0);
  EXPECT_NE(find(lines, "Landlock", CheckLine::Level::kWarn), nullptr);
  EXPECT_NE(find(lines, "TIOCSTI", CheckLine::Level::kWarn), nullptr);
  auto* cg = find(lines, "cgroup v2", CheckLine::Level::kWarn);
  ASSERT_NE(cg, nullptr);
  EXPECT_EQ(cg->detail, "hybrid: cgroup v1 with a cgroup2 mount beside it");
}

TEST(Check, NetInternetNeedsPastaAndAUsableTun) {
  CheckFacts f = healthy();
  f.pasta = "/usr/bin/pasta";
  f.tun_errno = 0;
  EXPECT_NE(find(evaluate_checks(f), "--net internet", CheckLine::Level::kOk), nullptr);
  f.tun_errno = EACCES;
  auto lines = evaluate_checks(f);
  EXPECT_EQ(check_exit_code(lines), 0);
  auto* tun = find(lines, "--net internet", CheckLine::Level::kWarn);
  ASSERT_NE(tun, nullptr);
  EXPECT_EQ(tun->detail, "cannot open /dev/net/tun: Permission denied");
  EXPECT_EQ(tun->fix.rfind("sudo chmod 0666 /dev/net/tun", 0), 0u);
  f.pasta = "";
  auto without = evaluate_checks(f);
  auto* absent = find(without, "--net internet", CheckLine::Level::kWarn);
  ASSERT_NE(absent, nullptr);
  EXPECT_EQ(absent->fix, "sudo apt-get install passt");
}

TEST(Check, LandlockReportsTheAbiAndWhatItLacks) {
  CheckFacts f = healthy();
  f.landlock_abi = 3;
  auto lines = evaluate_checks(f);
  EXPECT_EQ(check_exit_code(lines), 0);
  auto* ll = find(lines, "Landlock", CheckLine::Level::kWarn);
  ASSERT_NE(ll, nullptr);
  EXPECT_EQ(ll->detail,
            "ABI 3; missing: device ioctl control (ABI 5); abstract unix socket and signal scopes "
            "(ABI 6)");
  f.landlock_abi = 7;
  lines = evaluate_checks(f);
  ll = find(lines, "Landlock", CheckLine::Level::kOk);
  ASSERT_NE(ll, nullptr);
  EXPECT_EQ(ll->detail, "ABI 7: ruleset and scopes applied");
}

TEST(Check, IsolationSaysWhichSandboxLaunchesUse) {
  CheckFacts f = healthy();
  const CheckLine* iso = nullptr;
  auto lines = evaluate_checks(f);
  iso = find(lines, "isolation", CheckLine::Level::kOk);
  ASSERT_NE(iso, nullptr);
  EXPECT_EQ(iso->detail, "namespaces, with Landlock ABI 6 as a second wall");
  f.userns_probe_ok = false;
  lines = evaluate_checks(f);
  iso = find(lines, "isolation", CheckLine::Level::kWarn);
  ASSERT_NE(iso, nullptr);
  EXPECT_NE(iso->detail.find("Landlock only"), std::string::npos);
  f.landlock_abi = 5;
  lines = evaluate_checks(f);
  iso = find(lines, "isolation", CheckLine::Level::kFail);
  ASSERT_NE(iso, nullptr);
  EXPECT_NE(iso->fix.find("allow user namespaces"), std::string::npos);
}

TEST(Check, RealMachineCanRunSandboxes) {
  auto lines = evaluate_checks(gather_check_facts("/proc", "/sys", true));
  EXPECT_EQ(check_exit_code(lines), 0) << format_check_report(lines);
}

}  // namespace
}  // namespace vx
