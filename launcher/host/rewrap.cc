#include "host/rewrap.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>

#include "base/fd.h"
#include "plan/view.h"
#include "host/publish.h"
#include "host/wrap.h"

namespace vx {

// Runs at the end of every launch, where each page the launcher writes, heap or stack, is
// still a copy-on-write fault since the clone: the names are looked up from the project's
// descriptor, no path put together, and a name present before the run is not looked at again.
void warn_new_protected(const std::string& project, const std::vector<std::string>& before) {
  UniqueFd dir(open(project.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return;
  for (const auto& name : protected_project_names()) {
    if (std::find(before.begin(), before.end(), name) != before.end()) continue;
    struct stat st;
    if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    warn("the sandbox created " + project + "/" + name +
         "; host programs (git, direnv, editors) may trust it: inspect it before use");
  }
}

Expected<void> rewrap_after_pip(Staging& staging, const std::string& self_exe) {
  auto report = publish_staging(staging, self_exe);
  // Removed even after a failed publish: it holds nothing the host may run.
  auto removed = remove_staging(staging);
  if (!report) return fail(report.error());
  std::string bin = staging.venv + "/bin/";
  for (const auto& name : report->restored)
    warn("the sandbox replaced an interpreter link, " + bin + name +
         "; the original was kept (pip does not manage the venv's interpreter)");
  for (const auto& entry : report->skipped) warn("not published to " + bin + ": " + entry);
  return removed;
}

}  // namespace vx
