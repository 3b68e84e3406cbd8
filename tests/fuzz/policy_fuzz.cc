// seccomp policy text (SANDBOX_SECCOMP_ALLOW, the policy files), parsed and compiled to BPF.
#include "filter_build.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = vx::fuzz::text(data, size);
  auto deny = vx::parse_policy(text, "fuzz.deny", false);
  auto allow = vx::parse_policy(text, "fuzz.allow", true);
  if (!deny) return 0;
  auto deny_bpf = vx::build_deny_filter(*deny);
  if (!allow || !deny_bpf) return 0;
  if (auto allow_bpf = vx::build_allow_filter(*allow, *deny))
    (void)vx::chain_filters(*deny_bpf, *allow_bpf);
  return 0;
}
