#include "plan/landlock_only.h"

#include <algorithm>
#include <functional>

#include "base/path.h"

namespace vx {

namespace {

constexpr uint64_t kReadOnly = ll::kRead | ll::kExecute;
constexpr uint64_t kReadWrite = ll::kRead | ll::kExecute | ll::kWrite;

bool listed(const std::vector<std::string>& paths, const std::string& path) {
  return std::find(paths.begin(), paths.end(), path) != paths.end();
}

// Whether one of `paths` lies strictly below `dir`.
bool holds(const std::vector<std::string>& paths, const std::string& dir) {
  return std::any_of(paths.begin(), paths.end(),
                     [&](const std::string& p) { return p != dir && is_within(p, dir); });
}

// The rules for `dir` (the project, or a directory on the way to a read-only or hidden path)
// and for the entries the host listed in it. Landlock grants a path the union of its own rules
// and its ancestors', and rights only add downwards: `dir` itself gets reading, or only its
// listing when a hidden path lies below (READ_FILE there would reach the hidden files); each
// entry gets its own rule (`entries`: read-write, or read-only below a read-only path), and an
// entry that holds a carved path is carved in turn. No directory on the way, and so no parent
// of one, gets a write right: renaming or removing one (REMOVE_DIR and REFER on its parent)
// to put another tree at the protected path is refused, and so is creating a name beside it.
void carve(const LandlockOnlyInputs& in, const std::string& dir, uint64_t entries,
           const std::function<void(const std::string&, uint64_t)>& add) {
  bool hides = holds(in.hidden, dir);
  add(dir, hides ? ll::kReadDir : kReadOnly);
  auto names = in.listings.find(dir);
  if (names == in.listings.end()) return;
  for (const auto& name : names->second) {
    if (name == "." || name == ".." || name.empty() || name.find('/') != std::string::npos)
      continue;
    std::string path = dir + "/" + name;
    if (listed(in.hidden, path)) continue;  // no rule: not even readable
    bool read_only = entries == kReadOnly || listed(in.read_only, path);
    if (holds(in.hidden, path) || (!read_only && holds(in.read_only, path))) {
      carve(in, path, read_only ? kReadOnly : entries, add);
    } else if (!read_only || hides) {
      // A read-only entry needs its own rule only where `dir` grants no reading.
      add(path, read_only ? kReadOnly : entries);
    }
  }
}

}  // namespace

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
  if (!listed(in.hidden, in.project)) carve(in, in.project, kReadWrite, add);
  for (const auto& w : in.writable) add(w, ll::kRead | ll::kExecute | ll::kWrite);
  return plan;
}

std::string landlock_only_warning(const std::string& why) {
  return "Landlock-only sandbox (" + why +
         "): no pid isolation (host processes are visible in /proc), the host's paths, no "
         "private /tmp, the venv and new files directly in the project (or beside another "
         "protected path) are not writable, and processes left running in the background "
         "outlive the program";
}

}  // namespace vx
