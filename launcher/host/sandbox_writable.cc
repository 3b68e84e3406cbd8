#include "host/sandbox_writable.h"

#include <limits.h>
#include <stdlib.h>

#include "base/path.h"

namespace vx {

bool writable_by_sandbox(const std::string& path, const std::vector<std::string>& untrusted) {
  char real[PATH_MAX];
  std::string resolved = realpath(path.c_str(), real) != nullptr ? real : path;
  for (const auto& u : untrusted)
    if (!u.empty() && (is_within(resolved, u) || is_within(path, u))) return true;
  return false;
}

}  // namespace vx
