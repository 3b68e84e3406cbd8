#include "host/ps.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

TEST(Ps, StartTicksAfterACommandNameWithSpacesAndParens) {
  std::string stat =
      "4242 (we ird) (name)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 "
      "987654 1000 200";
  EXPECT_EQ(parse_start_ticks(stat), 987654ull);
  EXPECT_EQ(parse_start_ticks("garbage"), std::nullopt);
  EXPECT_EQ(parse_start_ticks("1 (x) S 1 2"), std::nullopt);
}

TEST(Ps, NspidTellsASandboxPid1FromALauncher) {
  EXPECT_FALSE(in_child_pid_namespace("Name:\tvenv-exec\nNSpid:\t4242\nNSpgid:\t1\n"));
  EXPECT_TRUE(in_child_pid_namespace("Name:\tvenv-exec\nNSpid:\t4243\t1\nNSpgid:\t1\n"));
  EXPECT_FALSE(in_child_pid_namespace("Name:\told kernel\n"));
}

TEST(Ps, AgesAndTable) {
  EXPECT_EQ(format_age(42.9), "42s");
  EXPECT_EQ(format_age(185), "3m05s");
  EXPECT_EQ(format_age(7620), "2h07m");
  EXPECT_EQ(format_age(273600), "3d04h");
  SandboxEntry e{77, 5, "/p/.venv", "internet", {"/p/.venv/bin/python", "-c", "pass"}};
  EXPECT_EQ(format_ps_table({e}),
            "    PID     AGE  NET       VENV      COMMAND\n"
            "     77      5s  internet  /p/.venv  /p/.venv/bin/python -c pass\n");
}

}  // namespace
}  // namespace vx
