#include "plan/pip_args.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

using Words = std::vector<std::string>;

TEST(PipArgs, PipsOwnArgumentsComeAfterPipOrPythonDashMPip) {
  EXPECT_EQ(pip_arguments({"/v/bin/pip3", "install", "x"}), (Words{"install", "x"}));
  EXPECT_EQ(pip_arguments({"/v/bin/python", "-I", "-m", "pip", "list"}), Words{"list"});
  EXPECT_EQ(pip_arguments({"python", "-mpip", "list"}), Words{"list"});
  EXPECT_EQ(pip_arguments({"python", "-c", "pass"}), Words{});
}

TEST(PipArgs, LocalPathsInEveryForm) {
  EXPECT_EQ(pip_local_paths({"install", "../lib", "-r", "../req.txt", "-e", "~/src/tool", "-c",
                             "/etc/c.txt", "--find-links", "../dist", "./pkg[extra]"}),
            (Words{"../lib", "../req.txt", "~/src/tool", "/etc/c.txt", "../dist", "./pkg"}));
  EXPECT_EQ(pip_local_paths({"install", "-r../r.txt", "--requirement=../s.txt", "-f/wheels", "."}),
            (Words{"../r.txt", "../s.txt", "/wheels", "."}));
  EXPECT_EQ(pip_local_paths({"install", "file:///srv/pkg"}), Words{"/srv/pkg"});
}

TEST(PipArgs, NamesUrlsAndPathsPipWritesAreNotBound) {
  EXPECT_EQ(pip_local_paths({"install", "requests==2.0", "git+https://h/x.git", "pkg @ file:///p",
                             "https://h/x.whl", "--target", "/out", "--log", "/tmp/l", "-t",
                             "../o", "--prefix", "/p", "--root", "/r", "-i",
                             "https://index/simple"}),
            Words{});
}

}  // namespace
}  // namespace vx
