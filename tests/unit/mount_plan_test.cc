#include "plan/mount_plan.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

TEST(MountPlan, RoundTripsEveryKindAndAwkwardPaths) {
  MountPlan plan{{
      {MountKind::kTmpfs, "", "/tmp"},
      {MountKind::kRoBind, "/usr", "/usr"},
      {MountKind::kBind, "/home/a b/proj ü", "/home/a b/proj ü"},
      {MountKind::kRoBind, "/opt/x\\y", "/opt/x\\y", true},
      {MountKind::kDevBind, "/dev/null", "/dev/null"},
      {MountKind::kDir, "", "/run/user/1000"},
      {MountKind::kSymlink, "usr/lib", "/lib"},
      {MountKind::kProc, "", "/proc"},
      {MountKind::kDev, "", "/dev"},
      {MountKind::kRemountRo, "", "/proc/sys", true},
      {MountKind::kTerminal, "", "/dev/pts/3"},
      {MountKind::kBind, "/a\nb\t#c", "/d", true},
      {MountKind::kFile, "root:x:0:0::/root:/bin/sh\n$HOME # \\ \r", "/etc/passwd"},
      {MountKind::kFile, std::string("\0\x01\x7f\xff binary", 11), "/etc/ld.so.cache"},
      {MountKind::kFile, "", "/etc/empty"},
      {MountKind::kFileOver, "nameserver 169.254.0.53\n", "/etc/resolv.conf"},
      {MountKind::kCopy, "/etc/ld.so.cache", "/etc/ld.so.cache", true},
  }};
  std::string text = format_mount_plan(plan);
  auto parsed = parse_mount_plan(text, "t");
  ASSERT_TRUE(parsed.has_value()) << format_error(parsed.error());
  EXPECT_EQ(*parsed, plan);
  EXPECT_NE(text.find("bind /home/a\\040b/proj\\040ü /home/a\\040b/proj\\040ü\n"),
            std::string::npos);
  EXPECT_NE(text.find("ro-bind-try /opt/x\\134y"), std::string::npos);
  EXPECT_NE(text.find("file /etc/passwd root:x:0:0::/root:/bin/sh\\012\\044HOME\\040\\043\\040\\134"
                      "\\040\\015\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("file /etc/empty\n"), std::string::npos);
  EXPECT_NE(text.find("copy-try /etc/ld.so.cache /etc/ld.so.cache\n"), std::string::npos);
  EXPECT_NE(text.find("file-over /etc/resolv.conf nameserver\\040169.254.0.53\\012\n"),
            std::string::npos)
      << text;
}

TEST(MountPlan, FileContentIsNotExpandedAndTakesOneOrTwoWords) {
  auto parsed = parse_mount_plan("file /etc/x $NOPE\nfile /etc/y\n", "f", {{"NOPE", "no"}});
  ASSERT_TRUE(parsed.has_value()) << format_error(parsed.error());
  EXPECT_EQ(parsed->ops[0], (MountOp{MountKind::kFile, "$NOPE", "/etc/x"}));
  EXPECT_EQ(parsed->ops[1], (MountOp{MountKind::kFile, "", "/etc/y"}));
  EXPECT_FALSE(parse_mount_plan("file\n", "g").has_value());
  EXPECT_FALSE(parse_mount_plan("file /a b c\n", "h").has_value());
  EXPECT_FALSE(parse_mount_plan("file relative x\n", "i").has_value());
  EXPECT_FALSE(parse_mount_plan("file-try /a x\n", "j").has_value());
}

TEST(MountPlan, SkipsCommentsAndBlankLinesAndExpandsVariables) {
  auto parsed = parse_mount_plan("# profile\n\n  ro-bind $VENV ${VENV}/x  \nsymlink usr/bin /bin\n",
                                 "p", {{"VENV", "/p/.venv"}});
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->ops.size(), 2u);
  EXPECT_EQ(parsed->ops[0], (MountOp{MountKind::kRoBind, "/p/.venv", "/p/.venv/x"}));
  EXPECT_EQ(parsed->ops[1], (MountOp{MountKind::kSymlink, "usr/bin", "/bin"}));
}

TEST(MountPlan, ErrorsNameOriginAndLine) {
  auto bad_kind = parse_mount_plan("tmpfs /tmp\nbindd /a /b\n", "f.mounts");
  ASSERT_FALSE(bad_kind.has_value());
  EXPECT_EQ(bad_kind.error().what, "f.mounts:2");
  EXPECT_NE(bad_kind.error().why.find("bindd"), std::string::npos);

  auto arity = parse_mount_plan("\nro-bind /usr\n", "g");
  ASSERT_FALSE(arity.has_value());
  EXPECT_EQ(arity.error().what, "g:2");

  auto var = parse_mount_plan("bind $NOPE /x\n", "h");
  ASSERT_FALSE(var.has_value());
  EXPECT_NE(var.error().why.find("$NOPE"), std::string::npos);

  EXPECT_FALSE(parse_mount_plan("tmpfs relative\n", "i").has_value());
  EXPECT_FALSE(parse_mount_plan("tmpfs-try /x\n", "j").has_value());
  EXPECT_FALSE(parse_mount_plan("bind /a\\04 /x\n", "k").has_value());
}

TEST(MountPlan, DollarsInPathsRoundTripAndAreNoVariables) {
  MountPlan plan{{{MountKind::kSymlink, "/usr/lib", "/p/l$x"}, {MountKind::kRoBind, "/a b$", "/c"}}};
  auto back = parse_mount_plan(format_mount_plan(plan), "cache");
  ASSERT_TRUE(back.has_value()) << back.error().why;
  EXPECT_EQ(*back, plan);
  auto expanded = parse_mount_plan("bind $HOME/x /y\n", "v", {{"HOME", "/h o\\me"}});
  ASSERT_TRUE(expanded.has_value());
  EXPECT_EQ(expanded->ops.front().src, "/h o\\me/x");
}

}  // namespace
}  // namespace vx
