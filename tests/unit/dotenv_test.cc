#include "plan/dotenv.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

std::vector<DotenvEntry> parsed(std::string_view text) {
  auto r = parse_dotenv(text, ".env");
  EXPECT_TRUE(r.has_value()) << (r ? "" : format_error(r.error()));
  return r ? *r : std::vector<DotenvEntry>{};
}

TEST(Dotenv, EveryForm) {
  auto e = parsed(
      "\xEF\xBB\xBF# comment\n"
      "\n"
      "PLAIN=value\n"
      "export EXPORTED=1\n"
      "  SPACED  =  trimmed value   # trailing comment\r\n"
      "HASH=a#b\n"
      "EMPTY=\n"
      "SINGLE='lit ${HOME} \\n # kept'\n"
      "DOUBLE=\"tab\\there \\\"q\\\" back\\\\slash\\nnew\"\n"
      "MULTI=\"first\n"
      "second\"\n"
      "AFTER='x' # ok\n"
      "DUP=1\n"
      "DUP=2\n");
  std::vector<DotenvEntry> want = {
      {"PLAIN", "value", 3},
      {"EXPORTED", "1", 4},
      {"SPACED", "trimmed value", 5},
      {"HASH", "a#b", 6},
      {"EMPTY", "", 7},
      {"SINGLE", "lit ${HOME} \\n # kept", 8},
      {"DOUBLE", "tab\there \"q\" back\\slash\nnew", 9},
      {"MULTI", "first\nsecond", 10},
      {"AFTER", "x", 12},
      {"DUP", "1", 13},
      {"DUP", "2", 14},
  };
  EXPECT_EQ(e, want);
}

TEST(Dotenv, NothingIsExpanded) {
  auto e = parsed("A=${HOME}\nB=\"$USER\"\nC=$(id)\n");
  ASSERT_EQ(e.size(), 3u);
  EXPECT_EQ(e[0].value, "${HOME}");
  EXPECT_EQ(e[1].value, "$USER");
  EXPECT_EQ(e[2].value, "$(id)");
}

void expect_error(std::string_view text, const std::string& where, const std::string& why) {
  auto r = parse_dotenv(text, "p/.env");
  ASSERT_FALSE(r.has_value()) << text;
  EXPECT_EQ(r.error().what, where) << text;
  EXPECT_EQ(r.error().why, why) << text;
}

TEST(Dotenv, MalformedLinesNameFileAndLine) {
  expect_error("A=1\njust words\n", "p/.env:2", "expected KEY=VALUE");
  expect_error("1BAD=x\n", "p/.env:1", "'1BAD' is not a valid variable name");
  expect_error("A-B=x\n", "p/.env:1", "'A-B' is not a valid variable name");
  expect_error("\n\nA=\"open\nstill open\n", "p/.env:3", "unterminated \" quote");
  expect_error("A='x' trailing\n", "p/.env:1", "unexpected 'trailing' after the closing quote");
  expect_error("=value\n", "p/.env:1", "'' is not a valid variable name");
}

TEST(Dotenv, LauncherKeys) {
  for (const char* k : {"VENV_EXEC_ARGS", "BWRAP_ARGS", "SANDBOX_SECCOMP_ALLOW",
                        "SANDBOX_USE_PIP_CACHE", "VERBOSE"})
    EXPECT_TRUE(is_launcher_key(k)) << k;
  for (const char* k : {"VERBOSITY", "MY_SANDBOX", "BWRAP", "PATH", "VENV_EXECUTOR"})
    EXPECT_FALSE(is_launcher_key(k)) << k;
}

}  // namespace
}  // namespace vx
