#include "host/pasta.h"

#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "host/sandbox_writable.h"

namespace vx {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_pasta(const std::string& path_variable,
                       const std::vector<std::string>& untrusted) {
  for (const auto& dir : split(path_variable, ':')) {
    if (dir.empty() || dir.front() != '/' || writable_by_sandbox(dir, untrusted)) continue;
    std::string candidate = dir + "/pasta";
    if (is_executable_file(candidate)) return candidate;
  }
  return is_executable_file(kDebianPasta) ? kDebianPasta : "";
}

}  // namespace vx
