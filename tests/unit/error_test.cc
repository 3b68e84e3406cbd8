// printable and terminal_safe: text the sandbox controls reaches the user's terminal without a
// control character; format_error and format_warning apply terminal_safe to every message.
#include "base/error.h"

#include <gtest/gtest.h>

#include "base/path.h"

namespace vx {
namespace {

TEST(Printable, PrintableAsciiIsKeptEverythingElseIsHexAndBackslashDoubled) {
  EXPECT_EQ(printable("#!/usr/bin/env python3 -u"), "#!/usr/bin/env python3 -u");
  EXPECT_EQ(printable("a\x1b]0;title\x07"
                      "b\r\n\t\x7f"),
            "a\\x1b]0;title\\x07b\\x0d\\x0a\\x09\\x7f");
  EXPECT_EQ(printable(std::string_view("nul\0x", 5)), "nul\\x00x");
  // 8-bit C1 controls (CSI is 0x9b) and UTF-8 both become hex: nothing non-ASCII goes through.
  EXPECT_EQ(printable("\x9b"
                      "2J \xc3\xbc"),
            "\\x9b2J \\xc3\\xbc");
  EXPECT_EQ(printable("C:\\x1b"), "C:\\\\x1b");
}

TEST(TerminalSafe, KeepsUtf8AndBackslashesEscapesControls) {
  EXPECT_EQ(terminal_safe("/home/\xc3\xbcser/proj \\x"), "/home/\xc3\xbcser/proj \\x");
  EXPECT_EQ(terminal_safe("a\x1b[31mb\x07"), "a\\x1b[31mb\\x07");
  EXPECT_EQ(terminal_safe("\xc2\x9b" "2J"), "\\xc2\\x9b2J");  // C1 CSI in UTF-8
  EXPECT_EQ(terminal_safe("\x9b" "2J"), "\\x9b2J");          // 8-bit CSI
  EXPECT_EQ(terminal_safe("\xe2\x82"), "\\xe2\\x82");       // truncated sequence
  EXPECT_EQ(terminal_safe("\xf0\x9f\x90\x8d"), "\xf0\x9f\x90\x8d");
}

TEST(TerminalSafe, EveryMessageGoesThroughIt) {
  Error e = Error::make("create symlink /p/lib\x1b]0;x\x07", "File exists", "remove it\x1b[2J");
  EXPECT_EQ(format_error(e),
            "venv-exec: create symlink /p/lib\\x1b]0;x\\x07: File exists\n"
            "venv-exec: hint: remove it\\x1b[2J\n");
  EXPECT_EQ(format_warning("w\x1b"), "venv-exec: warning: w\\x1b\n");
}

}  // namespace
}  // namespace vx
