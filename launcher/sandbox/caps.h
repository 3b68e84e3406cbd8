// Capabilities (libcap). resolve_caps is pure; drop_privileges runs in [1] pid 1 and [p] the
// program's process, right before seccomp.
#pragma once

#include <vector>

#include "base/error.h"
#include "plan/options.h"

namespace vx {

// --cap-add/--cap-drop in order -> the capability numbers kept. "ALL" adds or drops them all.
Expected<std::vector<int>> resolve_caps(const std::vector<CapChange>& changes);

// Empties the bounding set but for `keep`, sets permitted, effective, inheritable and ambient
// to exactly `keep`, then sets no_new_privs. Each step is verified; any failure stops.
Expected<void> drop_privileges(const std::vector<int>& keep);

}  // namespace vx
