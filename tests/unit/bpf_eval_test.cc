// The user-space seccomp evaluator explain answers with, against the policy texts it was built
// from, and the notifying variant against the original, call by call.
#include "bpf_eval.h"

#include <gtest/gtest.h>
#include <linux/audit.h>
#include <seccomp.h>
#include <sys/syscall.h>

#include <set>
#include <sstream>

#include "embedded_filters.h"
#include "filter_build.h"

namespace vx {
namespace {

seccomp_data call(int nr, uint64_t a0 = 0, uint64_t a1 = 0) {
  seccomp_data d = {};
  d.nr = nr;
  d.arch = AUDIT_ARCH_X86_64;
  d.args[0] = a0;
  d.args[1] = a1;
  return d;
}

uint32_t run(int nr, uint64_t a0 = 0, uint64_t a1 = 0) {
  auto r = run_seccomp_bpf(embedded_program_filter(), call(nr, a0, a1));
  EXPECT_TRUE(r.has_value()) << nr;
  return r.value_or(0xdeadbeef);
}

TEST(BpfEval, AnswersAsThePolicySays) {
  EXPECT_EQ(run(__NR_getpid), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(__NR_mbind), SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(run(__NR_kcmp), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(run(__NR_clone3), SECCOMP_RET_ERRNO | ENOSYS);
  EXPECT_EQ(run(__NR_clone, 0x10000000 | 17), SECCOMP_RET_ERRNO | EPERM);  // CLONE_NEWUSER
  EXPECT_EQ(run(__NR_clone, 17), SECCOMP_RET_ALLOW);
  // TIOCSTI compared on the low 32 bits (CVE-2019-10063).
  EXPECT_EQ(run(__NR_ioctl, 0, 0x100005412ull), SECCOMP_RET_ERRNO | EPERM);
  EXPECT_EQ(run(__NR_ioctl, 0, 0x5401), SECCOMP_RET_ALLOW);
  EXPECT_EQ(run(__NR_socket, 17), SECCOMP_RET_ERRNO | EAFNOSUPPORT);  // AF_PACKET
  seccomp_data foreign = call(__NR_getpid);
  foreign.arch = AUDIT_ARCH_I386;
  EXPECT_EQ(run_seccomp_bpf(embedded_program_filter(), foreign), SECCOMP_RET_KILL_PROCESS);
}

// Every call number, with zero arguments: allowed when listed, the always-denied errno when
// denied without conditions, ENOSYS otherwise.
TEST(BpfEval, EveryCallMatchesTheTexts) {
  std::set<std::string> allow, denied_plain, conditional;
  std::istringstream names{std::string(embedded_allow_names())};
  for (std::string n; names >> n;) allow.insert(n);
  auto deny = parse_policy(embedded_deny_policy(), "always.deny", false);
  ASSERT_TRUE(deny.has_value());
  for (const auto& rule : *deny)
    (rule.conditions.empty() ? denied_plain : conditional).insert(rule.syscall);
  for (const auto& rule : *deny) {
    if (!rule.conditions.empty()) continue;
    int nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
    if (nr < 0) continue;
    EXPECT_EQ(run(nr), SECCOMP_RET_ERRNO | static_cast<uint32_t>(rule.error)) << rule.syscall;
  }
  for (int nr = 0; nr < 470; ++nr) {
    char* raw = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    if (!raw) continue;
    std::string name = raw;
    free(raw);
    if (conditional.contains(name) || denied_plain.contains(name)) continue;
    EXPECT_EQ(run(nr), allow.contains(name) ? SECCOMP_RET_ALLOW : (SECCOMP_RET_ERRNO | ENOSYS))
        << name;
  }
}

TEST(BpfEval, LayersTakeTheMostRestrictive) {
  const sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  const sock_filter eperm[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM)};
  const sock_filter kill[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS)};
  std::vector<std::span<const sock_filter>> layers = {allow, eperm};
  EXPECT_EQ(run_seccomp_layers(layers, call(1)), SECCOMP_RET_ERRNO | EPERM);
  layers.push_back(kill);
  EXPECT_EQ(run_seccomp_layers(layers, call(1)), SECCOMP_RET_KILL_PROCESS);
  const sock_filter bad[] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 1000)};  // out of seccomp_data
  EXPECT_FALSE(run_seccomp_layers(std::vector<std::span<const sock_filter>>{bad}, call(1)));
}

// The variant notifies exactly where the original refuses with an errno, or for a watched call,
// and otherwise answers as the original (kill stays kill).
TEST(BpfEval, VariantNotifiesWhereTheOriginalRefuses) {
  const int watched[] = {__NR_openat, __NR_execve, __NR_connect};
  auto variant = notify_variant(embedded_program_filter(), watched);
  ASSERT_TRUE(variant.has_value());
  for (int nr = 0; nr < 470; ++nr) {
    for (uint64_t a0 : {0ull, 0x10000000ull | 17, 17ull}) {
      auto original = run_seccomp_bpf(embedded_program_filter(), call(nr, a0));
      auto notified = run_seccomp_bpf(*variant, call(nr, a0));
      ASSERT_TRUE(original && notified) << nr;
      bool watch = nr == __NR_openat || nr == __NR_execve || nr == __NR_connect;
      if (watch || (*original & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO)
        EXPECT_EQ(*notified, SECCOMP_RET_USER_NOTIF) << nr;
      else
        EXPECT_EQ(*notified, *original) << nr;
    }
  }
  seccomp_data foreign = call(__NR_openat);
  foreign.arch = AUDIT_ARCH_I386;
  EXPECT_EQ(run_seccomp_bpf(*variant, foreign), SECCOMP_RET_KILL_PROCESS);
  seccomp_data x32 = call(__NR_openat | 0x40000000);
  EXPECT_EQ(run_seccomp_bpf(*variant, x32), run_seccomp_bpf(embedded_program_filter(), x32));
}

}  // namespace
}  // namespace vx
