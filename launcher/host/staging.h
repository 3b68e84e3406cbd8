// The staged bin/ of a pip run (SPEC §7). [o] outside, before and after the sandbox. Impure.
//
// pip never writes VENV/bin. Before pip runs, the launcher fills VENV/venv-exec/staging.PID
// with copies of the real entrypoints (VENV/venv-exec/real), so pip sees exactly what it
// installed; the planner binds that directory read-write at VENV/bin for pip's run. After pip
// exits, publish_staging (publish.h) carries the changes into real/ and bin/. Everything in
// the staging directory after the run is attacker-controlled: it is reached only through
// directory descriptors, never by following a link, and no FIFO is ever opened (SPEC §3a.4).
#pragma once

#include <sys/stat.h>

#include <string>
#include <vector>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

// Larger entries are neither copied into the staging dir nor published from it: garbage a
// sandbox can plant (a sparse terabyte), far above any real console script or binary.
inline constexpr off_t kMaxEntrySize = off_t{512} << 20;

// A real entry as the launcher copied it into the staging dir. pip changed it when the name
// now holds another inode, or the same inode with another ctime (which no one can set back)
// or mtime (the original's, which any write replaces with the current time).
struct StagedEntry {
  std::string name;
  ino_t ino = 0;
  struct timespec ctime = {};
  struct timespec mtime = {};
};

struct Staging {
  std::string venv;
  std::string name;  // "staging.PID", in VENV/venv-exec
  std::string path;  // VENV/venv-exec/staging.PID: what the sandbox sees at VENV/bin
  UniqueFd dir;      // the staging dir, flock'ed while this launcher lives: never taken for a leftover
  std::vector<StagedEntry> offered;       // real entries copied in, as they were before pip
  std::vector<std::string> placeholders;  // mount points for the trusted files (activate*)
};

// Names in bin/ the host trusts and pip must not change: activate*, Activate.ps1.
bool is_trusted_bin_name(const std::string& name);

// Removes staging dirs left by a killed launcher (warning once), then makes this run's.
Expected<Staging> prepare_staging(const std::string& venv);

// Removes the staging dir and all the sandbox left in it.
Expected<void> remove_staging(Staging& staging);

// The names in a directory (not . and ..), sorted, read through a duplicate of its descriptor.
std::vector<std::string> dir_entry_names(int dir_fd);

// `name` with control characters and backslashes escaped (\xNN): safe to print on a terminal.
std::string printable_name(const std::string& name);

}  // namespace vx
