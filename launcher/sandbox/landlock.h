// Landlock: the program's process [p] builds the ruleset the planner computed (one O_PATH
// descriptor per rule) and enforces it on itself before seccomp. Impure. The probe of the
// kernel's ABI is shared with the host side ([o]: request, check).
#pragma once

#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "plan/landlock_plan.h"

namespace vx {

// The kernel's Landlock ABI version, -1 when Landlock is absent or disabled at boot.
int probe_landlock_abi();

// A ruleset holding every rule of `plan`; an empty UniqueFd when the plan applies none.
// `rule_dirs` receives the descriptor each rule was added through: pid 1 closes them once the
// program runs, off the path to its execve (as it does with the mount points' directories).
Expected<UniqueFd> build_ruleset(const LandlockPlan& plan, std::vector<UniqueFd>& rule_dirs);

// landlock_restrict_self(2) with `ruleset` (nothing for an empty one). Needs no_new_privs.
Expected<void> enforce_ruleset(UniqueFd ruleset);

}  // namespace vx
