#include "plan/cli.h"

#include <gtest/gtest.h>

#include "plan/invocation.h"

namespace vx {
namespace {

TEST(Cli, OptionsInOrderThenTheCommand) {
  auto r = parse_sandbox_args({"--tmpfs", "/x", "--bind", "/a", "/x/a", "--setenv", "K", "v",
                               "--unshare-net", "--uid", "0", "python", "--bind", "-c"},
                              true, "venv-exec");
  ASSERT_TRUE(r.has_value()) << format_error(r.error());
  ASSERT_EQ(r->options.mounts.size(), 2u);
  EXPECT_EQ(r->options.mounts[0], (MountOp{MountKind::kTmpfs, "", "/x"}));
  EXPECT_EQ(r->options.mounts[1], (MountOp{MountKind::kBind, "/a", "/x/a"}));
  EXPECT_EQ(r->options.env, (std::vector<EnvChange>{{"K", "v"}}));
  EXPECT_EQ(r->options.net, NetMode::kNone);
  EXPECT_EQ(r->options.uid, 0u);
  EXPECT_EQ(r->rest, (std::vector<std::string>{"python", "--bind", "-c"}));
}

TEST(Cli, DoubleDashForcesTheCommandReading) {
  auto r = parse_sandbox_args({"--verbose", "--", "--bind", "x"}, true, "venv-exec");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->options.verbose);
  EXPECT_EQ(r->rest, (std::vector<std::string>{"--bind", "x"}));
}

TEST(Cli, UnknownOptionIsNamedAndSupportedOnesListed) {
  auto r = parse_sandbox_args({"--unshare-all", "true"}, true, "venv-exec");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().why, "unknown option '--unshare-all'");
  EXPECT_NE(r.error().hint.find("--ro-bind-try"), std::string::npos);
  EXPECT_NE(r.error().hint.find("--expose"), std::string::npos);
}

TEST(Cli, MissingArgumentsAndBadValuesAreErrors) {
  EXPECT_EQ(parse_sandbox_args({"--bind", "/a"}, true, "o").error().why, "--bind takes SRC DEST");
  EXPECT_FALSE(parse_sandbox_args({"--uid", "x"}, true, "o").has_value());
  EXPECT_FALSE(parse_sandbox_args({"--profile", "huge"}, true, "o").has_value());
  EXPECT_FALSE(parse_sandbox_args({"--tmpfs", "relative"}, true, "o").has_value());
  auto no_rest = parse_sandbox_args({"--verbose", "python"}, false, "BWRAP_ARGS");
  ASSERT_FALSE(no_rest.has_value());
  EXPECT_EQ(no_rest.error().what, "BWRAP_ARGS");
}

TEST(Cli, VariableSplitsOnNewlinesIfAnyElseSpaces) {
  EXPECT_EQ(split_args_variable("--ro-bind /a /b  --verbose"),
            (std::vector<std::string>{"--ro-bind", "/a", "/b", "--verbose"}));
  EXPECT_EQ(split_args_variable("--ro-bind\n/my dir\r\n/dest\n"),
            (std::vector<std::string>{"--ro-bind", "/my dir", "/dest"}));
}

TEST(Cli, MergeLaterWinsAndFormatRoundTrips) {
  SandboxOptions a, b;
  a.chdir = "/a";
  a.mounts.push_back({MountKind::kRoBind, "/x", "/y"});
  b.chdir = "/b";
  b.net = NetMode::kNone;
  b.mounts.push_back({MountKind::kBind, "/p q", "/r", true});
  merge_options(a, b);
  EXPECT_EQ(a.chdir, "/b");
  EXPECT_EQ(a.mounts.size(), 2u);
  auto back = parse_sandbox_args(format_options(a), false, "t");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->options, a);
}

TEST(Invocation, SymlinkNameIsAnEntrypointAndSubcommandsAreFirstWords) {
  Invocation e = classify_invocation("/p/.venv/bin/black", {"--check", "."});
  EXPECT_EQ(e.command, Command::kEntrypoint);
  EXPECT_EQ(e.entrypoint, "black");
  EXPECT_EQ(e.args, (std::vector<std::string>{"--check", "."}));
  EXPECT_EQ(classify_invocation("venv-exec", {"install", ".venv"}).command, Command::kInstall);
  EXPECT_EQ(classify_invocation("/usr/bin/venv-exec", {"python", "install"}).command,
            Command::kRun);
  Invocation forced = classify_invocation("venv-exec", {"--", "install"});
  EXPECT_EQ(forced.command, Command::kRun);
}

TEST(Subcommands, ParsedOneWayWithTheLaunchErrorForm) {
  auto check = parse_check_args({"--proc-root", "/x", "--sys-root", "/y"});
  ASSERT_TRUE(check.has_value());
  EXPECT_EQ(check->proc_root, "/x");
  EXPECT_EQ(check->sys_root, "/y");
  EXPECT_FALSE(check->probe);
  EXPECT_TRUE(parse_check_args({})->probe);
  auto bad = parse_check_args({"--frobnicate"});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().exit_code, kExitLauncherFailed);
  EXPECT_EQ(format_error(bad.error()).rfind("venv-exec: check: ", 0), 0u) << format_error(bad.error());
  auto ps = parse_ps_args({"extra"});
  ASSERT_FALSE(ps.has_value());
  EXPECT_NE(format_error(ps.error()).find("venv-exec: hint: usage: venv-exec ps"), std::string::npos);
  auto install = parse_install_args({"v", "--unshare-net"});
  ASSERT_TRUE(install.has_value());
  EXPECT_EQ(install->venv, "v");
  EXPECT_EQ(install->option_words, (std::vector<std::string>{"--unshare-net"}));
  EXPECT_EQ(install->options.net, NetMode::kNone);
  EXPECT_EQ(parse_install_args({"--share-net"})->venv, ".venv");
  EXPECT_FALSE(parse_install_args({"v", "--nope"}).has_value());
}

}  // namespace
}  // namespace vx
