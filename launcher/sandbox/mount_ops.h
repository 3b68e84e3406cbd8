// [1] pid 1: the mount primitives the executor is built from, all anchored on file descriptors
// (open_tree/fsmount/move_mount, kernel >= 5.12), so that no symlink is ever followed on the way
// to a destination and the source checked is the source mounted. Impure.
#pragma once

#include <cstdint>
#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

// Opens DEST below "/" one component at a time without following symlinks, creating missing
// directories (0755) and, for the last component, a directory or an empty file. O_PATH fd.
Expected<UniqueFd> make_mountpoint(const std::string& dest, bool directory);

// Opens the parent directory of DEST (created as needed); `name` receives the last component.
Expected<UniqueFd> open_parent(const std::string& dest, std::string& name);

enum MountFlags : unsigned {
  kReadOnly = 1u << 0,
  kNoDev = 1u << 1,
  kNoExec = 1u << 2,
};

// Recursively clones the tree at `src_fd` and attaches it at `dest_fd` with `flags`; nosuid
// comes from set_nosuid_everywhere. Setting attributes on the detached copy keeps the source's
// locked flags (a remount that dropped nodev/noexec would fail in a user namespace).
Expected<void> bind_tree(int src_fd, int dest_fd, unsigned flags, const std::string& what);

// A new superblock of `fstype` ("tmpfs", "proc", "devpts") attached at `dest_fd`.
// `options` is a list of key=value (or bare key) words separated by commas.
Expected<void> mount_fresh(const std::string& fstype, const std::string& options, int dest_fd,
                           unsigned flags, const std::string& what);

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
