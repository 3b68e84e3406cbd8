#include "sandbox/mount_ops.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>

#include "base/real_path.h"

namespace vx {

namespace {

unsigned mount_attrs(unsigned flags) {
  // nosuid everywhere: no_new_privs already makes set-id bits inert, this is the second lock.
  unsigned attrs = MOUNT_ATTR_NOSUID;
  if (flags & kReadOnly) attrs |= MOUNT_ATTR_RDONLY;
  if (flags & kNoDev) attrs |= MOUNT_ATTR_NODEV;
  if (flags & kNoExec) attrs |= MOUNT_ATTR_NOEXEC;
  return attrs;
}

// Without MOVE_MOUNT_T_SYMLINKS a link as the target's last component is not followed.
int move_to(int from_fd, const MountTarget& dest) {
  if (dest.fd)
    return move_mount(from_fd, "", dest.fd.get(), "",
                      MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  return move_mount(from_fd, "", dest.dir, dest.name.c_str(), MOVE_MOUNT_F_EMPTY_PATH);
}

// nosuid comes later, for every mount at once (set_nosuid_everywhere): a copy that needs
// nothing else (a device) costs no call.
struct mount_attr tree_attr(unsigned flags) {
  struct mount_attr attr = {};
  attr.attr_set = mount_attrs(flags) & ~MOUNT_ATTR_NOSUID;
  return attr;
}

Expected<void> set_tree_attr(int tree_fd, struct mount_attr attr, const std::string& what) {
  if (attr.attr_set != 0 &&
      mount_setattr(tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return fail(Error::from_errno(what + " (mount_setattr)"));
  return {};
}

// open_tree_attr(2), Linux 6.15: open_tree(2) and mount_setattr(2) in one call, the attributes
// set on the detached copy, recursively with AT_RECURSIVE. The same number on every
// architecture (the unified table); libc headers may not name it yet.
constexpr long kSysOpenTreeAttr = 467;

}  // namespace

Expected<UniqueFd> open_dir_entry(int dir_fd, const std::string& name, const std::string& path,
                                  bool create_first) {
  auto make = [&] { return mkdirat(dir_fd, name.c_str(), 0755) == 0 || errno == EEXIST; };
  if (create_first && !make()) return fail(Error::from_errno("create directory " + path));
  for (int attempt = 0; attempt < 2; ++attempt) {
    int fd = openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) return UniqueFd(fd);
    if (errno == ENOTDIR)
      return fail(Error::make("create mount point " + path, "a symbolic link or file is in the way",
                              "remove " + path + " (a sandbox may have planted it)"));
    if (errno != ENOENT) return fail(Error::from_errno("open " + path));
    if (!make()) return fail(Error::from_errno("create directory " + path));
  }
  return fail(Error::make("create directory " + path, "it keeps disappearing"));
}

Expected<UniqueFd> open_file_entry(int dir_fd, const std::string& name, const std::string& path) {
  // An existing file is taken as it is, through O_PATH: opening it for reading would block on
  // a FIFO planted in the project (SPEC §3a.4), and one we may not read (mode 0000 on the
  // host) is still a valid mount point. Only a missing one is created; O_EXCL makes it a new
  // regular file, which needs no check.
  int fd = openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd = openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0) return UniqueFd(fd);
  }
  if (fd < 0) return fail(Error::from_errno("create mount point " + path));
  UniqueFd file(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) return fail(Error::from_errno("create mount point " + path));
  if (S_ISDIR(st.st_mode))
    return fail(Error::make("create mount point " + path, "a directory is in the way of a file"));
  if (!S_ISREG(st.st_mode))
    return fail(Error::make("create mount point " + path, "not a regular file",
                            "remove " + path + " (a sandbox may have planted it)"));
  return file;
}

namespace {

// PATH's parent and last component when the last is a plain name ("a", not "", "." or "..").
bool split_leaf(const std::string& path, std::string& parent, std::string& leaf) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == path.size()) return false;
  leaf = path.substr(slash + 1);
  parent = path.substr(0, slash);
  return leaf != "." && leaf != "..";
}

}  // namespace

Expected<UniqueFd> clone_tree(const std::string& path, unsigned flags, bool& no_open_tree_attr,
                              const std::string& what, SourceDir* dir) {
  // The source is opened first, with no link followed on the whole way: open_tree(2) by path
  // refuses a link only as the last component, so a concurrent sandbox that swapped a directory
  // on the way (RENAME_EXCHANGE with one holding a link) redirected the bind to a host path of
  // its choice (attack review, finding 3). The host resolved every source to its real path, so a
  // link on the way was put there since. O_PATH|O_NOFOLLOW still opens a link as the last
  // component (openat2(2)): it is cloned as itself, for the caller to see with fstat and refuse.
  struct open_how how = {};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  std::string parent, leaf;
  UniqueFd src;
  int at = -1;
  if (dir != nullptr && split_leaf(path, parent, leaf)) {
    if (!dir->fd || dir->path != parent) {
      how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
      UniqueFd fd(
          static_cast<int>(syscall(SYS_openat2, AT_FDCWD, parent.c_str(), &how, sizeof how)));
      if (!fd) return fail(Error::from_errno(what));
      dir->fd = std::move(fd);
      dir->path = parent;
    }
    at = dir->fd.get();
  } else {
    src.reset(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
    if (!src) return fail(Error::from_errno(what));
    at = src.get();
  }
  // AT_RECURSIVE as in bind_tree. A single name below `at` (or none): no link on the way, and
  // AT_SYMLINK_NOFOLLOW clones a link there as itself.
  constexpr unsigned kClone = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH |
                              AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT;
  struct mount_attr attr = tree_attr(flags);
  if (attr.attr_set != 0 && !no_open_tree_attr) {
    UniqueFd tree(
        static_cast<int>(syscall(kSysOpenTreeAttr, at, leaf.c_str(), kClone, &attr, sizeof attr)));
    if (tree) return tree;
    // EPERM too: a container's seccomp profile may refuse a call newer than itself so. A real
    // EPERM comes back from open_tree below.
    if (errno != ENOSYS && errno != EPERM) return fail(Error::from_errno(what));
    no_open_tree_attr = true;
  }
  UniqueFd tree(open_tree(at, leaf.c_str(), kClone));
  if (!tree) return fail(Error::from_errno(what));
  TRY(set_tree_attr(tree.get(), attr, what));
  return tree;
}

Expected<void> attach_tree(int tree_fd, const MountTarget& dest, const std::string& what) {
  if (move_to(tree_fd, dest) != 0) return fail(Error::from_errno(what + " (move_mount)"));
  return {};
}

Expected<void> bind_tree(int src_fd, const MountTarget& dest, unsigned flags,
                         const std::string& what) {
  // AT_RECURSIVE: a non-recursive clone of a tree with locked submounts is refused in a user
  // namespace, and would reveal what those submounts hide.
  UniqueFd tree(
      open_tree(src_fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE));
  if (!tree) return fail(Error::from_errno(what + " (open_tree)"));
  TRY(set_tree_attr(tree.get(), tree_attr(flags), what));
  return attach_tree(tree.get(), dest, what);
}

Expected<void> mount_fresh(const std::string& fstype, const std::string& options,
                           const MountTarget& dest, unsigned flags, const std::string& what) {
  // At a path only this process can have changed, one mount(2) does what fsopen, one fsconfig
  // per option, fsmount, move_mount and two closes do (the same parser reads the options, the
  // same flags land on the mount): no descriptor is needed to pin what nobody else can touch.
  if (!dest.fd && !dest.path.empty()) {
    unsigned long ms = MS_NOSUID;
    if (flags & kReadOnly) ms |= MS_RDONLY;
    if (flags & kNoDev) ms |= MS_NODEV;
    if (flags & kNoExec) ms |= MS_NOEXEC;
    // "none" as the source, as fsopen leaves it: /proc/self/mountinfo reads the same.
    if (mount("none", dest.path.c_str(), fstype.c_str(), ms,
              options.empty() ? nullptr : options.c_str()) != 0)
      return fail(Error::from_errno(what));
    return {};
  }
  UniqueFd fs(fsopen(fstype.c_str(), FSOPEN_CLOEXEC));
  if (!fs) return fail(Error::from_errno(what + " (fsopen " + fstype + ")"));
  size_t start = 0;
  while (start < options.size()) {
    size_t comma = options.find(',', start);
    if (comma == std::string::npos) comma = options.size();
    std::string word = options.substr(start, comma - start);
    start = comma + 1;
    auto eq = word.find('=');
    int rc = eq == std::string::npos
                 ? fsconfig(fs.get(), FSCONFIG_SET_FLAG, word.c_str(), nullptr, 0)
                 : fsconfig(fs.get(), FSCONFIG_SET_STRING, word.substr(0, eq).c_str(),
                            word.substr(eq + 1).c_str(), 0);
    if (rc != 0) return fail(Error::from_errno(what + " (option " + word + ")"));
  }
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return fail(Error::from_errno(what + " (create " + fstype + ")"));
  UniqueFd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, mount_attrs(flags)));
  if (!mnt) return fail(Error::from_errno(what + " (fsmount)"));
  if (move_to(mnt.get(), dest) != 0) return fail(Error::from_errno(what + " (move_mount)"));
  return {};
}

Expected<void> set_nosuid_everywhere() {
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_NOSUID;
  if (mount_setattr(AT_FDCWD, "/", AT_SYMLINK_NOFOLLOW | AT_RECURSIVE, &attr, sizeof attr) != 0)
    return fail(Error::from_errno("make every mount nosuid"));
  return {};
}

Expected<void> set_mount_flags(const std::string& path, unsigned flags, bool recursive) {
  struct mount_attr attr = {};
  attr.attr_set = mount_attrs(flags);
  unsigned at = AT_SYMLINK_NOFOLLOW | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(AT_FDCWD, path.c_str(), at, &attr, sizeof attr) != 0)
    return fail(Error::from_errno("make " + path + " read-only"));
  return {};
}

std::string tmpfs_options(const std::string& mode, uint64_t size) {
  return size == 0 ? mode : mode + ",size=" + std::to_string(size);
}

Expected<void> bind_socket_at(int sock, int dir_fd, const std::string& name,
                              const std::string& path) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  char dir[32];
  format_proc_fd(dir_fd, dir);
  std::string via = std::string(dir) + "/" + name;
  if (via.size() >= sizeof addr.sun_path)
    return fail(Error::make("bind the socket " + path, "the name is too long"));
  via.copy(addr.sun_path, via.size());
  if (bind(sock, reinterpret_cast<struct sockaddr*>(&addr), sizeof addr) != 0)
    return fail(Error::from_errno("bind the socket " + path));
  return {};
}

}  // namespace vx
