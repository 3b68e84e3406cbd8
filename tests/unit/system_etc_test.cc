// The standard profile's /etc as the host side reads it, over a fake root in a temp directory.
#include "host/system_etc.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vx {
namespace {

struct FakeRoot {
  std::string dir;
  FakeRoot() {
    std::string t = (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") + std::string("/vx-etc-XXXXXX");
    dir = mkdtemp(t.data());
    for (const char* d : {"/etc", "/etc/ssl", "/usr", "/usr/lib", "/run", "/etc/xdg"})
      mkdir((dir + d).c_str(), 0755);
  }
  ~FakeRoot() { std::filesystem::remove_all(dir); }
  void write(const std::string& path, const std::string& text) {
    std::ofstream(dir + path) << text;
  }
  void link(const std::string& target, const std::string& path) {
    ASSERT_EQ(symlink(target.c_str(), (dir + path).c_str()), 0);
  }
};

TEST(SystemEtc, FilesAreCopiedDirectoriesBoundLinksIntoUsrKept) {
  FakeRoot r;
  r.write("/etc/hosts", "127.0.0.1 localhost\n");
  r.write("/usr/lib/os-release", "ID=test\n");
  r.link("../usr/lib/os-release", "/etc/os-release");
  r.write("/run/resolv.conf", "nameserver 192.0.2.1\n");
  r.link(r.dir + "/run/resolv.conf", "/etc/resolv.conf");         // a link out of /usr: its content
  r.link("/nonexistent", "/etc/localtime");                       // dangling: left out
  r.write("/etc/shadow", "root:secret\n");                        // not in the list: left out
  ASSERT_EQ(mkfifo((r.dir + "/etc/services").c_str(), 0644), 0);  // not a file: left out
  auto entries = read_standard_etc(r.dir);
  using K = EtcEntry::Kind;
  EXPECT_EQ(entries, (std::vector<EtcEntry>{
                         {K::kContent, "/etc/hosts", "127.0.0.1 localhost\n"},
                         {K::kContent, "/etc/resolv.conf", "nameserver 192.0.2.1\n"},
                         {K::kLink, "/etc/os-release", "../usr/lib/os-release"},
                         {K::kBind, "/etc/ssl", r.dir + "/etc/ssl"},
                     }));
}

TEST(SystemEtc, LargeFilesAreLeftToPid1ToCopyTheAccountsAlwaysRead) {
  FakeRoot r;
  std::string big(kEtcCopyMax + 1, '#');
  r.write("/etc/ld.so.cache", big);
  r.write("/etc/passwd", big + "\nroot:x:0:0::/root:/bin/sh\n");
  using K = EtcEntry::Kind;
  std::string passwd = big + "\nroot:x:0:0::/root:/bin/sh\n";
  EXPECT_EQ(read_standard_etc(r.dir), (std::vector<EtcEntry>{
                                          {K::kCopy, "/etc/ld.so.cache", r.dir + "/etc/ld.so.cache"},
                                          {K::kBind, "/etc/ssl", r.dir + "/etc/ssl"},
                                          {K::kContent, "/etc/passwd", passwd},
                                      }));
}

// Whether an entry is first opened or first lstat'ed (a cost choice), it ends the same.
TEST(SystemEtc, TheEntryDoesNotDependOnHowItIsProbed) {
  FakeRoot r;
  mkdir((r.dir + "/etc/hosts").c_str(), 0755);  // usually a file: a directory
  r.write("/etc/ld.so.cache", "small\n");       // usually large: small, carried in the plan
  std::string big(kEtcCopyMax + 1, '#');
  r.write("/run/services", big);
  r.link(r.dir + "/run/services", "/etc/services");  // a link out of /usr, large: copied by pid 1
  r.write("/usr/lib/zone", "TZ\n");
  r.link(r.dir + "/usr/lib/zone", "/etc/localtime");  // absolute, into /usr: kept
  r.link("../run/missing", "/etc/xdg/pip");           // dangling: left out
  using K = EtcEntry::Kind;
  EXPECT_EQ(read_standard_etc(r.dir), (std::vector<EtcEntry>{
                                          {K::kBind, "/etc/hosts", r.dir + "/etc/hosts"},
                                          {K::kContent, "/etc/ld.so.cache", "small\n"},
                                          {K::kLink, "/etc/localtime", r.dir + "/usr/lib/zone"},
                                          {K::kCopy, "/etc/services", r.dir + "/run/services"},
                                          {K::kBind, "/etc/ssl", r.dir + "/etc/ssl"},
                                      }));
}

TEST(SystemEtc, NamesIncludeTheAccountsButNoSecrets) {
  const auto& names = standard_etc_names();
  for (const char* want : {"passwd", "group", "hosts", "resolv.conf", "ld.so.cache", "ssl"})
    EXPECT_NE(std::find(names.begin(), names.end(), want), names.end()) << want;
  for (const char* secret : {"shadow", "gshadow", "sudoers", "ssh", "machine-id"})
    EXPECT_EQ(std::find(names.begin(), names.end(), secret), names.end()) << secret;
}

}  // namespace
}  // namespace vx
