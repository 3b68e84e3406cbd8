// [1] pid 1: the mount primitives the executor is built from, anchored on file descriptors
// (open_tree/fsmount/move_mount, kernel >= 5.12), so that no symlink is ever followed on the way
// to a destination and the source checked is the source mounted. In directories only pid 1 has
// written a name or a path is as safe, and cheaper (MountTarget). Impure.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

// One entry below `dir_fd`, never through a link: the directory NAME (created 0755 when missing;
// with `create_first` mkdirat(2) is tried before looking, for a directory only this process
// writes). PATH names it in errors.
Expected<UniqueFd> open_dir_entry(int dir_fd, const std::string& name, const std::string& path,
                                  bool create_first);

// The regular file NAME below `dir_fd` as a mount point: an existing one through O_PATH, a
// missing one created empty (O_WRONLY). Refuses a link, a directory or any other kind of file.
Expected<UniqueFd> open_file_entry(int dir_fd, const std::string& name, const std::string& path);

enum MountFlags : unsigned {
  kReadOnly = 1u << 0,
  kNoDev = 1u << 1,
  kNoExec = 1u << 2,
};

// Where a mount goes: the mount point's own descriptor; or, in a directory only this process
// has written, that directory and the entry's name, which saves opening and closing the entry
// (move_mount(2) follows no link in the last component without MOVE_MOUNT_T_SYMLINKS, and no
// one else can have put one there). `path`, when set, is the entry's absolute path through
// directories only this process has written, from / down: it resolves to the same entry.
struct MountTarget {
  UniqueFd fd;
  int dir = AT_FDCWD;
  std::string name;
  std::string path;

  static MountTarget opened(UniqueFd fd) { return {std::move(fd), AT_FDCWD, {}, {}}; }
  static MountTarget named(int dir, std::string name, std::string path = {}) {
    return {UniqueFd(), dir, std::move(name), std::move(path)};
  }
};

// A detached recursive copy of the mount tree at PATH, opened with no link followed anywhere
// on the way (a link there is ELOOP; a link as the last component is cloned as itself), with
// `flags` set on it: fstat(2) on the result shows what would be mounted, a link included.
// One open_tree_attr(2) call where the kernel has it; `no_open_tree_attr` remembers it has not
// (ENOSYS, or EPERM from a seccomp profile: open_tree then mount_setattr, as before 6.15).
// With `dir`, PATH's parent is opened so (no link on the way) only when it is not the one `dir`
// holds, and kept there: consecutive sources in one directory (the six devices of /dev, the
// trees of /etc) then cost one open_tree(2) of a single component, not an openat2(2) of the
// whole path, the clone and a close. The kept descriptor pins the directory as the per-path
// open pinned each source; the last component is still not followed (AT_SYMLINK_NOFOLLOW).
struct SourceDir {
  std::string path;
  UniqueFd fd;
};
Expected<UniqueFd> clone_tree(const std::string& path, unsigned flags, bool& no_open_tree_attr,
                              const std::string& what, SourceDir* dir = nullptr);

// bind(2) of the unix socket `sock` as NAME in the directory `dir_fd`, through the descriptor
// (/proc/self/fd/N/NAME): a path from / could be sent elsewhere by a directory on the way
// swapped for a link after `dir_fd` was opened (attack review, finding 10). PATH names it in
// errors. Needs /proc mounted.
Expected<void> bind_socket_at(int sock, int dir_fd, const std::string& name,
                              const std::string& path);

// Attaches a tree from clone_tree at `dest`.
Expected<void> attach_tree(int tree_fd, const MountTarget& dest, const std::string& what);

// Recursively clones the tree at `src_fd` and attaches it at `dest` with `flags`; nosuid
// comes from set_nosuid_everywhere. Setting attributes on the detached copy keeps the source's
// locked flags (a remount that dropped nodev/noexec would fail in a user namespace).
Expected<void> bind_tree(int src_fd, const MountTarget& dest, unsigned flags,
                         const std::string& what);

// A new superblock of `fstype` ("tmpfs", "proc", "devpts") attached at `dest`.
// `options` is a list of key=value (or bare key) words separated by commas, as mount(8) takes.
Expected<void> mount_fresh(const std::string& fstype, const std::string& options,
                           const MountTarget& dest, unsigned flags, const std::string& what);

// "MODE,size=BYTES" for a tmpfs; just MODE when `size` is 0 (the kernel's default, half of RAM).
std::string tmpfs_options(const std::string& mode, uint64_t size);

// Sets flags on the mount at `path` (and, with `recursive`, below it).
// nosuid on every mount of the new root, in one recursive mount_setattr(2): the last mount
// step, after the old root is detached. (no_new_privs already makes set-id bits inert; this is
// the second lock.)
Expected<void> set_nosuid_everywhere();

// Sets flags (and nosuid) on the mount at `path` (and, with `recursive`, below it).
Expected<void> set_mount_flags(const std::string& path, unsigned flags, bool recursive);

}  // namespace vx
