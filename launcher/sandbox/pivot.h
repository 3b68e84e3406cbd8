// [1] pid 1: switch to a fresh tmpfs root, and finish it once the mounts are in place. Impure.
#pragma once

#include "base/error.h"
#include "plan/sandbox_plan.h"

namespace vx {

// Where the host's root stays reachable while the mounts are applied.
inline constexpr const char* kOldRoot = "/oldroot";

// Private propagation, a tmpfs as the new root, pivot_root with the old root at /oldroot.
Expected<void> enter_fresh_root();

// Detach the old root, write the sandbox marker, set the hostname, make / read-only and enter
// the working directory.
Expected<void> finish_root(const SandboxPlan& plan);

}  // namespace vx
