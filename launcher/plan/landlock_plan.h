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
inline constexpr uint64_t kExecute = 1ULL << 0;
inline constexpr uint64_t kWriteFile = 1ULL << 1;
inline constexpr uint64_t kReadFile = 1ULL << 2;
inline constexpr uint64_t kReadDir = 1ULL << 3;
inline constexpr uint64_t kRemoveDir = 1ULL << 4;
inline constexpr uint64_t kRemoveFile = 1ULL << 5;
inline constexpr uint64_t kMakeChar = 1ULL << 6;
inline constexpr uint64_t kMakeDir = 1ULL << 7;
inline constexpr uint64_t kMakeReg = 1ULL << 8;
inline constexpr uint64_t kMakeSock = 1ULL << 9;
inline constexpr uint64_t kMakeFifo = 1ULL << 10;
inline constexpr uint64_t kMakeBlock = 1ULL << 11;
inline constexpr uint64_t kMakeSym = 1ULL << 12;
inline constexpr uint64_t kRefer = 1ULL << 13;                   // ABI 2
inline constexpr uint64_t kTruncate = 1ULL << 14;                // ABI 3
inline constexpr uint64_t kIoctlDev = 1ULL << 15;                // ABI 5
inline constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;  // ABI 6
inline constexpr uint64_t kScopeSignal = 1ULL << 1;              // ABI 6

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
