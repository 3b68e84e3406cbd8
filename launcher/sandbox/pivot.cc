#include "sandbox/pivot.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fd.h"
#include "sandbox/mount_ops.h"

namespace vx {

Expected<void> enter_fresh_root(uint64_t tmpfs_size) {
  // Private first: nothing we mount may propagate back to the host's mount namespace, and
  // pivot_root(2) refuses a shared parent mount.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return fail(Error::from_errno("make the mount tree private"));
  // The tmpfs is built on top of the host's /tmp, which always exists; after pivot_root the
  // tmpfs is no longer mounted there, so a bind source under the host's /tmp stays reachable
  // at /oldroot/tmp.
  // By path, in one mount(2) rather than fsopen, two fsconfig, fsmount, move_mount and two
  // closes: only the host's root can change what /tmp names (a link there is the host's own),
  // and where this scratch mount lands does not matter, since pivot_root moves it to /.
  TRY(mount_fresh("tmpfs", tmpfs_options("mode=0755", tmpfs_size),
                  MountTarget::named(AT_FDCWD, "/tmp", "/tmp"), kNoDev,
                  "mount the new root's tmpfs"));
  if (chdir("/tmp") != 0) return fail(Error::from_errno("enter the new root"));
  if (mkdir("oldroot", 0700) != 0) return fail(Error::from_errno("create /oldroot"));
  if (syscall(SYS_pivot_root, ".", "oldroot") != 0)
    return fail(Error::from_errno("pivot_root into the new root"));
  if (chdir("/") != 0) return fail(Error::from_errno("enter /"));
  return {};
}

static Expected<void> write_marker(const std::string& path, MountPoints& points) {
  // The marker names this sandbox's user namespace; a nested call compares it with its own
  // (/proc/self/ns/user), so no file or variable on the host can fake being inside.
  struct stat ns;
  if (stat("/proc/self/ns/user", &ns) != 0)
    return fail(Error::from_errno("read the sandbox's user namespace"));
  std::string name;
  TRY_ASSIGN(dir, points.parent(path, name));
  UniqueFd fd(
      openat(dir, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444));
  if (!fd || !write_all(fd.get(), std::to_string(ns.st_ino) + "\n"))
    return fail(Error::from_errno("write the sandbox marker " + path));
  return {};
}

Expected<void> finish_root(const SandboxPlan& plan, MountPoints& points) {
  if (umount2(kOldRoot, MNT_DETACH) != 0) return fail(Error::from_errno("detach the old root"));
  if (rmdir(kOldRoot) != 0) return fail(Error::from_errno("remove /oldroot"));
  TRY(write_marker(plan.marker_path, points));
  if (!plan.hostname.empty() && sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    return fail(Error::from_errno("set the host name to " + plan.hostname));
  TRY(set_mount_flags("/", kReadOnly | kNoDev, false));
  TRY(set_nosuid_everywhere());
  if (chdir(plan.cwd.c_str()) != 0)
    return fail(Error::from_errno("enter the working directory " + plan.cwd,
                                  "it is not visible in the sandbox; use --chdir or --bind"));
  return {};
}

}  // namespace vx
