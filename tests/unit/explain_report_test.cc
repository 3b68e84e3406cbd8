// explain's report: arguments, grouping of hidden paths into options, private paths, and the
// text and JSON forms with their install line.
#include "plan/explain_report.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace vx {
namespace {

TEST(ExplainArgs, FormatComesFirst) {
  auto a = parse_explain_args({"--format", "json", "--unshare-net", "python"});
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->format, ExplainFormat::kJson);
  EXPECT_EQ(a->rest, (std::vector<std::string>{"--unshare-net", "python"}));
  auto b = parse_explain_args({"--format=text", "python"});
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->format, ExplainFormat::kText);
  EXPECT_EQ(b->rest, std::vector<std::string>{"python"});
  EXPECT_FALSE(parse_explain_args({"--format", "yaml", "python"}).has_value());
  EXPECT_FALSE(parse_explain_args({"--format"}).has_value());
  EXPECT_EQ(parse_explain_args({"python"})->rest, std::vector<std::string>{"python"});
  EXPECT_EQ(explain_from_env(std::nullopt), std::nullopt);
  EXPECT_EQ(explain_from_env("0"), std::nullopt);
  EXPECT_EQ(explain_from_env("1"), ExplainFormat::kText);
  EXPECT_EQ(explain_from_env("json"), ExplainFormat::kJson);
}

TEST(ExplainReport, PrivatePaths) {
  EXPECT_TRUE(is_private_path("/home/ann/.netrc", "/home/ann"));
  EXPECT_TRUE(is_private_path("/srv/u/.aws/credentials", "/srv/u"));
  EXPECT_TRUE(is_private_path("/run/user/1000/bus", ""));
  EXPECT_TRUE(is_private_path("/etc/ssh/ssh_host_ed25519_key", ""));
  EXPECT_TRUE(is_private_path("/var/lib/x", ""));
  EXPECT_FALSE(is_private_path("/opt/tool/bin/x", "/home/ann"));
  EXPECT_FALSE(is_private_path("/etc/sshd", ""));
}

ExplainFindings sample() {
  ExplainFindings f;
  MissingPath file{"openat", false, false, false, 2, "python x.py"};
  f.paths["/opt/data/a.csv"] = file;
  f.paths["/opt/data/sub/b.csv"] = file;
  MissingPath dir{"newfstatat", true, false, false, 1, "python x.py"};
  f.paths["/opt/data"] = dir;
  MissingPath in_etc{"openat", false, false, true, 1, "python x.py"};
  f.paths["/etc/locale.alias"] = in_etc;
  MissingPath exe{"execve", false, true, false, 1, "python x.py"};
  f.paths["/opt/my tool/bin/run"] = exe;
  f.calls[237] = RefusedCall{"mbind", ENOSYS, false, 3, "python x.py"};
  f.calls[312] = RefusedCall{"kcmp", EPERM, true, 1, "python x.py"};
  return f;
}

TEST(ExplainReport, PathsGroupedByTheOptionThatShowsThem) {
  auto s = suggest_paths(sample(), "/home/ann");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].option, (std::vector<std::string>{"--expose", "/opt/my tool/bin/run"}));
  EXPECT_EQ(s[1].option,
            (std::vector<std::string>{"--ro-bind", "/etc/locale.alias", "/etc/locale.alias"}));
  EXPECT_EQ(s[2].option, (std::vector<std::string>{"--ro-bind", "/opt/data", "/opt/data"}));
  EXPECT_EQ(s[2].paths.size(), 3u);  // /opt/data/sub folded into /opt/data
}

TEST(ExplainReport, TextNamesTheFixes) {
  ExplainContext ctx{"/p/.venv", "/home/ann", {"read", "write"}, {"--profile", "minimal"}};
  std::string text = format_explain_text(sample(), ctx);
  EXPECT_NE(text.find("mbind (ENOSYS, 3x), first by: python x.py"), std::string::npos) << text;
  EXPECT_NE(text.find("kcmp (EPERM, 1x)"), std::string::npos);
  EXPECT_NE(text.find("always denied: no option"), std::string::npos);
  EXPECT_NE(text.find("  SANDBOX_SECCOMP_ALLOW='read write mbind'\n"), std::string::npos) << text;
  EXPECT_NE(
      text.find("  venv-exec install /p/.venv --profile minimal --expose '/opt/my tool/bin/run' "
                "--ro-bind /etc/locale.alias /etc/locale.alias --ro-bind /opt/data /opt/data\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(format_explain_text(ExplainFindings{}, ctx),
            "venv-exec explain: the sandbox refused nothing that explain watches\n");
}

TEST(ExplainReport, JsonOneObjectPerFinding) {
  ExplainContext ctx{"/p/.venv", "/home/ann", {"read"}, {}};
  ExplainFindings f = sample();
  f.paths["/home/ann/.netrc"] = MissingPath{"openat", false, false, true, 1, "tool \x1b[2J"};
  std::string json = format_explain_json(f, ctx);
  size_t lines = 0;
  for (char c : json) lines += c == '\n';
  EXPECT_EQ(lines, 2u + 6u + 1u);  // two calls, six paths, the install line
  EXPECT_NE(json.find("{\"kind\":\"syscall\",\"name\":\"kcmp\",\"nr\":312,\"errno\":\"EPERM\","
                      "\"count\":1,\"always_denied\":true,\"first_command\":\"python x.py\"}\n"),
            std::string::npos)
      << json;
  EXPECT_NE(
      json.find("\"path\":\"/home/ann/.netrc\",\"call\":\"openat\",\"count\":1,\"private\":true,"
                "\"first_command\":\"tool \\u001b[2J\""),
      std::string::npos)
      << json;
  EXPECT_EQ(json.find('\x1b'), std::string::npos);
}

}  // namespace
}  // namespace vx
