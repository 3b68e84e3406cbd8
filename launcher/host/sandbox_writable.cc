#include "host/sandbox_writable.h"

#include "base/path.h"
#include "base/real_path.h"

namespace vx {

bool writable_by_sandbox(const std::string& path, const std::vector<std::string>& untrusted) {
  std::string resolved = real_path(path).value_or(path);
  for (const auto& u : untrusted)
    if (!u.empty() && (is_within(resolved, u) || is_within(path, u))) return true;
  return false;
}

}  // namespace vx
