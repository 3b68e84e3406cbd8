#include "sandbox/mount_points.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "sandbox/mount_ops.h"

namespace vx {

namespace {

// DEST as "/a/b/c" (empty and "." components dropped), the key of the kept directories; '..'
// is refused: every destination is planned as a canonical path.
Expected<std::string> canonical(const std::string& dest) {
  if (dest.empty() || dest.front() != '/')
    return fail(Error::make("create mount point " + dest, "not an absolute path"));
  std::string out;
  size_t pos = 1;
  while (pos <= dest.size()) {
    size_t slash = dest.find('/', pos);
    if (slash == std::string::npos) slash = dest.size();
    std::string_view comp(dest.data() + pos, slash - pos);
    pos = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..")
      return fail(Error::make("create mount point " + dest, "'..' is not allowed in a path"));
    out += '/';
    out += comp;
  }
  return out.empty() ? "/" : out;
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool is_at_or_below(const std::string& path, const std::string& top) {
  if (top == "/") return true;
  return path.starts_with(top) && (path.size() == top.size() || path[top.size()] == '/');
}

}  // namespace

const MountPoints::Dir* MountPoints::cached(const std::string& path) const {
  for (const auto& d : dirs_)
    if (d.path == path) return &d;
  return nullptr;
}

const bool* MountPoints::mount_at(const std::string& path) const {
  for (auto it = mounts_.rbegin(); it != mounts_.rend(); ++it)
    if (it->first == path) return &it->second;
  return nullptr;
}

// Opens PATH from its nearest kept ancestor down, keeping each directory on the way: the ops of
// a plan come grouped by parent, and the directories created for one (/run, /run/user) are
// the parents of the next.
Expected<MountPoints::DirRef> MountPoints::dir(const std::string& path) {
  if (const Dir* d = cached(path)) return DirRef{d->fd.get(), d->ours};
  const bool* mount = mount_at(path);
  if (path == "/") {
    UniqueFd fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail(Error::from_errno("open /"));
    bool ours = root_is_ours_ && (mount == nullptr || *mount);
    dirs_.push_back({path, std::move(fd), ours});
    return DirRef{dirs_.back().fd.get(), ours};
  }
  TRY_ASSIGN(up, dir(parent_of(path)));
  // A mount point exists already; anything else missing from a directory of ours is new.
  TRY_ASSIGN(fd, open_dir_entry(up.fd, path.substr(path.rfind('/') + 1), path,
                                mount == nullptr && up.ours));
  // Ours only below ours all the way from /: a directory pid 1 creates inside a bound tree (the
  // project) is seen, and may be changed, by the other sandboxes of that project at once; so
  // is a fresh tmpfs mounted there, whose mount point they can rename and replace.
  bool ours = up.ours && (mount == nullptr || *mount);
  dirs_.push_back({path, std::move(fd), ours});
  return DirRef{dirs_.back().fd.get(), ours};
}

Expected<int> MountPoints::parent(const std::string& dest, std::string& name) {
  TRY_ASSIGN(path, canonical(dest));
  if (path == "/") return fail(Error::make("create " + dest, "/ has no parent"));
  TRY_ASSIGN(up, dir(parent_of(path)));
  name = path.substr(path.rfind('/') + 1);
  return up.fd;
}

Expected<MountTarget> MountPoints::make_mountpoint(const std::string& dest, bool directory) {
  TRY_ASSIGN(path, canonical(dest));
  if (path == "/") {
    UniqueFd fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return fail(Error::from_errno("open /"));
    return MountTarget::opened(std::move(fd));
  }
  TRY_ASSIGN(up, dir(parent_of(path)));
  std::string name = path.substr(path.rfind('/') + 1);
  // In a directory of ours a new entry is the mount point, named rather than opened: nothing
  // but this process writes there, so nothing can take its place before the mount. mknodat
  // makes a regular file without a descriptor to close; EEXIST (an entry made by an earlier
  // op) goes the way of an existing one, which is opened and checked.
  if (mount_at(path) == nullptr && up.ours) {
    int rc = directory ? mkdirat(up.fd, name.c_str(), 0755)
                       : mknodat(up.fd, name.c_str(), S_IFREG | 0644, 0);
    if (rc == 0) return MountTarget::named(up.fd, name, path);
    if (errno != EEXIST) return fail(Error::from_errno("create mount point " + path));
  }
  // The mount point itself is not kept: the mount about to cover it would hide it.
  if (directory) {
    TRY_ASSIGN(fd, open_dir_entry(up.fd, name, path, false));
    return MountTarget::opened(std::move(fd));
  }
  TRY_ASSIGN(fd, open_file_entry(up.fd, name, path));
  return MountTarget::opened(std::move(fd));
}

void MountPoints::mounted(const std::string& dest, bool fresh) {
  auto path = canonical(dest);
  if (!path) return;
  std::erase_if(dirs_, [&](const Dir& d) { return is_at_or_below(d.path, *path); });
  mounts_.emplace_back(*path, fresh);
}

}  // namespace vx
