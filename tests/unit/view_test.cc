#include "plan/view.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

ViewInputs sample() {
  ViewInputs in;
  in.root_links = {{"/bin", "usr/bin"}, {"/lib", "usr/lib"}};
  in.self_exe = "/opt/vx/venv-exec";
  in.project = "/home/u/proj";
  in.venv_dir = "/home/u/proj/.venv";
  in.python_prefix = "/usr";
  in.home = "/home/u";
  in.home_backing = "/home/u/proj/.venv/home";
  in.cache_backing = "/home/u/proj/.venv/cache";
  in.uid = 1000;
  in.outside_uid = 1000;
  return in;
}

// The end of every profile's plan: the home, the launcher, the project and what it protects.
constexpr const char* kHomeAndProject =
    "bind /home/u/proj/.venv/home /home/u\n"
    "ro-bind /opt/vx/venv-exec /opt/vx/venv-exec\n"
    "tmpfs /run/user/1000\n"
    "bind /home/u/proj/.venv/cache /home/u/.cache\n"
    "bind /home/u/proj /home/u/proj\n"
    "ro-bind /home/u/proj/.venv /home/u/proj/.venv\n"
    "ro-bind-try /home/u/proj/.git /home/u/proj/.git\n"
    "ro-bind-try /home/u/proj/.hg /home/u/proj/.hg\n"
    "ro-bind-try /home/u/proj/.env /home/u/proj/.env\n"
    "ro-bind-try /home/u/proj/.envrc /home/u/proj/.envrc\n"
    "ro-bind-try /home/u/proj/.vscode /home/u/proj/.vscode\n"
    "ro-bind-try /home/u/proj/.idea /home/u/proj/.idea\n";

TEST(View, SystemProfileGolden) {
  EXPECT_EQ(format_mount_plan(plan_view(sample())),
            "ro-bind /usr /usr\n"
            "ro-bind /etc /etc\n"
            "symlink usr/bin /bin\n"
            "symlink usr/lib /lib\n"
            "proc /proc\n"
            "dev /dev\n"
            "tmpfs /tmp\n" +
            std::string(kHomeAndProject));
}

TEST(View, ParentsComeBeforeWhatIsMountedInsideThem) {
  MountPlan plan = plan_view(sample());
  for (size_t i = 0; i < plan.ops.size(); ++i)
    for (size_t j = i + 1; j < plan.ops.size(); ++j)
      EXPECT_FALSE(plan.ops[i].dest.starts_with(plan.ops[j].dest + "/"))
          << plan.ops[i].dest << " before its parent " << plan.ops[j].dest;
}

TEST(View, PipKeepsTrustedFilesReadOnlyInAWritableVenv) {
  ViewInputs in = sample();
  in.pip = true;
  in.venv_trusted = {"/home/u/proj/.venv/pyvenv.cfg", "/home/u/proj/.venv/bin/activate"};
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_NE(text.find("bind /home/u/proj/.venv /home/u/proj/.venv\n"), std::string::npos);
  EXPECT_EQ(text.find("ro-bind /home/u/proj/.venv /home/u/proj/.venv\n"), std::string::npos);
  EXPECT_NE(
      text.find("ro-bind-try /home/u/proj/.venv/bin/activate /home/u/proj/.venv/bin/activate\n"),
      std::string::npos);
}

TEST(View, InterpreterOutsideUsrIsBoundAndUserMountsComeAfterOurs) {
  ViewInputs in = sample();
  in.python_prefix = "/opt/python3.12";
  in.user_mounts = {{MountKind::kTmpfs, "", "/home/u/proj/.git"}};
  MountPlan plan = plan_view(in);
  std::string text = format_mount_plan(plan);
  EXPECT_NE(text.find("ro-bind /opt/python3.12 /opt/python3.12\n"), std::string::npos);
  EXPECT_EQ(plan.ops.back(), (MountOp{MountKind::kTmpfs, "", "/home/u/proj/.git"}));
}

TEST(View, RootCallerGetsProcMachineFilesReadOnly) {
  ViewInputs in = sample();
  EXPECT_EQ(format_mount_plan(plan_view(in)).find("remount-ro"), std::string::npos);
  in.outside_uid = 0;
  std::string text = format_mount_plan(plan_view(in));
  size_t proc = text.find("proc /proc\n");
  ASSERT_NE(proc, std::string::npos);
  for (const char* name : {"sys", "sysrq-trigger", "irq", "bus"}) {
    size_t at = text.find(std::string("remount-ro-try /proc/") + name + "\n");
    ASSERT_NE(at, std::string::npos) << text;
    EXPECT_GT(at, proc);
  }
}

TEST(View, UserMountsReplaceOrGoThroughTheViewsLinks) {
  ViewInputs in = sample();
  in.user_mounts = {{MountKind::kBind, "/usr/lib", "/lib"},
                    {MountKind::kRoBind, "/opt/x", "/bin/x"}};
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_EQ(text.find("symlink usr/lib /lib\n"), std::string::npos) << text;
  EXPECT_NE(text.find("bind /usr/lib /lib\n"), std::string::npos) << text;
  EXPECT_NE(text.find("symlink usr/bin /bin\n"), std::string::npos) << text;
  EXPECT_NE(text.find("ro-bind /opt/x /usr/bin/x\n"), std::string::npos) << text;
}

TEST(View, WithoutVenvHomeIsAPrivateTmpfs) {
  ViewInputs in = sample();
  in.venv_dir.clear();
  in.home_backing.clear();
  in.cache_backing.clear();
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_NE(text.find("tmpfs /home/u\n"), std::string::npos);
  EXPECT_EQ(text.find(".venv"), std::string::npos);
}

TEST(View, AWrappedVenvShowsItsRealEntrypointsAndPipItsStagingCopy) {
  ViewInputs in = sample();
  in.venv_bin = "/home/u/proj/.venv/venv-exec/real";
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_LT(text.find("ro-bind /home/u/proj/.venv /home/u/proj/.venv\n"),
            text.find("ro-bind /home/u/proj/.venv/venv-exec/real /home/u/proj/.venv/bin\n"))
      << text;
  EXPECT_NE(text.find("ro-bind /home/u/proj/.venv/venv-exec/real /home/u/proj/.venv/bin\n"),
            std::string::npos);
  in.pip = true;
  in.venv_bin = "/home/u/proj/.venv/venv-exec/staging.7";
  in.venv_trusted = {"/home/u/proj/.venv/bin/activate", "/home/u/proj/.venv/venv-exec"};
  text = format_mount_plan(plan_view(in));
  EXPECT_NE(text.find("bind /home/u/proj/.venv/venv-exec/staging.7 /home/u/proj/.venv/bin\n"),
            std::string::npos)
      << text;
  // The staging copy lies below a read-only VENV/venv-exec; activate is bound over it.
  EXPECT_LT(text.find("/.venv/venv-exec /home/u/proj/.venv/venv-exec\n"),
            text.find("/.venv/bin/activate /home/u/proj/.venv/bin/activate\n"));
  EXPECT_LT(text.find("staging.7 /home/u/proj/.venv/bin\n"),
            text.find("/.venv/bin/activate /home/u/proj/.venv/bin/activate\n"));
  EXPECT_EQ(text.find("ro-bind /home/u/proj/.venv/venv-exec/real"), std::string::npos);
}

ViewInputs standard() {
  ViewInputs in = sample();
  in.profile = "standard";
  in.gid = 1000;
  in.outside_gid = 1000;
  static const std::vector<EtcEntry> etc = {
      {EtcEntry::Kind::kContent, "/etc/hosts", "127.0.0.1 localhost\n"},
      {EtcEntry::Kind::kLink, "/etc/localtime", "/usr/share/zoneinfo/UTC"},
      {EtcEntry::Kind::kBind, "/etc/ssl", "/etc/ssl"},
      {EtcEntry::Kind::kContent, "/etc/passwd",
       "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/bin/sh\nu:x:1000:1000::/home/u:/bin/sh\n"
       "other:x:1001:1001::/home/o:/bin/sh\nnobody:x:65534:65534::/:/bin/false"},
      {EtcEntry::Kind::kContent, "/etc/group", "root:x:0:\nadm:x:4:u\nu:x:1000:\nusers:x:100:u\n"},
  };
  in.etc = &etc;
  return in;
}

TEST(View, StandardProfileGolden) {
  EXPECT_EQ(
      format_mount_plan(plan_view(standard())),
      "ro-bind /usr /usr\n"
      "symlink usr/bin /bin\n"
      "symlink usr/lib /lib\n"
      "proc /proc\n"
      "dev /dev\n"
      "tmpfs /tmp\n"
      "file /etc/hosts 127.0.0.1\\040localhost\\012\n"
      "symlink /usr/share/zoneinfo/UTC /etc/localtime\n"
      "ro-bind-try /etc/ssl /etc/ssl\n"
      "file /etc/passwd root:x:0:0:root:/root:/bin/bash\\012u:x:1000:1000::/home/u:/bin/sh\\012"
      "nobody:x:65534:65534::/:/bin/false\\012\n"
      "file /etc/group root:x:0:\\012u:x:1000:\\012\n" +
      std::string(kHomeAndProject));
}

TEST(View, StandardAccountsNameTheProgramsIdsToo) {
  ViewInputs in = standard();
  in.uid = 1001;  // --uid 1001
  in.gid = 100;   // --gid 100
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_NE(text.find("other:x:1001:1001:"), std::string::npos) << text;
  EXPECT_NE(text.find("u:x:1000:1000:"), std::string::npos) << text;
  EXPECT_NE(text.find("users:x:100:u"), std::string::npos) << text;
  EXPECT_EQ(text.find("daemon"), std::string::npos) << text;
  EXPECT_EQ(text.find("adm:"), std::string::npos) << text;
}

TEST(View, ReduceIdFileKeepsOnlyWellFormedLinesWithTheIds) {
  EXPECT_EQ(reduce_id_file("a:x:0:0\n#c:x:0\nb:x::0\nc:x:1x:0\nd:x:7:7\ne\n:x:7:\n", {0, 7}),
            "a:x:0:0\nd:x:7:7\n:x:7:\n");
  EXPECT_EQ(reduce_id_file("big:x:99999999999:0\n", {0}), "");
}

TEST(View, UserMountDropsTheViewsFilesAndLinksBelowIt) {
  ViewInputs in = standard();
  in.user_mounts = {{MountKind::kBind, "/srv/etc", "/etc"}};
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_EQ(text.find("file /etc/"), std::string::npos) << text;
  EXPECT_EQ(text.find("/etc/localtime"), std::string::npos) << text;
  EXPECT_NE(text.find("bind /srv/etc /etc\n"), std::string::npos) << text;
}

TEST(View, ExposeOutsideTheViewIsBoundInTheBroadProfiles) {
  ViewInputs in = standard();
  in.expose = {"/usr/bin/perl", "/opt/tool/bin/tool"};
  std::string text = format_mount_plan(plan_view(in));
  EXPECT_EQ(text.find("/usr/bin/perl"), std::string::npos) << text;
  EXPECT_NE(text.find("ro-bind /opt/tool/bin/tool /opt/tool/bin/tool\n"), std::string::npos);
}

// A mount point cannot be renamed (EBUSY): each directory between the project and a protected
// entry below it is bound onto itself, once, before the entry (attack review, findings 1, 4).
TEST(View, DirectoriesOnTheWayToProtectedEntriesAreMountPoints) {
  ViewInputs in = sample();
  in.other_venvs = {"/home/u/proj/tools/sub/.venv", "/home/u/proj/tools/.venv",
                    "/home/u/proj/.venv"};
  in.state_dir = "/home/u/proj/dot/state/venv-exec";
  MountPlan plan = plan_view(in);
  std::string text = format_mount_plan(plan);
  for (const char* dir : {"/tools", "/tools/sub", "/dot", "/dot/state"}) {
    std::string line = std::string("bind-try /home/u/proj") + dir + " /home/u/proj" + dir + "\n";
    size_t at = text.find(line);
    EXPECT_NE(at, std::string::npos) << dir << "\n" << text;
    EXPECT_EQ(text.find(line, at + 1), std::string::npos) << dir << " twice\n" << text;
  }
  EXPECT_LT(text.find("bind-try /home/u/proj/tools/sub "),
            text.find("ro-bind-try /home/u/proj/tools/sub/.venv "));
  EXPECT_NE(text.find("tmpfs /home/u/proj/dot/state/venv-exec\n"), std::string::npos) << text;
}

TEST(View, EntriesDirectlyInTheProjectAddNoMount) {
  ViewInputs in = sample();
  size_t before = plan_view(in).ops.size();
  in.other_venvs = {"/home/u/proj/.venv", "/home/u/proj/.tools"};
  in.state_dir = "/home/u/.local/state/venv-exec";
  EXPECT_EQ(plan_view(in).ops.size(), before + 1);  // the other venv's read-only bind alone
}

}  // namespace
}  // namespace vx
