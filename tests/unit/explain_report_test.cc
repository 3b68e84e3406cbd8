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
  auto c = parse_explain_args({"--report", "r.txt", "--format=json", "python"});
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->report_file, "r.txt");
  EXPECT_EQ(c->format, ExplainFormat::kJson);
  EXPECT_EQ(c->rest, std::vector<std::string>{"python"});
  EXPECT_EQ(parse_explain_args({"--report=/tmp/r", "python"})->report_file, "/tmp/r");
  EXPECT_FALSE(parse_explain_args({"--report"}).has_value());
  EXPECT_FALSE(parse_explain_args({"--report=", "python"}).has_value());
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

// A one-paste install line must not expose secrets or the host's processes: private paths stay
// listed, marked, out of the line; a /proc path gets no suggestion at all.
TEST(ExplainReport, PrivatePathsStayOutOfTheInstallLine) {
  ExplainFindings f;
  MissingPath file{"openat", false, false, true, 1, "tool"};
  f.paths["/etc/shadow"] = file;
  f.paths["/home/ann/.ssh/id_ed25519"] = file;
  f.paths["/proc/4242/status"] = file;
  f.paths["/sys/kernel/notes"] = file;
  f.paths["/opt/ok/data"] = file;
  ExplainContext ctx{"/p/.venv", "/home/ann", {"read"}, {}};
  std::string text = format_explain_text(f, ctx);
  EXPECT_NE(
      text.find("  --ro-bind /etc/shadow /etc/shadow   [not in the suggested line: private]\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("  --ro-bind /sys/kernel/notes /sys/kernel/notes   [not in the suggested "
                      "line: private]\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("      /home/ann/.ssh/id_ed25519 (openat, 1x)"), std::string::npos);
  EXPECT_NE(text.find("\n  venv-exec install /p/.venv --ro-bind /opt/ok/data /opt/ok/data\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("/proc"), std::string::npos) << text;
  std::string json = format_explain_json(f, ctx);
  EXPECT_NE(json.find("{\"kind\":\"install\",\"command\":[\"venv-exec\",\"install\",\"/p/.venv\","
                      "\"--ro-bind\",\"/opt/ok/data\",\"/opt/ok/data\"]}\n"),
            std::string::npos)
      << json;
  EXPECT_EQ(json.find("/proc"), std::string::npos);
}

// Sandbox text in JSON is ASCII: C1 controls and bidi overrides escaped.
TEST(ExplainReport, JsonIsAscii) {
  ExplainFindings f;
  f.calls[237] = RefusedCall{"mbind", ENOSYS, false, 1,
                             "x \xc2\x9b"
                             "2J \xe2\x80\xae \xff"};
  std::string json = format_explain_json(f, ExplainContext{});
  EXPECT_NE(json.find("\"first_command\":\"x \\u009b2J \\u202e \\ufffd\""), std::string::npos)
      << json;
  for (unsigned char c : json) EXPECT_LT(c, 0x80);
}

}  // namespace
}  // namespace vx
