// escape_control: text the sandbox controls reaches the user's terminal only as printable ASCII.
#include "base/error.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

TEST(EscapeControl, PrintableAsciiIsKeptEverythingElseIsHexAndBackslashDoubled) {
  EXPECT_EQ(escape_control("#!/usr/bin/env python3 -u"), "#!/usr/bin/env python3 -u");
  EXPECT_EQ(escape_control("a\x1b]0;title\x07"
                           "b\r\n\t\x7f"),
            "a\\x1b]0;title\\x07b\\x0d\\x0a\\x09\\x7f");
  EXPECT_EQ(escape_control(std::string_view("nul\0x", 5)), "nul\\x00x");
  // 8-bit C1 controls (CSI is 0x9b) and UTF-8 both become hex: nothing non-ASCII goes through.
  EXPECT_EQ(escape_control("\x9b"
                           "2J \xc3\xbc"),
            "\\x9b2J \\xc3\\xbc");
  EXPECT_EQ(escape_control("C:\\x1b"), "C:\\\\x1b");
}

}  // namespace
}  // namespace vx
