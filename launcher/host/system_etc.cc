#include "host/system_etc.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <cstring>

#include "base/path.h"
#include "host/file_read.h"

namespace vx {

namespace {

// A regular file or a directory at `real` (a path without links) as an entry at `inside`.
std::optional<EtcEntry> entry_for(const std::string& inside, const std::string& real,
                                  const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return EtcEntry{EtcEntry::Kind::kBind, inside, real};
  if (!S_ISREG(st.st_mode)) return std::nullopt;
  // The accounts are always read: the view holds only their reduced lines.
  bool accounts = inside == "/etc/passwd" || inside == "/etc/group";
  if (!accounts && static_cast<size_t>(st.st_size) > kEtcCopyMax)
    return EtcEntry{EtcEntry::Kind::kCopy, inside, real};
  auto text = read_untrusted_file(real, kEtcFileCap);
  if (!text) {
    const Error& e = text.error();
    warn(real + " is left out of the sandbox's /etc: " +
         (e.why.empty() ? std::string(std::strerror(e.sys_errno)) : e.why));
    return std::nullopt;
  }
  return EtcEntry{EtcEntry::Kind::kContent, inside, std::move(*text)};
}

}  // namespace

std::vector<EtcEntry> read_standard_etc(const std::string& root) {
  std::vector<EtcEntry> out;
  for (const auto& name : standard_etc_names()) {
    std::string path = root + "/etc/" + name;
    std::string inside = "/etc/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (!S_ISLNK(st.st_mode)) {
      if (auto e = entry_for(inside, path, st)) out.push_back(std::move(*e));
      continue;
    }
    char real[PATH_MAX];
    if (realpath(path.c_str(), real) == nullptr || stat(real, &st) != 0) continue;  // dangling
    // A link into /usr resolves the same way inside, where /usr is the host's: keep the link.
    auto target = read_link(path);
    if (target && is_within(real, root + "/usr")) {
      out.push_back({EtcEntry::Kind::kLink, inside, *target});
    } else if (auto e = entry_for(inside, real, st)) {
      out.push_back(std::move(*e));
    }
  }
  return out;
}

}  // namespace vx
