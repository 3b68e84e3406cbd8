// Capabilities, with bare capset(2) and prctl(2): no library to load at start, and no
// allocation on the way to success in the program's process (a CLONE_VM child of pid 1).
// resolve_caps runs [o] outside; drop_privileges in [1] pid 1 and [p] the program's process,
// right before seccomp.
#pragma once

#include <vector>

#include "base/error.h"
#include "plan/options.h"

namespace vx {

// --cap-add/--cap-drop in order -> the capability numbers kept. "ALL" adds or drops them all.
// Names as capabilities(7) spells them, with or without "cap_", any case.
Expected<std::vector<int>> resolve_caps(const std::vector<CapChange>& changes);

// Empties the bounding set but for `keep`, sets permitted, effective, inheritable and ambient
// to exactly `keep`, then sets no_new_privs. Each step is verified; any failure stops.
Expected<void> drop_privileges(const std::vector<int>& keep);

}  // namespace vx
