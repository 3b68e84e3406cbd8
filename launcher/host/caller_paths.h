// [o] outside, before the plan: the paths the caller names (bind sources, --expose) made
// absolute and real. A link in the project that leads out of it is not followed: a sandbox may
// have made it (SPEC §3a.4). Impure (realpath-like lookups, warnings).
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "plan/mount_plan.h"

namespace vx {

// bubblewrap's semantics for user mounts: a relative SRC is relative to CWD, a symlink is
// followed, and a missing SRC of a non-try bind is an error naming the option; a link in
// PROJECT that leads out of it is an error (a -try bind: a warning and no bind).
Expected<std::vector<MountOp>> check_user_mounts(const std::vector<MountOp>& mounts,
                                                 const std::string& cwd,
                                                 const std::string& project);

// --expose EXE outside the minimal view: each executable's real path.
Expected<std::vector<std::string>> resolve_exposed(const std::vector<std::string>& exes,
                                                   const std::string& cwd,
                                                   const std::string& project);

}  // namespace vx
