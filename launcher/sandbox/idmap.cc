#include "sandbox/idmap.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/fd.h"

namespace vx {

std::string format_uid_map(const IdMapping& ids) {
  return std::to_string(ids.inside_uid) + " " + std::to_string(ids.outside_uid) + " 1\n";
}

std::string format_gid_map(const IdMapping& ids) {
  return std::to_string(ids.inside_gid) + " " + std::to_string(ids.outside_gid) + " 1\n";
}

static Expected<void> write_proc_file(const char* path, const std::string& text) {
  UniqueFd fd(open(path, O_WRONLY | O_CLOEXEC));
  if (!fd || !write_all(fd.get(), text))
    return fail(Error::from_errno(std::string("write ") + path,
                                  "run 'venv-exec check' to see whether user namespaces work"));
  return {};
}

Expected<void> write_id_maps(const IdMapping& ids) {
  // setgroups must be denied before gid_map may be written by an unprivileged process: otherwise
  // the new namespace's root could drop supplementary groups used as negative permissions
  // (CVE-2014-8989, user_namespaces(7)). Denied for root callers too, for one behaviour.
  TRY(write_proc_file("/proc/self/setgroups", "deny"));
  TRY(write_proc_file("/proc/self/uid_map", format_uid_map(ids)));
  TRY(write_proc_file("/proc/self/gid_map", format_gid_map(ids)));
  return {};
}

}  // namespace vx
