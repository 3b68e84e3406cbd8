// MountPlan: the ordered list of mount operations that builds the sandbox's root, and its one
// text form (profiles, the plan cache, --verbose, golden files). Pure.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace vx {

enum class MountKind {
  kBind,       // bind SRC DEST: read-write bind
  kRoBind,     // ro-bind SRC DEST: read-only bind (recursive)
  kDevBind,    // dev-bind SRC DEST: read-write bind that keeps device access
  kTmpfs,      // tmpfs DEST: a fresh private tmpfs
  kDir,        // dir DEST: an empty directory on the sandbox root
  kSymlink,    // symlink TARGET DEST
  kProc,       // proc DEST: a new procfs for the sandbox's pid namespace
  kDev,        // dev DEST: a minimal /dev (null zero full random urandom tty, devpts, shm)
  kRemountRo,  // remount-ro DEST: make what is already mounted at DEST read-only (-try: if any)
  kTerminal,   // terminal DEST: the caller's terminal /dev/pts/N, bound at its own path
  kFile,       // file DEST [CONTENT]: a regular file on the sandbox root holding CONTENT
  kFileOver,   // file-over DEST [CONTENT]: a read-only file holding CONTENT bound over the
               // file DEST of a bound tree (the system profile's /etc/resolv.conf)
  kCopy,       // copy SRC DEST: a regular file on the sandbox root holding a copy of the host's
               // regular file SRC, made by pid 1 (a large system file: /etc/ld.so.cache)
};

struct MountOp {
  MountKind kind;
  std::string src;        // bind source, symlink target or file content; else empty
  std::string dest;       // absolute path inside the sandbox
  bool optional = false;  // the -try forms: skip the op when the source does not exist

  bool operator==(const MountOp&) const = default;
};

struct MountPlan {
  std::vector<MountOp> ops;
  bool operator==(const MountPlan&) const = default;
};

// Keyword of a kind in the text form: "ro-bind", "tmpfs", ...; with optional, "ro-bind-try".
std::string_view mount_keyword(MountKind kind);
bool mount_kind_has_source(MountKind kind);

// One op per line: `KEYWORD [SRC] DEST`, and `file DEST [CONTENT]` (no word: an empty file), as
// `file-over DEST [CONTENT]`.
// Words are escaped as in /proc/mounts (\040 for a space, \012 newline, \011 tab, \134
// backslash; every other control byte too), so any path or content round-trips.
std::string format_mount_op(const MountOp& op);
std::string format_mount_plan(const MountPlan& plan);

// Parses the text form. '#' starts a comment line; blank lines are skipped. `origin` names the
// source in errors, which read "ORIGIN:LINE: message". $NAME and ${NAME} in paths (not in a
// file's content) are replaced from `vars`; an unknown variable is an error.
Expected<MountPlan> parse_mount_plan(std::string_view text, const std::string& origin,
                                     const std::map<std::string, std::string>& vars = {});

std::string escape_mount_path(std::string_view path);

}  // namespace vx
