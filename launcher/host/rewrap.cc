#include "host/rewrap.h"

#include <sys/stat.h>

#include <algorithm>

#include "plan/view.h"
#include "host/wrap.h"

namespace vx {

std::vector<std::string> existing_protected(const std::string& project) {
  std::vector<std::string> found;
  struct stat st;
  for (const auto& name : protected_project_names())
    if (lstat((project + "/" + name).c_str(), &st) == 0) found.push_back(name);
  return found;
}

void warn_new_protected(const std::string& project, const std::vector<std::string>& before) {
  for (const auto& name : existing_protected(project)) {
    if (std::find(before.begin(), before.end(), name) != before.end()) continue;
    warn("the sandbox created " + project + "/" + name +
         "; host programs (git, direnv, editors) may trust it: inspect it before use");
  }
}

Expected<void> rewrap_after_pip(const std::string& venv, const std::string& self_exe) {
  TRY_ASSIGN(report, wrap_entrypoints(venv, self_exe));
  for (const auto& moved : report.quarantined)
    warn("the sandbox replaced an interpreter link; the replacement is kept at " + moved +
         " and the wrapper restored");
  for (const auto& name : report.restored) warn("restored the wrapper " + venv + "/bin/" + name);
  return {};
}

}  // namespace vx
