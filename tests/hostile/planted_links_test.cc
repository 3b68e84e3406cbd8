// SPEC §3a.1 and §3a.3: a link in the project may be a sandbox's. A path the caller names that
// leaves the project through such a link (a stored bind source, a path on pip's command line)
// is not followed to what the link leads to: the caller named the link, the sandbox chose the
// target. Each test first shows the target is reachable when the caller names it (positive
// control), then that the planted link does not reach it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

std::string read_probe(const std::string& path) {
  return std::string(kProbePrelude) + "attempt(lambda: open('" + path + "').read().strip())\n";
}

// What sandboxed code can do in its project: replace DIR with a link to TARGET.
void plant_link(const TempProject& p, const std::string& dir, const std::string& target) {
  RunResult r = run_launcher(
      p, {"/bin/sh", "-c", "rm -rf '" + dir + "' && ln -s '" + target + "' '" + dir + "'"});
  ASSERT_EQ(r.status, 0) << r.err;
}

TEST(PlantedLinks, AStoredBindSourceReplacedByALinkIsRefused) {
  TempProject p = make_project(true);
  std::string models = p.project + "/models";
  ASSERT_EQ(mkdir(models.c_str(), 0755), 0);
  write_file(models + "/w.bin", "weights\n");
  ASSERT_EQ(run_launcher(p, {"install", p.venv, "--ro-bind", models, "/models"}).status, 0);
  EXPECT_EQ(sandbox_probe(p, read_probe("/models/w.bin")).out, "OK weights\n");
  plant_link(p, models, p.home + "/.ssh");
  RunResult r = sandbox_probe(p, read_probe("/models/id_ed25519"));
  EXPECT_EQ(r.status, 125) << r.out << r.err;
  EXPECT_EQ(r.out.find(p.secret), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("which a sandbox may have made"), std::string::npos) << r.err;
}

TEST(PlantedLinks, ABindTryThroughAPlantedLinkIsLeftOut) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  std::string models = p.project + "/models";
  plant_link(p, models, p.home + "/.ssh");
  // Positive control: the link's target, named by the caller, is bound.
  EXPECT_EQ(
      sandbox_probe(p, read_probe("/keys/id_ed25519"), {"--ro-bind", p.home + "/.ssh", "/keys"})
          .out,
      "OK " + p.secret + "\n");
  RunResult t = sandbox_probe(p, read_probe("/m2/id_ed25519"), {"--ro-bind-try", models, "/m2"});
  EXPECT_EQ(t.out, "ERR ENOENT\n") << t.err;
  EXPECT_NE(t.err.find("not bound"), std::string::npos) << t.err;
}

TEST(PlantedLinks, APipPathThatLeavesTheProjectThroughAPlantedLinkIsNotShown) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  std::string outside = p.root + "/outside-lib";
  ASSERT_EQ(mkdir(outside.c_str(), 0755), 0);
  ASSERT_EQ(mkdir((p.project + "/libs").c_str(), 0755), 0);
  plant_link(p, p.project + "/libs/foo", p.home + "/.ssh");
  // pip is not installed here: the plan --verbose prints is what matters, and pip's own failure
  // to start after it does not.
  auto plan = [&](const std::string& path) {
    return run_launcher(p, {"--verbose", p.venv + "/bin/python", "-m", "pip", "install",
                            "--no-index", path});
  };
  // Positive controls: a directory outside the project, and the key's directory named by
  // the caller, are shown to pip.
  EXPECT_NE(plan(outside).err.find("ro-bind " + outside + " " + outside), std::string::npos);
  std::string keys = "ro-bind " + p.home + "/.ssh " + p.home + "/.ssh";
  EXPECT_NE(plan(p.home + "/.ssh").err.find(keys), std::string::npos);
  RunResult r = plan("./libs/foo");
  EXPECT_EQ(r.err.find(keys), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("is not shown to pip"), std::string::npos) << r.err;
  // `..` is no link: a sibling of the project named through it is still shown.
  std::string sibling = "ro-bind " + outside + " " + outside;
  EXPECT_NE(plan("../outside-lib").err.find(sibling), std::string::npos);
}

}  // namespace
}  // namespace vx::test
