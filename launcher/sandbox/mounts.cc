#include "sandbox/mounts.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"
#include "sandbox/mount_ops.h"
#include "sandbox/mount_points.h"

namespace vx {

namespace {

// What every op needs: where the host's root is, the tmpfs size, the kept directories.
struct Context {
  const std::string& old_root;
  uint64_t tmpfs_size;
  MountPoints& points;
  bool no_open_tree_attr = false;  // the kernel lacks open_tree_attr(2) (before Linux 6.15)
  SourceDir source_dir;            // the directory of the last bind source (clone_tree)
};

// A new superblock (tmpfs, proc, devpts) at DEST.
Expected<void> apply_fresh(const std::string& dest, const char* fstype, const std::string& options,
                           unsigned flags, MountPoints& points) {
  TRY_ASSIGN(at, points.make_mountpoint(dest, true));
  TRY(mount_fresh(fstype, options, at, flags, std::string("mount ") + fstype + " at " + dest));
  // Only a tmpfs starts empty, for pid 1 alone to fill; proc and devpts hold the kernel's
  // entries, which are no mount points of ours.
  points.mounted(dest, std::string_view(fstype) == "tmpfs");
  return {};
}

Expected<void> apply_bind(const MountOp& op, Context& cx) {
  std::string what = "bind-mount " + op.src + " at " + op.dest;
  if (op.kind == MountKind::kRoBind) what += " read-only";
  // The last component is not followed: a source inside the project may be a link planted by
  // an earlier sandboxed run (.git -> ~/.ssh); following it on the host would hand the target
  // to the sandbox. The copy is checked, not the path: what is refused is what would be mounted.
  unsigned flags = 0;
  if (op.kind == MountKind::kRoBind) flags |= kReadOnly;
  if (op.kind != MountKind::kDevBind) flags |= kNoDev;
  auto tree = clone_tree(cx.old_root + op.src, flags, cx.no_open_tree_attr, what, &cx.source_dir);
  if (!tree) {
    if (tree.error().sys_errno == ENOENT && op.optional) return {};
    if (tree.error().sys_errno == ENOENT) tree.error().hint = "check that " + op.src + " exists";
    // openat2's RESOLVE_NO_SYMLINKS met a link on the way: the host named a real path, so the
    // link appeared since, and may be a sandbox's.
    if (tree.error().sys_errno == ELOOP) {
      tree.error().why = "a directory on the way to " + op.src +
                         " became a symbolic link after the launcher resolved it";
      tree.error().hint = "look at the directories of " + op.src +
                          " (a sandbox may have planted the link), then launch again; to bind "
                          "through a link you trust, name its target";
    }
    return fail(tree.error());
  }
  struct stat st;
  if (fstat(tree->get(), &st) != 0) return fail(Error::from_errno(what));
  if (S_ISLNK(st.st_mode))
    return fail(Error::make(what, op.src + " is a symbolic link, which a sandbox could replace",
                            "replace the link with what it points to, or bind the target"));
  TRY_ASSIGN(dest, cx.points.make_mountpoint(op.dest, S_ISDIR(st.st_mode)));
  TRY(attach_tree(tree->get(), dest, what));
  cx.points.mounted(op.dest, false);
  return {};
}

Expected<void> apply_symlink(const MountOp& op, MountPoints& points) {
  std::string name;
  TRY_ASSIGN(parent, points.parent(op.dest, name));
  if (symlinkat(op.src.c_str(), parent, name.c_str()) == 0) return {};
  if (errno == EEXIST) {
    char buf[4096];
    ssize_t n = readlinkat(parent, name.c_str(), buf, sizeof buf);
    if (n >= 0 && std::string(buf, static_cast<size_t>(n)) == op.src) return {};
  }
  return fail(Error::from_errno("create symlink " + op.dest + " -> " + op.src));
}

// A small file of the view (/etc/hosts, a reduced /etc/passwd) written into the root tmpfs:
// cheaper than a bind (no mount to make, none to tear down), and the content is what the host
// decided when planning, not what the file holds by the time pid 1 would read it. O_EXCL: a
// second op, or anything in the way, is an error rather than a silent overwrite.
Expected<void> apply_file(const MountOp& op, MountPoints& points) {
  std::string name;
  TRY_ASSIGN(parent, points.parent(op.dest, name));
  UniqueFd fd(
      openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!fd || !write_all(fd.get(), op.src)) return fail(Error::from_errno("write " + op.dest));
  return {};
}

// A host system file too large to carry in the plan (ld.so.cache, ~40 KiB), copied into the
// root tmpfs by the kernel (sendfile(2)): no mount to make and tear down, and the launcher
// never holds its bytes. The source is looked at as a bind's is: no link followed as its last
// component; O_NONBLOCK, so that a FIFO cannot stall pid 1; only a regular file, of at most
// kCopyMax bytes (the cap the host side puts on an /etc file), is copied.
constexpr off_t kCopyMax = 4 << 20;

Expected<void> apply_copy(const MountOp& op, Context& cx) {
  std::string what = "copy " + op.src + " into the sandbox";
  UniqueFd src(
      open((cx.old_root + op.src).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!src) {
    if (errno == ENOENT && op.optional) return {};
    return fail(Error::from_errno(what));
  }
  struct stat st;
  if (fstat(src.get(), &st) != 0) return fail(Error::from_errno(what));
  if (!S_ISREG(st.st_mode)) return fail(Error::make(what, op.src + " is not a regular file"));
  if (st.st_size > kCopyMax) return fail(Error::make(what, op.src + " is larger than 4 MiB"));
  std::string name;
  TRY_ASSIGN(parent, cx.points.parent(op.dest, name));
  UniqueFd dest(
      openat(parent, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!dest) return fail(Error::from_errno(what));
  // sendfile(2) may copy less than asked (a file that shrank meanwhile): until EOF or the size.
  auto left = static_cast<size_t>(st.st_size);
  while (left > 0) {
    ssize_t n = retry_eintr([&] { return sendfile(dest.get(), src.get(), nullptr, left); });
    if (n < 0) return fail(Error::from_errno(what));
    if (n == 0) break;
    left -= static_cast<size_t>(n);
  }
  return {};
}

// A planned file over one of a bound tree (the system profile's read-only /etc): written into
// the root tmpfs below kFileOverDir, where nothing else is planned, then bound read-only over
// DEST, which must be a regular file (make_mountpoint refuses a link or a directory there).
constexpr const char* kFileOverDir = "/run/venv-exec/over";

Expected<void> apply_file_over(const MountOp& op, MountPoints& points) {
  std::string copy = kFileOverDir + op.dest;
  TRY(apply_file({MountKind::kFile, op.src, copy}, points));
  std::string what = "bind the planned " + op.dest + " read-only";
  UniqueFd src(open(copy.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return fail(Error::from_errno(what));
  TRY_ASSIGN(dest, points.make_mountpoint(op.dest, false));
  TRY(bind_tree(src.get(), dest, kReadOnly | kNoDev | kNoExec, what));
  points.mounted(op.dest, false);
  return {};
}

// The minimal /dev of SPEC §3: a tmpfs with the harmless character devices bound from the
// host, a private devpts instance (ptys of the host stay unreachable), and /dev/shm.
Expected<void> apply_dev(const MountOp& op, Context& cx) {
  TRY(apply_fresh(op.dest, "tmpfs", "mode=0755", kNoExec, cx.points));
  static constexpr std::array<const char*, 6> kDevices = {"null",   "zero",    "full",
                                                          "random", "urandom", "tty"};
  for (const char* name : kDevices) {
    MountOp bind{MountKind::kDevBind, "/dev/" + std::string(name), op.dest + "/" + name};
    TRY(apply_bind(bind, cx));
  }
  // newinstance is implied by the new mount API; ptmxmode so the unprivileged program can
  // open /dev/ptmx, which is a link into this instance.
  TRY(apply_fresh(op.dest + "/pts", "devpts", "newinstance,ptmxmode=0666,mode=0620", kNoExec,
                  cx.points));
  TRY(apply_fresh(op.dest + "/shm", "tmpfs", tmpfs_options("mode=1777", cx.tmpfs_size), kNoDev,
                  cx.points));
  static constexpr std::array<std::pair<const char*, const char*>, 5> kLinks = {{
      {"pts/ptmx", "ptmx"},
      {"/proc/self/fd", "fd"},
      {"/proc/self/fd/0", "stdin"},
      {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},
  }};
  for (const auto& [target, name] : kLinks)
    TRY(apply_symlink({MountKind::kSymlink, target, op.dest + "/" + name}, cx.points));
  // Nothing new can be created in /dev; the bound devices keep their own mounts.
  return set_mount_flags(op.dest, kReadOnly | kNoExec, false);
}

// The caller's terminal /dev/pts/N at its own path, so that ttyname() finds the device its
// fds 0-2 refer to (SPEC §3). The private devpts has a node only for a pty it allocated, and a
// bind needs an existing node, so ptys of the private instance are allocated (lowest free index
// first, a fresh instance starts at 0) until index N exists. pid 1 keeps that master open for
// the sandbox's life (CLOEXEC: the program never holds it) so that the node stays; the bind
// hides its slave. The others are closed again and their indexes go to the program's ptys.
Expected<void> apply_terminal(const MountOp& op, Context& cx) {
  std::string what = "show the terminal " + op.dest + " inside";
  struct stat st;
  if (lstat(op.dest.c_str(), &st) != 0) {
    unsigned want = static_cast<unsigned>(std::stoul(op.dest.substr(op.dest.rfind('/') + 1)));
    std::vector<UniqueFd> held;
    while (held.size() <= want) {
      UniqueFd master(open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
      if (!master) return fail(Error::from_errno(what + ": allocate a pty in the private devpts"));
      unsigned index = 0;
      if (ioctl(master.get(), TIOCGPTN, &index) != 0)
        return fail(Error::from_errno(what + ": read the pty's index"));
      if (index == want) {
        (void)master.release();  // held by pid 1 until the sandbox ends, see above
        break;
      }
      held.push_back(std::move(master));
    }
  }
  // Both ends must be character devices: the host's terminal, and the node the private devpts
  // made (a mount point on a device node, which make_mountpoint does not create).
  UniqueFd src(open((cx.old_root + op.dest).c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!src) return fail(Error::from_errno(what));
  std::string name;
  TRY_ASSIGN(parent, cx.points.parent(op.dest, name));
  UniqueFd dest(openat(parent, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!dest) return fail(Error::from_errno(what));
  struct stat src_st, dest_st;
  if (fstat(src.get(), &src_st) != 0 || fstat(dest.get(), &dest_st) != 0)
    return fail(Error::from_errno(what));
  if (!S_ISCHR(src_st.st_mode) || !S_ISCHR(dest_st.st_mode))
    return fail(Error::make(what, "not a terminal device"));
  TRY(bind_tree(src.get(), MountTarget::opened(std::move(dest)), 0, what));
  cx.points.mounted(op.dest, false);
  return {};
}

// A procfs of the new pid namespace. Must happen while the old root (with the host's fully
// visible /proc) is still attached: the kernel refuses a new procfs in a user namespace
// otherwise (mount_too_revealing).
Expected<void> apply_proc(const MountOp& op, MountPoints& points) {
  return apply_fresh(op.dest, "proc", "", kNoDev | kNoExec, points);
}

// Binds the tree at DEST onto itself read-only: the copy keeps the original's locked flags.
Expected<void> apply_remount_ro(const MountOp& op, MountPoints& points) {
  UniqueFd fd(open(op.dest.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT && op.optional) return {};
    return fail(Error::from_errno("make " + op.dest + " read-only"));
  }
  int src = fd.get();
  TRY(bind_tree(src, MountTarget::opened(std::move(fd)), kReadOnly | kNoDev,
                "make " + op.dest + " read-only"));
  points.mounted(op.dest, false);
  return {};
}

Expected<void> apply_op(const MountOp& op, Context& cx) {
  switch (op.kind) {
    case MountKind::kBind:
    case MountKind::kRoBind:
    case MountKind::kDevBind:
      return apply_bind(op, cx);
    case MountKind::kTmpfs:
      return apply_fresh(op.dest, "tmpfs", tmpfs_options("mode=1777", cx.tmpfs_size), kNoDev,
                         cx.points);
    case MountKind::kDir: {
      TRY(cx.points.make_mountpoint(op.dest, true));
      return {};
    }
    case MountKind::kSymlink:
      return apply_symlink(op, cx.points);
    case MountKind::kProc:
      return apply_proc(op, cx.points);
    case MountKind::kDev:
      return apply_dev(op, cx);
    case MountKind::kRemountRo:
      return apply_remount_ro(op, cx.points);
    case MountKind::kTerminal:
      return apply_terminal(op, cx);
    case MountKind::kFile:
      return apply_file(op, cx.points);
    case MountKind::kFileOver:
      return apply_file_over(op, cx.points);
    case MountKind::kCopy:
      return apply_copy(op, cx);
  }
  return {};
}

}  // namespace

Expected<void> apply_mounts(const MountPlan& plan, const std::string& old_root, uint64_t tmpfs_size,
                            MountPoints& points) {
  Context cx{old_root, tmpfs_size, points, false, {}};
  for (const auto& op : plan.ops) TRY(apply_op(op, cx));
  return {};
}

}  // namespace vx
