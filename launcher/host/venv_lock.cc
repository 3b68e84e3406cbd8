#include "host/venv_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "host/state.h"

namespace vx {

Expected<UniqueFd> lock_venv(const std::string& state_root, const std::string& venv) {
  TRY_ASSIGN(dir, make_venv_entry_dir(state_root, venv));
  std::string path = dir + "/lock";
  // O_NOFOLLOW and O_NONBLOCK, and a regular file only: whatever is found there is never
  // followed nor waited on (SPEC §3a.4), even in a state directory planted before it existed.
  UniqueFd fd(open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) return fail(Error::from_errno("open " + path + " to lock " + venv));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno("look at " + path));
  if (!S_ISREG(st.st_mode))
    return fail(Error::make("lock " + venv, path + " is not a regular file",
                            "remove it; venv-exec creates it again"));
  if (flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
  if (errno != EWOULDBLOCK) return fail(Error::from_errno("lock " + path));
  warn("waiting for another pip run, install or uninstall on " + venv);
  if (retry_eintr([&] { return flock(fd.get(), LOCK_EX); }) != 0)
    return fail(Error::from_errno("lock " + path));
  return fd;
}

}  // namespace vx
