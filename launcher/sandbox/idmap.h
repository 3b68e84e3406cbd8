// [1] pid 1: the user namespace's id maps. format_* are pure; write_id_maps is impure.
#pragma once

#include <string>

#include "base/error.h"
#include "plan/sandbox_plan.h"

namespace vx {

std::string format_uid_map(const IdMapping& ids);  // "INSIDE OUTSIDE 1\n"
std::string format_gid_map(const IdMapping& ids);

// Writes /proc/self/setgroups ("deny"), then uid_map and gid_map of the calling process, which
// must be the first process of a new user namespace.
Expected<void> write_id_maps(const IdMapping& ids);

}  // namespace vx
