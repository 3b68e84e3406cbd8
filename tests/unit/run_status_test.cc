// The --status-json object: fields, null values, and strings escaped whatever bytes they hold.
#include "plan/run_status.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

TEST(RunStatus, OneObjectWithEveryField) {
  RunStatus s;
  s.exit_code = 124;
  s.signal = 15;
  s.wall_seconds = 1.25;
  s.user_seconds = 0.5;
  s.system_seconds = 0.125;
  s.peak_memory = 1048576;
  s.limit = "timeout";
  s.mechanism = "cgroup1";
  s.venv = "/p/.venv";
  s.command = {"sleep", "60"};
  EXPECT_EQ(format_run_status(s),
            "{\"exit_code\": 124, \"signal\": 15, \"wall_seconds\": 1.250, \"user_seconds\": "
            "0.500, \"system_seconds\": 0.125, \"peak_memory_bytes\": 1048576, \"limit\": "
            "\"timeout\", \"mechanism\": \"cgroup1\", \"venv\": \"/p/.venv\", \"command\": "
            "[\"sleep\", \"60\"]}\n");
}

TEST(RunStatus, AbsentValuesAreNull) {
  RunStatus s;
  s.mechanism = "none";
  std::string json = format_run_status(s);
  EXPECT_NE(json.find("\"signal\": null"), std::string::npos);
  EXPECT_NE(json.find("\"peak_memory_bytes\": null"), std::string::npos);
  EXPECT_NE(json.find("\"limit\": null"), std::string::npos);
  EXPECT_NE(json.find("\"venv\": null"), std::string::npos);
  EXPECT_NE(json.find("\"command\": []"), std::string::npos);
}

TEST(RunStatus, StringsAreEscaped) {
  EXPECT_EQ(json_string("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(json_string("line\nnext\ttab\x01\x7f"), "\"line\\u000anext\\u0009tab\\u0001\\u007f\"");
  // ASCII only: every code point from U+007F up escaped, a surrogate pair above U+FFFF.
  EXPECT_EQ(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d"),
            "\"caf\\u00e9 \\u20ac \\ud83d\\udc0d\"");
  // C1 controls (U+009B is CSI, U+0085 NEL) and the bidi override U+202E never appear raw.
  EXPECT_EQ(json_string("\xc2\x9b"
                        "31m\xc2\x85\xe2\x80\xae"),
            "\"\\u009b31m\\u0085\\u202e\"");
  EXPECT_EQ(json_string("\xef\xbf\xbf\xf4\x8f\xbf\xbf"), "\"\\uffff\\udbff\\udfff\"");
  // Not UTF-8: a stray continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(json_string("\x80x\xc3"), "\"\\ufffdx\\ufffd\"");
  EXPECT_EQ(json_string("\xc0\xaf"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
}

}  // namespace
}  // namespace vx
