// [1] pid 1: switch to a fresh tmpfs root, and finish it once the mounts are in place. Impure.
#pragma once

#include <cstdint>

#include "base/error.h"
#include "plan/sandbox_plan.h"
#include "sandbox/mount_points.h"

namespace vx {

// Where the host's root stays reachable while the mounts are applied.
inline constexpr const char* kOldRoot = "/oldroot";

// Private propagation, a tmpfs as the new root, pivot_root with the old root at /oldroot.
// `tmpfs_size`: the root tmpfs's size= (--tmpfs-size), 0 for the kernel's default.
Expected<void> enter_fresh_root(uint64_t tmpfs_size = 0);

// Detach the old root, write the sandbox marker, set the hostname, make / read-only and enter
// the working directory. `points`: the directories apply_mounts kept open.
Expected<void> finish_root(const SandboxPlan& plan, MountPoints& points);

}  // namespace vx
