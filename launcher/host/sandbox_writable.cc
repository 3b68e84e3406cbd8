#include "host/sandbox_writable.h"

#include <sys/stat.h>

#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"

namespace vx {

bool writable_by_sandbox(const std::string& path, const std::vector<std::string>& untrusted) {
  std::string resolved = real_path(path).value_or(path);
  for (const auto& u : untrusted)
    if (!u.empty() && (is_within(resolved, u) || is_within(path, u))) return true;
  return false;
}

std::string link_planted_on_way(const std::string& path,
                                const std::vector<std::string>& untrusted) {
  std::string prefix;
  for (const auto& comp : split(path, '/')) {
    if (comp.empty() || comp == ".") continue;
    prefix += "/" + comp;
    struct stat st;
    if (lstat(prefix.c_str(), &st) != 0) return "";
    if (!S_ISLNK(st.st_mode)) continue;
    auto dir = real_path(parent_dir(prefix));
    if (!dir) continue;
    for (const auto& u : untrusted)
      if (!u.empty() && is_within(*dir, u)) return prefix + " -> " + read_link(prefix).value_or("?");
  }
  return "";
}

}  // namespace vx
