// TEMPORARY placeholder until the seccomp branch is merged (not to be committed).
#pragma once
#include <linux/filter.h>

#include <span>
#include <vector>

#include "error.h"
#include "sandbox_plan.h"
namespace vx {
struct BpfProgram {
  std::vector<sock_filter> owned;
  std::span<const sock_filter> insns;
};
Expected<BpfProgram> prepare_program_filter(const SeccompPlan& plan);
BpfProgram init_filter();
Expected<void> load_filter(const BpfProgram& p);
}  // namespace vx
