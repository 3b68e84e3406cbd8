// HostFacts: one snapshot of the caller's process, taken first thing in main(). [o] outside.
// This is the only module that calls getenv/getuid/getcwd; every planner reads this value.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/timing.h"

namespace vx {

struct HostFacts {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;                  // $HOME, else the passwd entry; always absolute
  std::string cwd;                   // the physical working directory
  std::string self_exe;              // the venv-exec binary (/proc/self/exe)
  std::string argv0;                 // as the caller passed it
  std::string execfn;                // the file execve was given (AT_EXECFN); "" if unknown
  std::vector<std::string> environ;  // KEY=VALUE, in the caller's order
  bool stdin_tty = false;
  std::vector<std::string> terminals;  // ttyname() of each of fds 0, 1, 2 that is a terminal
  // Top-level merged-usr links of the host (/bin -> usr/bin ...): name -> target, "" for a
  // real directory; absent names are left out. The view recreates them as symlinks.
  std::vector<std::pair<std::string, std::string>> root_links;
  Timing timing;  // VENV_EXEC_TIMING set, not empty and not 0; origin: the start of main()
};

// `started_ns`: CLOCK_MONOTONIC when main() began, the origin of VENV_EXEC_TIMING's figures.
Expected<HostFacts> read_host_facts(const char* argv0, char** envp, int64_t started_ns);

// The value of NAME in facts.environ, if set (possibly empty).
std::optional<std::string> host_env(const HostFacts& facts, std::string_view name);

}  // namespace vx
