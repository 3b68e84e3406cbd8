#include "sandbox/seccomp_filter.h"

#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "embedded_filters.h"
#include "filter_build.h"

namespace vx {

Expected<BpfProgram> prepare_program_filter(const SeccompPlan& plan) {
  BpfProgram p;
  switch (plan.mode) {
    case SeccompPlan::Mode::kOff:
      return p;
    case SeccompPlan::Mode::kEmbedded:
      p.layers = {embedded_program_filter()};
      return p;
    case SeccompPlan::Mode::kCustom:
      break;
  }
  std::string list;
  for (const auto& name : plan.allow) list += name + "\n";
  TRY_ASSIGN(allow, parse_policy(list, "SANDBOX_SECCOMP_ALLOW", true));
  TRY_ASSIGN(deny, parse_policy(embedded_deny_policy(), "always.deny", false));
  TRY_ASSIGN(bpf, build_allow_filter(allow, deny));
  std::vector<sock_filter> deny_bpf(embedded_deny_filter().begin(), embedded_deny_filter().end());
  TRY_ASSIGN(chained, chain_filters(deny_bpf, bpf));
  p.owned.push_back(std::move(chained));
  p.layers = {p.owned.back()};
  return p;
}

BpfProgram init_filter() {
  BpfProgram p;
  p.layers = {embedded_init_filter()};
  return p;
}

Expected<void> load_filter(const BpfProgram& program) {
  for (const auto& layer : program.layers) {
    struct sock_fprog prog = {static_cast<unsigned short>(layer.size()),
                              const_cast<sock_filter*>(layer.data())};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
      return fail(Error::from_errno("load the seccomp filter",
                                    "run 'venv-exec check' to see whether seccomp is available"));
  }
  return {};
}

}  // namespace vx
