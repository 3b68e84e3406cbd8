// [1] pid 1: carry out a MountPlan inside the fresh tmpfs root, reading sources through the old
// root. Makes no policy decision: only kernel facts (file type, a missing -try source) branch.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "plan/mount_plan.h"

namespace vx {

// `old_root` is where the host's root is reachable during setup ("/oldroot"). Every writable
// tmpfs gets size=`tmpfs_size` (--tmpfs-size) when it is not 0.
Expected<void> apply_mounts(const MountPlan& plan, const std::string& old_root,
                            uint64_t tmpfs_size = 0);

}  // namespace vx
