// Seccomp policy text -> BPF, with libseccomp. Linked into the build-time compiler (compile.cc)
// and into the launcher (for SANDBOX_SECCOMP_ALLOW). Pure apart from libseccomp's own memory
// and a memfd for exporting; it never loads a filter.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace vx {

struct ArgCondition {
  enum class Op { kEq, kNe, kMaskedEq };
  unsigned arg = 0;  // 0..5
  Op op = Op::kEq;
  uint64_t mask = 0;  // for kMaskedEq
  uint64_t value = 0;
  bool operator==(const ArgCondition&) const = default;
};

struct PolicyRule {
  std::string syscall;
  std::vector<ArgCondition> conditions;  // all must hold
  int error = 0;                         // errno answered; 0 for an allow rule
  size_t line = 0;
  bool operator==(const PolicyRule&) const = default;
};

// Parses an allow list (`allow` true: names only) or a deny list (conditions, =ENOSYS).
// Errors read "FILE:LINE: message"; an unknown system call name is one.
Expected<std::vector<PolicyRule>> parse_policy(std::string_view text, const std::string& file,
                                               bool allow);

// The filter loaded FIRST: default ALLOW, the deny rules answering their errno; foreign
// architectures and x32 killed. Loaded before the allowlist because that one forbids seccomp().
Expected<std::vector<sock_filter>> build_deny_filter(const std::vector<PolicyRule>& deny);

// The filter loaded LAST: default ENOSYS, the listed calls allowed, and the deny rules without
// conditions answering their errno here too (the kernel keeps the errno of the newest filter
// when two filters both answer with an errno). Calls with argument conditions stay allowed
// here; the deny filter refuses their bad arguments, and an errno outranks ALLOW.
Expected<std::vector<sock_filter>> build_allow_filter(const std::vector<PolicyRule>& allow,
                                                      const std::vector<PolicyRule>& deny);

// One program that runs `deny`, and where it would allow, continues into `allow`: each
// "return ALLOW" of `deny` becomes a jump to `allow`'s first instruction. The same outcome as
// loading both filters (an errno or kill from `deny` outranks whatever `allow` says, since
// `deny` only ever answers ALLOW, an errno or kill), for one load and one run per call.
Expected<std::vector<sock_filter>> chain_filters(const std::vector<sock_filter>& deny,
                                                 const std::vector<sock_filter>& allow);

}  // namespace vx
