#include "plan/landlock_plan.h"

#include <gtest/gtest.h>

#include "plan/landlock_only.h"

namespace vx {
namespace {

MountPlan sample_view() {
  auto parsed = parse_mount_plan(
      "ro-bind /usr /usr\n"
      "symlink usr/bin /bin\n"
      "proc /proc\n"
      "dev /dev\n"
      "tmpfs /tmp\n"
      "bind /p/.venv/home /home/u\n"
      "bind /p /p\n"
      "ro-bind-try /p/.git /p/.git\n"
      "dir /data\n"
      "dev-bind /dev/fuse /dev/fuse\n"
      "remount-ro-try /proc/sys\n",
      "sample");
  EXPECT_TRUE(parsed.has_value());
  return parsed.value_or(MountPlan{});
}

TEST(LandlockPlan, RulesFollowTheMountsGenerically) {
  using namespace ll;
  LandlockPlan plan = plan_landlock(sample_view(), 7);
  EXPECT_EQ(plan.abi, 7);
  EXPECT_EQ(plan.handled_fs, (kIoctlDev << 1) - 1);
  EXPECT_EQ(plan.scoped, kScopeAbstractUnixSocket | kScopeSignal);
  const uint64_t rw = kRead | kExecute | kWrite;
  // Read-only binds, /proc and dirs add nothing to the root's read and execute.
  std::vector<LandlockRule> expected = {
      {"/", kRead | kExecute, false},
      {"/dev", kRead | kWriteFile | kTruncate | kIoctlDev, false},
      {"/dev/shm", rw, false},
      {"/tmp", rw, false},
      {"/home/u", rw, false},
      {"/p", rw, false},
      {"/dev/fuse", rw | kIoctlDev, false},
  };
  EXPECT_EQ(plan.rules, expected);
}

TEST(LandlockPlan, OlderAbisHandleOnlyWhatTheyKnow) {
  using namespace ll;
  LandlockPlan abi4 = plan_landlock(sample_view(), 4);
  EXPECT_EQ(abi4.handled_fs, (kTruncate << 1) - 1);
  EXPECT_EQ(abi4.scoped, 0u);
  for (const auto& r : abi4.rules) EXPECT_EQ(r.access & ~abi4.handled_fs, 0u) << r.path;
  // /dev keeps write and truncate without the ioctl right it does not handle yet.
  EXPECT_EQ(abi4.rules[1].access, kRead | kWriteFile | kTruncate);
  LandlockPlan abi2 = plan_landlock(sample_view(), 2);
  EXPECT_EQ(abi2.handled_fs & (kTruncate | kIoctlDev), 0u);
  EXPECT_NE(abi2.handled_fs & kRefer, 0u);
}

TEST(LandlockPlan, NoRulesetWithoutUsableLandlock) {
  EXPECT_EQ(plan_landlock(sample_view(), -1), LandlockPlan{});
  // ABI 1 would refuse every rename between directories.
  EXPECT_EQ(plan_landlock(sample_view(), 1), LandlockPlan{});
  EXPECT_EQ(format_landlock_plan(LandlockPlan{}), "landlock: not applied\n");
}

TEST(LandlockPlan, MissingFeaturesByAbi) {
  EXPECT_TRUE(landlock_missing(6).empty());
  EXPECT_TRUE(landlock_missing(7).empty());
  EXPECT_EQ(landlock_missing(5),
            std::vector<std::string>{"abstract unix socket and signal scopes (ABI 6)"});
  EXPECT_EQ(landlock_missing(-1).size(), 1u);
  EXPECT_EQ(landlock_missing(1).size(), 4u);
}

TEST(LandlockPlan, VerboseForm) {
  MountPlan mounts;
  mounts.ops = {{MountKind::kRoBind, "/usr", "/usr"}, {MountKind::kBind, "/a b", "/a b"}};
  EXPECT_EQ(format_landlock_plan(plan_landlock(mounts, 6)),
            "landlock: ABI 6, handled read,execute,write,create-remove,ioctl-dev, scopes "
            "abstract-unix-socket signal\n"
            "  read,execute /\n"
            "  read,execute,write,create-remove /a\\040b\n");
}

TEST(LandlockOnlyPlan, ProjectEntriesButTheTrustedOnesAreWritable) {
  using namespace ll;
  LandlockOnlyInputs in;
  in.system_paths = {"/usr", "/etc/hosts"};
  in.devices = {"/dev/null"};
  in.project = "/p";
  in.listings["/p"] = {".", "..", "src", ".git", ".venv", "setup.py"};
  in.read_only = {"/p/.git", "/p/.env", "/p/.venv"};
  in.writable = {"/p/.venv/home", "/p/.venv/cache"};
  auto plan = plan_landlock_only(in, 6);
  ASSERT_TRUE(plan.has_value());
  const uint64_t rw = kRead | kExecute | kWrite;
  std::vector<LandlockRule> expected = {
      {"/usr", kRead | kExecute, false},
      {"/etc/hosts", kRead | kExecute, false},
      {"/proc", kRead, false},
      {"/dev/null", kRead | kWriteFile | kTruncate | kIoctlDev, false},
      {"/p", kRead | kExecute, false},
      {"/p/src", rw, false},
      {"/p/setup.py", rw, false},
      {"/p/.venv/home", rw, false},
      {"/p/.venv/cache", rw, false},
  };
  EXPECT_EQ(plan->rules, expected);
  EXPECT_EQ(plan->scoped, kScopeAbstractUnixSocket | kScopeSignal);
}

// Found by review: a registered venv deeper in the project (tools/.venv) was writable, and so
// was the state directory inside it. The way down to each is carved: its siblings are granted
// one by one, the directories on the way and their parents never get a write right.
TEST(LandlockOnlyPlan, DeeperVenvsAndTheStateDirectoryAreCarvedOut) {
  using namespace ll;
  LandlockOnlyInputs in;
  in.project = "/p";
  in.listings["/p"] = {"src", "tools", ".venv", "dot"};
  in.listings["/p/tools"] = {"notes", ".venv", "lib"};
  in.listings["/p/dot"] = {"share", "state"};
  in.listings["/p/dot/state"] = {"venv-exec", "other"};
  in.read_only = {"/p/.venv", "/p/tools/.venv", "/p/.git"};
  in.hidden = {"/p/dot/state/venv-exec"};
  auto plan = plan_landlock_only(in, 6);
  ASSERT_TRUE(plan.has_value());
  const uint64_t rw = kRead | kExecute | kWrite;
  const uint64_t ro = kRead | kExecute;
  std::vector<LandlockRule> expected = {
      {"/proc", kRead, false},
      // A hidden path below: the project's own listing only, each entry on its own.
      {"/p", kReadDir, false},
      {"/p/src", rw, false},
      {"/p/tools", ro, false},
      {"/p/tools/notes", rw, false},
      {"/p/tools/lib", rw, false},
      {"/p/.venv", ro, false},
      {"/p/dot", kReadDir, false},
      {"/p/dot/share", rw, false},
      {"/p/dot/state", kReadDir, false},
      {"/p/dot/state/other", rw, false},
  };
  EXPECT_EQ(plan->rules, expected);
}

TEST(LandlockOnlyPlan, NeedsTheAbi6Scopes) {
  auto old = plan_landlock_only({}, 5);
  ASSERT_FALSE(old.has_value());
  EXPECT_NE(old.error().why.find("ABI 5 lacks the signal and abstract socket scopes"),
            std::string::npos);
  auto none = plan_landlock_only({}, -1);
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().why, "this kernel has no Landlock either");
  EXPECT_NE(none.error().hint.find("venv-exec check"), std::string::npos);
}

}  // namespace
}  // namespace vx
