// [1] pid 1: the directories that mount points are made in, opened once per apply and reused by
// consecutive ops (the /etc files, the /dev nodes, the root's links), so that each op costs only
// its own calls. Every directory is reached one component at a time with O_NOFOLLOW, as
// RESOLVE_NO_SYMLINKS would: no link is followed on the way to a destination. Impure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "sandbox/mount_ops.h"

namespace vx {

class MountPoints {
 public:
  // `root_is_ours`: "/" is the fresh tmpfs this process made (pid 1 after pivot_root), so what
  // is not there yet is created without looking first.
  explicit MountPoints(bool root_is_ours) : root_is_ours_(root_is_ours) {}

  // The directory DEST's parent (created 0755 as needed); `name` receives the last component.
  // The descriptor stays owned by this object, valid until the next mount at or above it.
  Expected<int> parent(const std::string& dest, std::string& name);

  // DEST as a mount target, created (with its parents) as a directory or an empty regular file
  // when it is missing; refuses a link anywhere on the way, and a file where a directory is
  // asked for or the reverse. Use it before the next call: its directory may be one kept here.
  Expected<MountTarget> make_mountpoint(const std::string& dest, bool directory);

  // Must follow every mount at DEST: a kept descriptor at or below DEST now names a directory
  // hidden under the mount. `fresh`: an empty tmpfs, whose entries only this process makes.
  void mounted(const std::string& dest, bool fresh);

  // Closes every directory kept.
  void close_all() { dirs_.clear(); }

 private:
  struct Dir {
    std::string path;
    UniqueFd fd;
    // Only this process writes it and every directory above it (the root tmpfs, a fresh tmpfs,
    // a directory made there): an entry missing from it is created without looking first, and
    // a new mount point there is named rather than opened.
    bool ours;
  };
  struct DirRef {
    int fd;
    bool ours;
  };
  Expected<DirRef> dir(const std::string& path);
  const Dir* cached(const std::string& path) const;
  const bool* mount_at(const std::string& path) const;

  bool root_is_ours_;
  std::vector<Dir> dirs_;
  std::vector<std::pair<std::string, bool>> mounts_;  // every mount made, with its `fresh`
};

}  // namespace vx
