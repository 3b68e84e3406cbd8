#include "host/rewrap.h"

#include <sys/stat.h>

#include <algorithm>

#include "plan/view.h"
#include "host/publish.h"
#include "host/wrap.h"

namespace vx {

namespace {

std::vector<std::string> existing_protected(const std::string& project) {
  std::vector<std::string> found;
  struct stat st;
  for (const auto& name : protected_project_names())
    if (lstat((project + "/" + name).c_str(), &st) == 0) found.push_back(name);
  return found;
}

}  // namespace

void warn_new_protected(const std::string& project, const std::vector<std::string>& before) {
  for (const auto& name : existing_protected(project)) {
    if (std::find(before.begin(), before.end(), name) != before.end()) continue;
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
