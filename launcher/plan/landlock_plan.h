// LandlockPlan: the program's Landlock ruleset as paths and access masks, derived from the
// MountPlan and the kernel's Landlock ABI. Pure: the executor (sandbox/landlock) only opens each
// path with O_PATH, adds it and enforces the ruleset.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plan/mount_plan.h"

namespace vx {

// Access rights and scopes, with the values of <linux/landlock.h> (a stable kernel ABI). Named
// here because Debian 12's header stops at ABI 2.
namespace ll {
// Bit N of the access mask is the kernel's right number N: the order below is the header's.
inline constexpr uint64_t bit(unsigned n) { return 1ULL << n; }
// ABI 1: on files; on directories; creating each kind of node.
inline constexpr uint64_t kExecute = bit(0), kWriteFile = bit(1), kReadFile = bit(2);
inline constexpr uint64_t kReadDir = bit(3), kRemoveDir = bit(4), kRemoveFile = bit(5);
inline constexpr uint64_t kMakeChar = bit(6), kMakeDir = bit(7), kMakeReg = bit(8),
                          kMakeSock = bit(9), kMakeFifo = bit(10), kMakeBlock = bit(11),
                          kMakeSym = bit(12);
// Later ABIs: linking or renaming across directories (2), truncate (3), device ioctls (5).
inline constexpr uint64_t kRefer = bit(13), kTruncate = bit(14), kIoctlDev = bit(15);
// ABI 6 scopes (their own mask): abstract unix sockets, signals.
inline constexpr uint64_t kScopeAbstractUnixSocket = bit(0), kScopeSignal = bit(1);

inline constexpr uint64_t kRead = kReadFile | kReadDir;
inline constexpr uint64_t kWrite = kWriteFile | kRemoveDir | kRemoveFile | kMakeChar | kMakeDir |
                                   kMakeReg | kMakeSock | kMakeFifo | kMakeBlock | kMakeSym |
                                   kRefer | kTruncate;
// Rights that make sense on a file (not a directory): landlock_add_rule refuses the others.
inline constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;
}  // namespace ll

struct LandlockRule {
  std::string path;       // inside the sandbox; the rule covers everything beneath
  uint64_t access = 0;    // already limited to what the ABI handles
  bool optional = false;  // a -try mount: skipped when the path does not exist
  bool operator==(const LandlockRule&) const = default;
};

struct LandlockPlan {
  int abi = 0;              // the kernel's Landlock ABI; 0: no ruleset is applied
  uint64_t handled_fs = 0;  // the file-system rights the ruleset restricts
  uint64_t scoped = 0;      // LANDLOCK_SCOPE_* (ABI 6)
  std::vector<LandlockRule> rules;
  bool operator==(const LandlockPlan&) const = default;
};

// The oldest ABI applied: ABI 1 always refuses renames and links between directories (no
// LANDLOCK_ACCESS_FS_REFER), which pip and git need.
inline constexpr int kLandlockMinAbi = 2;

// The file-system rights and scopes an ABI knows, as in the kernel documentation's
// best-effort example (Documentation/userspace-api/landlock.rst).
uint64_t landlock_fs_rights(int abi);
uint64_t landlock_scopes(int abi);

// What `abi` (the kernel's, -1 when Landlock is absent) lacks, one phrase each; empty when it
// has everything venv-exec uses. For --verbose and `venv-exec check`.
std::vector<std::string> landlock_missing(int abi);

// The namespaced sandbox's ruleset: its root (the view itself) readable and executable; write
// where a mount is writable (read-write binds, tmpfs, the user's --bind destinations); /proc
// read-only; /dev's devices usable. Nothing for abi < 2.
LandlockPlan plan_landlock(const MountPlan& mounts, int abi);

// Lines for --verbose: "landlock: ABI N ..." and one "  ACCESS PATH" per rule.
std::string format_landlock_plan(const LandlockPlan& plan);

}  // namespace vx
