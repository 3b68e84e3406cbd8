// The embedded filters' behaviour, in a forked child (no_new_privs lets an unprivileged
// process load them; no namespaces needed).
#include <errno.h>
#include <gtest/gtest.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <thread>

#include "sandbox/seccomp_filter.h"

namespace vx {
namespace {

// Runs `body` in a child under `plan`'s program filter; the child's exit status is body's
// result (0 success), or 128+signal.
int in_filtered_child(const SeccompPlan& plan, const std::function<int()>& body) {
  auto program = prepare_program_filter(plan);
  if (!program) return 200;
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(201);
    if (!load_filter(*program)) _exit(202);
    // exit_group directly: a sanitizer's _exit hook makes calls a narrow allowlist refuses.
    int code = body();
    syscall(SYS_exit_group, code);
  }
  int status;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// 0 when `call` fails with `want`; otherwise 10 + the errno seen (or 9 for success).
int expect_errno(long result, int want) {
  if (result != -1) return 9;
  return errno == want ? 0 : 10 + errno;
}

TEST(Seccomp, AlwaysDeniedFamiliesAnswerEperm) {
  SeccompPlan plan;
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(syscall(SYS_keyctl, 0, 0), EPERM); }),
            0);
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(unshare(CLONE_NEWUSER), EPERM); }), 0);
  EXPECT_EQ(in_filtered_child(
                plan, [] { return expect_errno(mount("none", "/", "tmpfs", 0, nullptr), EPERM); }),
            0);
  EXPECT_EQ(
      in_filtered_child(plan, [] { return expect_errno(syscall(SYS_bpf, 0, nullptr, 0), EPERM); }),
      0);
  EXPECT_EQ(
      in_filtered_child(plan, [] { return expect_errno(syscall(SYS_ptrace, 0, 0, 0, 0), EPERM); }),
      0);
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(personality(PER_LINUX32), EPERM); }),
            0);
}

TEST(Seccomp, TiocstiIsComparedOnTheLow32Bits) {
  SeccompPlan plan;
  // A bad fd: an allowed ioctl answers EBADF, a filtered one EPERM before the fd is looked at.
  EXPECT_EQ(in_filtered_child(plan,
                              [] {
                                return expect_errno(
                                    syscall(SYS_ioctl, -1, TIOCSTI | (1UL << 32), nullptr), EPERM);
                              }),
            0);
  EXPECT_EQ(
      in_filtered_child(plan, [] { return expect_errno(ioctl(-1, TIOCLINUX, nullptr), EPERM); }),
      0);
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(ioctl(-1, TCGETS, nullptr), EBADF); }),
            0);
}

TEST(Seccomp, Clone3AndUnlistedCallsAnswerEnosys) {
  SeccompPlan plan;
  EXPECT_EQ(
      in_filtered_child(plan, [] { return expect_errno(syscall(SYS_clone3, nullptr, 0), ENOSYS); }),
      0);
  EXPECT_EQ(in_filtered_child(
                plan, [] { return expect_errno(syscall(SYS_fanotify_init, 0, 0), ENOSYS); }),
            0);
}

TEST(Seccomp, OrdinaryWorkKeepsWorking) {
  SeccompPlan plan;
  EXPECT_EQ(in_filtered_child(plan,
                              [] {
                                if (personality(0xffffffff) == -1 || personality(PER_LINUX) == -1)
                                  return 1;
                                std::thread t([] {});
                                t.join();
                                pid_t c = fork();
                                if (c == 0) _exit(7);
                                int st;
                                waitpid(c, &st, 0);
                                return WIFEXITED(st) && WEXITSTATUS(st) == 7 && getpid() > 0 ? 0
                                                                                             : 2;
                              }),
            0);
}

TEST(Seccomp, X32CallsKillTheProcess) {
  SeccompPlan plan;
  EXPECT_EQ(in_filtered_child(plan,
                              [] {
                                syscall(0x40000000 | SYS_getpid);
                                return 0;
                              }),
            128 + SIGSYS);
}

TEST(Seccomp, CustomAllowlistWithoutWriteKeepsTheDenyRules) {
  SeccompPlan plan{SeccompPlan::Mode::kCustom, {"exit_group", "exit", "getpid", "keyctl"}};
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(write(1, "", 0), ENOSYS); }), 0);
  // keyctl is listed, yet always denied.
  EXPECT_EQ(in_filtered_child(plan, [] { return expect_errno(syscall(SYS_keyctl, 0, 0), EPERM); }),
            0);
  auto bad = prepare_program_filter({SeccompPlan::Mode::kCustom, {"read", "nosuchcall"}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().what, "SANDBOX_SECCOMP_ALLOW:2");
  EXPECT_EQ(bad.error().why, "unknown system call 'nosuchcall'");
}

TEST(Seccomp, OffLoadsNothing) {
  auto off = prepare_program_filter({SeccompPlan::Mode::kOff, {}});
  ASSERT_TRUE(off.has_value());
  EXPECT_TRUE(off->layers.empty());
}

}  // namespace
}  // namespace vx
