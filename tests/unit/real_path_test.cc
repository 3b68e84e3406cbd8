// real_path: the /proc/self/fd shortcut must answer exactly as realpath(3), over a temp tree.
#include "base/real_path.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <filesystem>
#include <fstream>

namespace vx {
namespace {

struct TempTree {
  std::string dir;
  TempTree() {
    std::string t = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/vx-rp-XXXXXX");
    char* made = mkdtemp(t.data());
    char real[PATH_MAX];
    // The temp dir itself may lie behind a link (TMPDIR=/var/tmp -> ...): compare with its real
    // path, as realpath(3) gives it.
    dir = made != nullptr && realpath(made, real) != nullptr ? real : "";
    mkdir((dir + "/d").c_str(), 0755);
    std::ofstream(dir + "/d/file") << "x";
  }
  ~TempTree() {
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
};

std::string libc(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) != nullptr ? buf : "";
}

TEST(RealPath, FollowsEveryLink) {
  TempTree t;
  ASSERT_FALSE(t.dir.empty());
  ASSERT_EQ(symlink("d", (t.dir + "/dirlink").c_str()), 0);
  ASSERT_EQ(symlink("dirlink/file", (t.dir + "/filelink").c_str()), 0);
  ASSERT_EQ(symlink((t.dir + "/filelink").c_str(), (t.dir + "/abslink").c_str()), 0);
  for (const char* p : {"/filelink", "/abslink", "/dirlink/file", "/dirlink/../d/./file"}) {
    auto r = real_path(t.dir + p);
    ASSERT_TRUE(r) << p;
    EXPECT_EQ(*r, t.dir + "/d/file") << p;
    EXPECT_EQ(*r, libc(t.dir + p)) << p;
  }
}

TEST(RealPath, ADirectory) {
  TempTree t;
  auto r = real_path(t.dir + "/dirlink/..//d/");
  ASSERT_FALSE(r);  // no such link yet: the lookup fails as realpath's does
  EXPECT_EQ(r.error().sys_errno, ENOENT);
  ASSERT_EQ(symlink("d", (t.dir + "/dirlink").c_str()), 0);
  auto d = real_path(t.dir + "/dirlink/");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, t.dir + "/d");
  EXPECT_EQ(*real_path("/"), "/");
}

TEST(RealPath, MissingPathsAndDanglingLinksAreENOENT) {
  TempTree t;
  ASSERT_EQ(symlink("nowhere", (t.dir + "/dangling").c_str()), 0);
  for (const char* p : {"/missing", "/d/missing/deeper", "/dangling"}) {
    auto r = real_path(t.dir + p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().sys_errno, ENOENT) << p;
  }
  auto file_as_dir = real_path(t.dir + "/d/file/x");
  ASSERT_FALSE(file_as_dir);
  EXPECT_EQ(file_as_dir.error().sys_errno, ENOTDIR);
  EXPECT_FALSE(real_path(""));
}

TEST(RealPath, RelativeToTheWorkingDirectory) {
  TempTree t;
  char before[PATH_MAX];
  ASSERT_NE(getcwd(before, sizeof before), nullptr);
  ASSERT_EQ(chdir((t.dir + "/d").c_str()), 0);
  auto file = real_path("file");
  auto parent = real_path("..");
  auto here = real_path(".");
  ASSERT_EQ(chdir(before), 0);
  ASSERT_TRUE(file);
  EXPECT_EQ(*file, t.dir + "/d/file");
  ASSERT_TRUE(parent);
  EXPECT_EQ(*parent, t.dir);
  ASSERT_TRUE(here);
  EXPECT_EQ(*here, t.dir + "/d");
}

TEST(RealPath, AFifoIsNotWaitedOn) {
  TempTree t;
  ASSERT_EQ(mkfifo((t.dir + "/d/fifo").c_str(), 0644), 0);
  auto r = real_path(t.dir + "/d/fifo");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, t.dir + "/d/fifo");
}

TEST(FormatProcFd, NamesTheDescriptor) {
  char name[32];
  for (int fd : {0, 7, 42, 1048575, 2147483647}) {
    format_proc_fd(fd, name);
    EXPECT_EQ(std::string(name), "/proc/self/fd/" + std::to_string(fd));
  }
}

}  // namespace
}  // namespace vx
