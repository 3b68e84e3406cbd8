#include "host/venv_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace vx {

Expected<UniqueFd> lock_venv(const std::string& venv) {
  UniqueFd fd(open(venv.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fail(Error::from_errno("open " + venv + " to lock it"));
  if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
  if (errno != EWOULDBLOCK) return fail(Error::from_errno("lock " + venv));
  warn("waiting for another pip run, install or uninstall on " + venv);
  if (retry_eintr([&] { return flock(fd.get(), LOCK_EX); }) != 0)
    return fail(Error::from_errno("lock " + venv));
  return fd;
}

}  // namespace vx
