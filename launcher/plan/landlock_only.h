// The Landlock-only sandbox (`--isolation landlock`, or where user namespaces cannot be
// created): no namespaces, the host's own paths, and a LandlockPlan that is the whole file
// system boundary. Pure: the host side lists the paths, this decides what each may do.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/error.h"
#include "plan/landlock_plan.h"

namespace vx {

struct LandlockOnlyInputs {
  // Read and execute: /usr, the real top-level system directories, the curated /etc files
  // (symbolic links already resolved by the host side), the interpreter's prefix, venv-exec.
  std::vector<std::string> system_paths;
  std::vector<std::string> devices;  // /dev/null ... and the caller's terminal: read and write
  std::string project;               // read and execute
  // Paths strictly inside the project, as the namespaced view treats them (plan/view.cc):
  // read-only the venv, the other registered venvs and the protected names; neither readable
  // nor writable the host-side state directory (SPEC §3a.1).
  std::vector<std::string> read_only;
  std::vector<std::string> hidden;
  // The host's listing (names, links left out) of the project and of every directory between
  // it and a path above; the planner grants each listed name on its own.
  std::map<std::string, std::vector<std::string>> listings;
  std::vector<std::string> writable;  // VENV/home, VENV/cache
};

// Landlock-only mode has no marker file: the program's environment names the supervising
// process, which a process inside the Landlock domain cannot signal (sandbox/nested.cc).
inline constexpr const char* kLandlockMarkerEnv = "VENV_EXEC_LANDLOCK_SUPERVISOR";

// The oldest ABI a Landlock-only sandbox runs on: without the ABI 6 scopes the program could
// signal the caller's processes and reach the host's abstract sockets.
inline constexpr int kLandlockOnlyMinAbi = 6;

// Reads under the system paths, /proc and the project; execution there too; writes only in the
// writable directories and in the project's listed entries that hold no read-only or hidden
// path. The project directory itself, and each directory on the way to such a path, takes no
// new entry: a right on it would reach the path below it (Landlock grants the union of a
// path's rules and its parents').
Expected<LandlockPlan> plan_landlock_only(const LandlockOnlyInputs& in, int abi);

// The one warning line of every Landlock-only launch: what this mode lacks. `why` says how it
// was chosen.
std::string landlock_only_warning(const std::string& why);

}  // namespace vx
