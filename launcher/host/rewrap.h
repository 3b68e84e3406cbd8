// [o] outside, after the sandbox has exited: wrap what pip installed and restore what it must
// not change (SPEC §7), and warn when the run created a path a host program trusts. Impure.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "host/staging.h"

namespace vx {

// Warns on stderr for each protected path (.git, .env, ...) that exists now but was not in
// `before` (LaunchRequest::protected_present, taken before the launch).
void warn_new_protected(const std::string& project, const std::vector<std::string>& before);

// After pip: publishes the staging dir (publish.h) and removes it, warning for each entry not
// published and each interpreter link restored, so that everything in VENV/bin runs
// sandboxed when pip returns. Names pip wrote are escaped before they reach the terminal.
Expected<void> rewrap_after_pip(Staging& staging, const std::string& self_exe);

}  // namespace vx
