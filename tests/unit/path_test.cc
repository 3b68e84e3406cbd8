// base/path: the pure path and text helpers every part shares.
#include "base/path.h"

#include <gtest/gtest.h>

#include "host/minimal_view.h"

namespace vx {
namespace {

TEST(Path, ParentBaseAndWithin) {
  EXPECT_EQ(parent_dir("/a/b/c"), "/a/b");
  EXPECT_EQ(parent_dir("/a"), "/");
  EXPECT_EQ(parent_dir("name"), ".");
  EXPECT_EQ(base_name("/a/b/c"), "c");
  EXPECT_TRUE(is_within("/a/b", "/a"));
  EXPECT_TRUE(is_within("/a", "/a"));
  EXPECT_FALSE(is_within("/ab", "/a"));
  EXPECT_TRUE(is_within("/x", "/"));
}

TEST(Path, PrintableEscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(printable("lib\x1b]0;x\x07.so"), "lib\\x1b]0;x\\x07.so");
  EXPECT_EQ(printable("a\\b\nc\xc3\xa9"), "a\\\\b\\x0ac\\xc3\\xa9");
  EXPECT_EQ(printable("/plain/path-1.so"), "/plain/path-1.so");
}

TEST(Path, SplitAndTrim) {
  EXPECT_EQ(split("a\nb\n", '\n'), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(split(std::string("x\0y", 3), '\0'), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(split("", '\n'), std::vector<std::string>{});
  EXPECT_EQ(trim_blanks(" \tv \r"), "v");
}

TEST(Path, LibraryNamesAreWhatLdSoLoads) {
  for (const char* ok : {"libfoo.so", "libfoo.so.6", "libfoo.so.6.0.1", "_ext.cpython-311.so"})
    EXPECT_TRUE(is_library_name(ok)) << ok;
  // apt and editors leave these beside real libraries while they write them.
  for (const char* no : {"libfoo.so.6.dpkg-new", "libfoo.so.6.dpkg-tmp", "libfoo.so.", ".so",
                         "libfoo.so.6~", "libfoo.so.bak", "notes.txt"})
    EXPECT_FALSE(is_library_name(no)) << no;
}

}  // namespace
}  // namespace vx
