#include "sandbox/nested.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

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

bool inside_landlock_sandbox(const std::optional<std::string>& supervisor, uid_t uid) {
  if (!supervisor || supervisor->empty() || supervisor->size() > 9) return false;
  if (supervisor->find_first_not_of("0123456789") != std::string::npos) return false;
  pid_t pid = static_cast<pid_t>(std::stol(*supervisor));
  if (pid <= 1) return false;
  // Another user's process refuses signals for its own reason: only the caller's counts.
  UniqueFd fd(open(("/proc/" + *supervisor + "/status").c_str(), O_RDONLY | O_CLOEXEC));
  char buf[4096] = {};
  if (!fd || read(fd.get(), buf, sizeof buf - 1) <= 0) return false;
  std::string status(buf);
  auto at = status.find("\nUid:\t");
  if (at == std::string::npos) return false;
  std::string real = status.substr(at + 6, status.find('\t', at + 6) - (at + 6));
  if (real != std::to_string(uid)) return false;
  return kill(pid, 0) != 0 && errno == EPERM;
}

}  // namespace vx
