// `venv-exec ps` lists the caller's running sandboxes, and forgets them when they end.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(Ps, ListsASleepingSandboxAndNotAfterItEnds) {
  TempProject p = make_project(true);
  std::string token = unique_token("vx-ps-");
  Background bg = start_launcher(p, {"/bin/sh", "-c", "echo ready; exec sleep 1000", token});
  ASSERT_EQ(read_line(bg.out_fd), "ready");
  RunResult during = run_launcher(p, {"ps"});
  ASSERT_EQ(during.status, 0) << during.err;
  EXPECT_EQ(during.out.rfind("    PID     AGE  NET       VENV", 0), 0u) << during.out;
  std::string row_start = std::to_string(bg.pid) + " ";
  size_t at = during.out.find(token);
  ASSERT_NE(at, std::string::npos) << during.out;
  std::string row = during.out.substr(during.out.rfind('\n', at) + 1);
  row = row.substr(0, row.find('\n'));
  EXPECT_NE(row.find(" " + row_start), std::string::npos) << row;
  EXPECT_NE(row.find("  host      "), std::string::npos) << row;
  EXPECT_NE(row.find("  " + p.venv + "  "), std::string::npos) << row;
  // Listed once: the sandbox's pid 1 runs the same binary and must not appear.
  EXPECT_EQ(during.out.find(token, at + 1), std::string::npos) << during.out;

  ASSERT_EQ(kill(bg.pid, SIGTERM), 0);
  EXPECT_EQ(wait_status(bg.pid), 143);
  close(bg.out_fd);
  RunResult after = run_launcher(p, {"ps"});
  ASSERT_EQ(after.status, 0);
  EXPECT_EQ(after.out.find(token), std::string::npos) << after.out;
}

// Each run's network mode is shown: a new namespace without pasta is `none`.
TEST(Ps, ShowsTheNetworkMode) {
  TempProject p = make_project(true);
  std::string token = unique_token("vx-ps-net-");
  Background bg =
      start_launcher(p, {"--net", "none", "/bin/sh", "-c", "echo ready; exec sleep 1000", token});
  ASSERT_EQ(read_line(bg.out_fd), "ready");
  RunResult during = run_launcher(p, {"ps"});
  ASSERT_EQ(during.status, 0) << during.err;
  size_t at = during.out.find(token);
  ASSERT_NE(at, std::string::npos) << during.out;
  std::string row = during.out.substr(during.out.rfind('\n', at) + 1);
  row = row.substr(0, row.find('\n'));
  EXPECT_NE(row.find("  none      "), std::string::npos) << row;
  ASSERT_EQ(kill(bg.pid, SIGTERM), 0);
  EXPECT_EQ(wait_status(bg.pid), 143);
  close(bg.out_fd);
}

}  // namespace
}  // namespace vx::test
