#include "plan/landlock_only.h"

#include <algorithm>

namespace vx {

Expected<LandlockPlan> plan_landlock_only(const LandlockOnlyInputs& in, int abi) {
  if (abi < kLandlockOnlyMinAbi)
    return fail(Error::make(
        "run without user namespaces",
        abi < 1 ? std::string("this kernel has no Landlock either")
                : "Landlock ABI " + std::to_string(abi) +
                      " lacks the signal and abstract socket "
                      "scopes of ABI 6 (Linux 6.12)",
        "allow user namespaces for venv-exec: run 'venv-exec check' for the setting and its fix"));
  LandlockPlan plan;
  plan.abi = abi;
  plan.handled_fs = landlock_fs_rights(abi);
  plan.scoped = landlock_scopes(abi);
  auto add = [&](const std::string& path, uint64_t access) {
    plan.rules.push_back({path, access & plan.handled_fs, false});
  };
  for (const auto& p : in.system_paths) add(p, ll::kRead | ll::kExecute);
  // The program's own /proc/self; other processes' files answer EACCES where they matter
  // (environ, mem, fd, root: Landlock refuses ptrace-mode access outside the domain).
  add("/proc", ll::kRead);
  for (const auto& d : in.devices)
    add(d, ll::kRead | ll::kWriteFile | ll::kTruncate | ll::kIoctlDev);
  add(in.project, ll::kRead | ll::kExecute);
  for (const auto& name : in.project_entries) {
    if (name == "." || name == ".." ||
        std::find(in.read_only_names.begin(), in.read_only_names.end(), name) !=
            in.read_only_names.end())
      continue;
    add(in.project + "/" + name, ll::kRead | ll::kExecute | ll::kWrite);
  }
  for (const auto& w : in.writable) add(w, ll::kRead | ll::kExecute | ll::kWrite);
  return plan;
}

std::string landlock_only_warning(const std::string& why) {
  return "Landlock-only sandbox (" + why +
         "): no pid isolation (host processes are visible in /proc), the host's paths, no "
         "private /tmp, the venv and new top-level project files are not writable, and "
         "processes left running in the background outlive the program";
}

}  // namespace vx
