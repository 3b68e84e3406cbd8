#include "sandbox/nested.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fd.h"
#include "plan/view.h"

namespace vx {

bool inside_sandbox() {
  UniqueFd fd(open(kSandboxMarker, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return false;
  struct stat st, ns;
  // The recorded namespace must be ours: a host process is never in a sandbox's namespace.
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (stat("/proc/self/ns/user", &ns) != 0) return false;
  char buf[32] = {};
  ssize_t n = read(fd.get(), buf, sizeof buf - 1);
  if (n <= 0) return false;
  return std::to_string(ns.st_ino) + "\n" == std::string(buf, static_cast<size_t>(n));
}

}  // namespace vx
