#include "plan/landlock_plan.h"

namespace vx {

namespace {

// Rights per kind of mount. Landlock grants the union of the rules on a path and its parents,
// so a read-only bind inside a writable one (.git in the project) stays read-only only through
// its mount flags; the ruleset is the second wall for everything else.
uint64_t rights_of(MountKind kind) {
  switch (kind) {
    case MountKind::kRoBind:
      return ll::kRead | ll::kExecute;
    case MountKind::kBind:
    case MountKind::kTmpfs:
      return ll::kRead | ll::kExecute | ll::kWrite;
    case MountKind::kDevBind:
      return ll::kRead | ll::kExecute | ll::kWrite | ll::kIoctlDev;
    case MountKind::kProc:
      // Read-only: nothing the program needs writes to procfs, and a write there (its own
      // comm, oom_score_adj, a root caller's /proc/sys) reaches beyond the sandbox.
      return ll::kRead;
    case MountKind::kDev:
      // The devices are written (/dev/null, the tty) and ttys take ioctls (TCGETS, TIOCGWINSZ);
      // nothing is created in /dev itself.
      return ll::kRead | ll::kWriteFile | ll::kTruncate | ll::kIoctlDev;
    case MountKind::kDir:
    case MountKind::kSymlink:
    case MountKind::kRemountRo:
    case MountKind::kFile:
    case MountKind::kFileOver:
    case MountKind::kCopy:
      // A directory or a file on the read-only root, a link, a flag change: nothing beyond the
      // root's.
      return 0;
    case MountKind::kTerminal:
      // The caller's terminal lies under /dev, whose rule already covers a terminal's needs.
      return 0;
  }
  return 0;
}

// Every path lies under the root, whose rule comes first: a rule that grants nothing more than
// the root's is left out. Each rule costs a few microseconds at every launch (an O_PATH open and
// landlock_add_rule(2)), and the read-only binds of the minimal view are dozens.
void add_rule(LandlockPlan& plan, std::string path, uint64_t access, bool optional) {
  access &= plan.handled_fs;
  uint64_t root = plan.rules.empty() ? 0 : plan.rules.front().access;
  if ((access & ~root) != 0) plan.rules.push_back({std::move(path), access, optional});
}

std::string access_text(uint64_t access) {
  struct Name {
    uint64_t bits;
    const char* name;
  };
  static constexpr Name kNames[] = {{ll::kRead, "read"},
                                    {ll::kExecute, "execute"},
                                    {ll::kWriteFile, "write"},
                                    {ll::kWrite & ~ll::kWriteFile, "create-remove"},
                                    {ll::kIoctlDev, "ioctl-dev"}};
  std::string out;
  for (const auto& n : kNames)
    if (access & n.bits) out += (out.empty() ? "" : ",") + std::string(n.name);
  return out;
}

}  // namespace

uint64_t landlock_fs_rights(int abi) {
  if (abi < 1) return 0;
  uint64_t rights = (ll::kMakeSym << 1) - 1;  // ABI 1: execute .. make-sym
  if (abi >= 2) rights |= ll::kRefer;
  if (abi >= 3) rights |= ll::kTruncate;
  if (abi >= 5) rights |= ll::kIoctlDev;
  return rights;
}

uint64_t landlock_scopes(int abi) {
  return abi >= 6 ? ll::kScopeAbstractUnixSocket | ll::kScopeSignal : 0;
}

std::vector<std::string> landlock_missing(int abi) {
  if (abi < 1) return {"Landlock (absent from this kernel, or not enabled at boot)"};
  std::vector<std::string> out;
  if (abi < 2) out.push_back("renames between directories (ABI 2): no ruleset is applied");
  if (abi < 3) out.push_back("truncate control (ABI 3)");
  if (abi < 5) out.push_back("device ioctl control (ABI 5)");
  if (abi < 6) out.push_back("abstract unix socket and signal scopes (ABI 6)");
  return out;
}

LandlockPlan plan_landlock(const MountPlan& mounts, int abi) {
  LandlockPlan plan;
  if (abi < kLandlockMinAbi) return plan;
  plan.abi = abi;
  plan.handled_fs = landlock_fs_rights(abi);
  plan.scoped = landlock_scopes(abi);
  // The root is a read-only tmpfs that holds only the view: the files venv-exec writes there
  // (the marker, copied /etc files), the directories leading to each mount, and the mounts.
  // Reading and executing are allowed in all of it (noexec mounts, /proc and /dev, still refuse
  // execve); what the ruleset adds under the namespaces is where writes may go, and that nothing
  // reached other than through this root (a host directory's descriptor) is open at all.
  add_rule(plan, "/", ll::kRead | ll::kExecute, false);
  for (const auto& op : mounts.ops) {
    add_rule(plan, op.dest, rights_of(op.kind), op.optional);
    // /dev/shm is a writable tmpfs that the dev op mounts inside /dev.
    if (op.kind == MountKind::kDev)
      add_rule(plan, op.dest + "/shm", rights_of(MountKind::kTmpfs), false);
  }
  return plan;
}

std::string format_landlock_plan(const LandlockPlan& plan) {
  if (plan.abi == 0) return "landlock: not applied\n";
  std::string out = "landlock: ABI " + std::to_string(plan.abi) + ", handled " +
                    access_text(plan.handled_fs) + ", scopes";
  if (plan.scoped & ll::kScopeAbstractUnixSocket) out += " abstract-unix-socket";
  if (plan.scoped & ll::kScopeSignal) out += " signal";
  if (plan.scoped == 0) out += " none";
  out += "\n";
  for (const auto& r : plan.rules)
    out += "  " + access_text(r.access) + " " + escape_mount_path(r.path) +
           (r.optional ? " (if present)" : "") + "\n";
  return out;
}

}  // namespace vx
