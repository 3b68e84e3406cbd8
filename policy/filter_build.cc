#include "filter_build.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <set>
#include <sstream>

#include "base/fd.h"

namespace vx {

namespace {

struct CtxFree {
  void operator()(void* c) const { seccomp_release(c); }
};
using Ctx = std::unique_ptr<void, CtxFree>;

Error at(const std::string& file, size_t line, const std::string& message) {
  return Error::make(file + ":" + std::to_string(line), message);
}

bool parse_number(std::string_view s, uint64_t& out) {
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

// "aN == V", "aN != V" or "aN & M == V", as the words starting at words[i]; advances i.
bool parse_condition(const std::vector<std::string>& w, size_t& i, ArgCondition& c) {
  if (i >= w.size() || w[i].size() != 2 || w[i][0] != 'a' || w[i][1] < '0' || w[i][1] > '5')
    return false;
  c.arg = static_cast<unsigned>(w[i][1] - '0');
  if (i + 2 < w.size() && (w[i + 1] == "==" || w[i + 1] == "!=")) {
    c.op = w[i + 1] == "==" ? ArgCondition::Op::kEq : ArgCondition::Op::kNe;
    i += 3;
    return parse_number(w[i - 1], c.value);
  }
  if (i + 4 < w.size() && w[i + 1] == "&" && w[i + 3] == "==") {
    c.op = ArgCondition::Op::kMaskedEq;
    i += 5;
    return parse_number(w[i - 3], c.mask) && parse_number(w[i - 1], c.value);
  }
  return false;
}

Expected<PolicyRule> parse_line(const std::vector<std::string>& words, const std::string& file,
                                size_t line, bool allow) {
  PolicyRule rule{words[0], {}, allow ? 0 : EPERM, line};
  if (seccomp_syscall_resolve_name(rule.syscall.c_str()) == __NR_SCMP_ERROR)
    return fail(at(file, line, "unknown system call '" + rule.syscall + "'"));
  size_t i = 1;
  while (i < words.size()) {
    if (allow) return fail(at(file, line, "an allow list takes only system call names"));
    if (words[i] == "=ENOSYS" || words[i] == "=EPERM" || words[i] == "=EAFNOSUPPORT") {
      rule.error = words[i] == "=ENOSYS" ? ENOSYS : words[i] == "=EPERM" ? EPERM : EAFNOSUPPORT;
      ++i;
      continue;
    }
    ArgCondition c;
    if (!parse_condition(words, i, c))
      return fail(at(file, line,
                     "malformed condition after '" + rule.syscall +
                         "' (expected aN == V, aN != V or aN & M == V)"));
    rule.conditions.push_back(c);
  }
  return rule;
}

std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line.substr(0, line.find('#')));
  std::vector<std::string> words;
  std::string w;
  while (in >> w) words.push_back(w);
  return words;
}

Expected<Ctx> new_ctx(uint32_t default_action) {
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return fail(Error::make("create a seccomp filter", "libseccomp failed"));
  // A call from a foreign architecture (or the x32 ABI, which libseccomp treats as one on
  // x86_64) could bypass rules written for native numbers: kill the process.
  if (seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS) != 0 ||
      seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0) != 0 ||
      seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0)
    return fail(Error::make("configure a seccomp filter", "libseccomp refused an attribute"));
  return ctx;
}

Expected<void> add_rule(void* ctx, uint32_t action, const PolicyRule& rule) {
  int nr = seccomp_syscall_resolve_name(rule.syscall.c_str());
  std::vector<scmp_arg_cmp> cmps;
  for (const auto& c : rule.conditions) {
    switch (c.op) {
      case ArgCondition::Op::kEq:
        cmps.push_back(SCMP_CMP64(c.arg, SCMP_CMP_EQ, c.value));
        break;
      case ArgCondition::Op::kNe:
        cmps.push_back(SCMP_CMP64(c.arg, SCMP_CMP_NE, c.value));
        break;
      case ArgCondition::Op::kMaskedEq:
        cmps.push_back(SCMP_CMP64(c.arg, SCMP_CMP_MASKED_EQ, c.mask, c.value));
        break;
    }
  }
  int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(cmps.size()),
                                  cmps.empty() ? nullptr : cmps.data());
  // A name libseccomp knows that this architecture lacks resolves to a negative pseudo number
  // and is refused here: nothing to filter.
  if (rc != 0 && nr >= 0)
    return fail(Error::make("add the seccomp rule for " + rule.syscall, strerror(-rc)));
  return {};
}

Expected<std::vector<sock_filter>> export_bpf(void* ctx) {
  UniqueFd mem(memfd_create("venv-exec-bpf", MFD_CLOEXEC));
  if (!mem) return fail(Error::from_errno("create a memfd for the seccomp program"));
  if (int rc = seccomp_export_bpf(ctx, mem.get()); rc != 0)
    return fail(Error::make("compile the seccomp filter", strerror(-rc)));
  off_t size = lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % static_cast<off_t>(sizeof(sock_filter)) != 0)
    return fail(Error::make("compile the seccomp filter", "libseccomp wrote no program"));
  std::vector<sock_filter> prog(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(mem.get(), prog.data(), static_cast<size_t>(size), 0) != size)
    return fail(Error::from_errno("read the seccomp program back"));
  return prog;
}

}  // namespace

Expected<std::vector<sock_filter>> chain_filters(const std::vector<sock_filter>& deny,
                                                 const std::vector<sock_filter>& allow) {
  std::vector<sock_filter> out = deny;
  for (size_t i = 0; i < out.size(); ++i) {
    sock_filter& insn = out[i];
    if (BPF_CLASS(insn.code) != BPF_RET) continue;
    if (insn.code != (BPF_RET | BPF_K))
      return fail(Error::make("chain seccomp filters", "a return of the accumulator"));
    if (insn.k != SECCOMP_RET_ALLOW) continue;
    // BPF_JA takes a 32-bit offset and jumps forward only: the allowlist follows.
    insn = BPF_STMT(BPF_JMP | BPF_JA, static_cast<uint32_t>(out.size() - i - 1));
  }
  out.insert(out.end(), allow.begin(), allow.end());
  if (out.size() > BPF_MAXINSNS)
    return fail(
        Error::make("chain seccomp filters", "the program is longer than the kernel allows"));
  return out;
}

Expected<std::vector<PolicyRule>> parse_policy(std::string_view text, const std::string& file,
                                               bool allow) {
  std::vector<PolicyRule> rules;
  std::set<std::string> seen;
  std::istringstream in{std::string(text)};
  std::string line;
  size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto words = split_words(line);
    if (words.empty()) continue;
    TRY_ASSIGN(rule, parse_line(words, file, line_no, allow));
    // A duplicate in an allow list is harmless; keep the first so the output stays the same.
    if (allow && !seen.insert(rule.syscall).second) continue;
    rules.push_back(std::move(rule));
  }
  return rules;
}

Expected<std::vector<sock_filter>> build_deny_filter(const std::vector<PolicyRule>& deny) {
  TRY_ASSIGN(ctx, new_ctx(SCMP_ACT_ALLOW));
  for (const auto& rule : deny) TRY(add_rule(ctx.get(), SCMP_ACT_ERRNO(rule.error), rule));
  return export_bpf(ctx.get());
}

Expected<std::vector<sock_filter>> build_allow_filter(const std::vector<PolicyRule>& allow,
                                                      const std::vector<PolicyRule>& deny) {
  TRY_ASSIGN(ctx, new_ctx(SCMP_ACT_ERRNO(ENOSYS)));
  std::set<std::string> refused;
  for (const auto& rule : deny) {
    if (!rule.conditions.empty()) continue;
    refused.insert(rule.syscall);
    // clone3 =ENOSYS: this filter's default already answers that (libseccomp refuses a rule
    // that repeats the default action).
    if (rule.error != ENOSYS) TRY(add_rule(ctx.get(), SCMP_ACT_ERRNO(rule.error), rule));
  }
  for (const auto& rule : allow)
    if (!refused.contains(rule.syscall)) TRY(add_rule(ctx.get(), SCMP_ACT_ALLOW, rule));
  return export_bpf(ctx.get());
}

}  // namespace vx
