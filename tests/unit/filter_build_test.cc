#include "filter_build.h"

#include <gtest/gtest.h>
#include <linux/seccomp.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "embedded_filters.h"

namespace vx {
namespace {

std::string policy_file(const std::string& name) {
  const char* root = getenv("VENV_EXEC_SOURCE_ROOT");
  std::ifstream f(std::string(root != nullptr ? root : ".") + "/policy/seccomp/" + name);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

bool same(std::span<const sock_filter> a, const std::vector<sock_filter>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].code != b[i].code || a[i].jt != b[i].jt || a[i].jf != b[i].jf || a[i].k != b[i].k)
      return false;
  return true;
}

TEST(PolicyParser, NamesCommentsBlankLinesAndDuplicates) {
  auto rules = parse_policy("# head\nread\n\n  write   # why\nread\n", "a.allow", true);
  ASSERT_TRUE(rules.has_value()) << format_error(rules.error());
  ASSERT_EQ(rules->size(), 2u);
  EXPECT_EQ((*rules)[0].syscall, "read");
  EXPECT_EQ((*rules)[1].syscall, "write");
  EXPECT_EQ((*rules)[1].line, 4u);
}

TEST(PolicyParser, DenyConditionsAndErrno) {
  auto rules = parse_policy(
      "ioctl a1 & 0xffffffff == 0x5412\nclone3 =ENOSYS\n"
      "kill a1 == 9\nsetuid a0 != 0\n",
      "d.deny", false);
  ASSERT_TRUE(rules.has_value()) << format_error(rules.error());
  EXPECT_EQ((*rules)[0].conditions,
            (std::vector<ArgCondition>{{1, ArgCondition::Op::kMaskedEq, 0xffffffff, 0x5412}}));
  EXPECT_EQ((*rules)[0].error, EPERM);
  EXPECT_EQ((*rules)[1].error, ENOSYS);
  EXPECT_EQ((*rules)[2].conditions[0].op, ArgCondition::Op::kEq);
  EXPECT_EQ((*rules)[3].conditions[0].op, ArgCondition::Op::kNe);
}

TEST(PolicyParser, ErrorsNameFileAndLine) {
  auto unknown = parse_policy("read\n\nfrobnicate\n", "p/default.allow", true);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().what, "p/default.allow:3");
  EXPECT_EQ(unknown.error().why, "unknown system call 'frobnicate'");
  auto cond_in_allow = parse_policy("ioctl a1 == 1\n", "x.allow", true);
  ASSERT_FALSE(cond_in_allow.has_value());
  EXPECT_EQ(cond_in_allow.error().what, "x.allow:1");
  auto malformed = parse_policy("ioctl a9 == 1\n", "x.deny", false);
  ASSERT_FALSE(malformed.has_value());
  EXPECT_NE(malformed.error().why.find("malformed condition"), std::string::npos);
  EXPECT_FALSE(parse_policy("ioctl a1 == zz\n", "x.deny", false).has_value());
  EXPECT_FALSE(parse_policy("ioctl a1 &\n", "x.deny", false).has_value());
}

TEST(FilterBuild, DeterministicOutput) {
  auto allow = parse_policy(policy_file("default.allow"), "default.allow", true);
  auto deny = parse_policy(policy_file("always.deny"), "always.deny", false);
  ASSERT_TRUE(allow.has_value() && deny.has_value());
  auto a = build_allow_filter(*allow, *deny), b = build_allow_filter(*allow, *deny);
  ASSERT_TRUE(a.has_value() && b.has_value());
  EXPECT_TRUE(same(*a, *b));
  auto d1 = build_deny_filter(*deny), d2 = build_deny_filter(*deny);
  ASSERT_TRUE(d1.has_value() && d2.has_value());
  EXPECT_TRUE(same(*d1, *d2));
}

TEST(FilterBuild, EmbeddedProgramsAreTheSourcePolicyCompiled) {
  auto allow = parse_policy(policy_file("default.allow"), "default.allow", true);
  auto init = parse_policy(policy_file("init.allow"), "init.allow", true);
  auto deny = parse_policy(policy_file("always.deny"), "always.deny", false);
  ASSERT_TRUE(allow.has_value() && init.has_value() && deny.has_value());
  auto deny_bpf = build_deny_filter(*deny);
  ASSERT_TRUE(deny_bpf.has_value());
  EXPECT_TRUE(same(embedded_program_filter(),
                   *chain_filters(*deny_bpf, *build_allow_filter(*allow, *deny))));
  EXPECT_TRUE(
      same(embedded_init_filter(), *chain_filters(*deny_bpf, *build_allow_filter(*init, *deny))));
  EXPECT_TRUE(same(embedded_deny_filter(), *deny_bpf));
  EXPECT_EQ(embedded_deny_policy(), policy_file("always.deny"));
  EXPECT_EQ(embedded_allow_count(), allow->size());
  EXPECT_GE(allow->size(), 190u);
  EXPECT_LE(allow->size(), 260u);
}

TEST(FilterBuild, ChainingTurnsEveryAllowOfTheFirstIntoAJumpToTheSecond) {
  std::vector<sock_filter> deny = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                                   BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
                                   BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
                                   BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  std::vector<sock_filter> allow = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  auto chained = chain_filters(deny, allow);
  ASSERT_TRUE(chained.has_value());
  ASSERT_EQ(chained->size(), 5u);
  EXPECT_EQ((*chained)[2].k, SECCOMP_RET_ERRNO | 1u);
  EXPECT_EQ((*chained)[3].code, BPF_JMP | BPF_JA);
  EXPECT_EQ((*chained)[3].k, 0u);  // straight into the allowlist at index 4
  EXPECT_EQ((*chained)[4].k, SECCOMP_RET_ALLOW);
  std::vector<sock_filter> ret_a = {BPF_STMT(BPF_RET | BPF_A, 0)};
  EXPECT_FALSE(chain_filters(ret_a, allow).has_value());
}

TEST(FilterBuild, ForeignArchitecturesAreKilled) {
  // The first instructions load the audit arch and kill on a mismatch.
  bool kills = false;
  for (const auto& insn : embedded_program_filter())
    if (insn.code == (BPF_RET | BPF_K) && insn.k == 0x80000000u) kills = true;  // KILL_PROCESS
  EXPECT_TRUE(kills);
  EXPECT_EQ(embedded_program_filter()[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(embedded_program_filter()[0].k, 4u);  // offsetof(seccomp_data, arch)
}

}  // namespace
}  // namespace vx
