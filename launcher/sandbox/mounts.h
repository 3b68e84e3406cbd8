// [1] pid 1: carry out a MountPlan inside the fresh tmpfs root, reading sources through the old
// root. Makes no policy decision: only kernel facts (file type, a missing -try source) branch.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "plan/mount_plan.h"
#include "sandbox/mount_points.h"

namespace vx {

// `old_root` is where the host's root is reachable during setup ("/oldroot"). Every writable
// tmpfs gets size=`tmpfs_size` (--tmpfs-size) when it is not 0. `points` keeps the directories
// the ops are made in, for the steps after (the link socket, the marker).
Expected<void> apply_mounts(const MountPlan& plan, const std::string& old_root, uint64_t tmpfs_size,
                            MountPoints& points);

}  // namespace vx
