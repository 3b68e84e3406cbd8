// `venv-exec check` as a user runs it, on the real machine and on a fake /proc that simulates
// the restrictions of other distributions.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

void put(const std::string& root, const std::string& rel, const std::string& value) {
  std::string path = root;
  size_t pos = 0;
  while ((pos = rel.find('/', pos + 1)) != std::string::npos)
    mkdir((root + rel.substr(0, pos)).c_str(), 0755);
  write_file(root + rel, value);
}

TEST(CheckCommand, ThisMachineCanRunSandboxes) {
  TempProject p = make_project(false);
  RunResult r = run_launcher(p, {"check"});
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("OK    sandbox probe: created user, mount and pid namespaces\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  // Which mechanism --memory/--pids/--cpus would use: a cgroup as root here, rlimits as 65534.
  EXPECT_NE(r.out.find(geteuid() == 0 ? "OK    resource limits: cgroup" : "resource limits: "),
            std::string::npos)
      << r.out;
}

TEST(CheckCommand, SimulatedRestrictionsFailWithTheirFixes) {
  TempProject p = make_project(false);
  std::string proc = p.root + "/fakeproc";
  ASSERT_EQ(mkdir(proc.c_str(), 0755), 0);
  put(proc, "/sys/kernel/osrelease", "6.8.0-31-generic\n");
  put(proc, "/sys/user/max_user_namespaces", "0\n");
  put(proc, "/sys/kernel/apparmor_restrict_unprivileged_userns", "1\n");
  put(proc, "/sys/kernel/seccomp/actions_avail", "kill_process kill_thread trap errno\n");
  put(proc, "/venv-exec-probe", "Permission denied\n");
  RunResult r = run_launcher(p, {"check", "--proc-root", proc, "--sys-root", p.root});
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_NE(r.out.find("OK    kernel: 6.8.0-31-generic\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  user namespaces: user.max_user_namespaces is 0\n"
                       "      fix: sudo sysctl -w user.max_user_namespaces=15000"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  AppArmor: kernel.apparmor_restrict_unprivileged_userns is 1\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  sandbox probe: cannot create a user namespace: Permission denied"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("OK    seccomp: filter mode available\n"), std::string::npos);
}

}  // namespace
}  // namespace vx::test
