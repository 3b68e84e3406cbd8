// `venv-exec ps`: the caller's running sandboxes. [o] outside. Nothing is recorded at launch:
// ps reads each launcher's /proc entry (exe, cmdline, cwd, environ) and recomputes its venv
// with the launcher's own rules. parse_* and format_* are pure.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vx {

struct SandboxEntry {
  pid_t pid = 0;
  double age_seconds = 0;
  std::string venv;               // "-" without one
  std::string net = "?";          // host, none or internet ("?" when /proc does not tell)
  std::vector<std::string> argv;  // the launcher's argv: the entrypoint or venv-exec's words
};

// Field 22 of /proc/PID/stat (start time in clock ticks); the command name may hold spaces
// and parentheses, so parsing starts after the last ')'.
std::optional<unsigned long long> parse_start_ticks(std::string_view stat);

// Whether /proc/PID/status shows the process in a pid namespace below the reader's (NSpid has
// more than one id).
bool in_child_pid_namespace(std::string_view status);

std::string format_age(double seconds);  // "42s", "3m05s", "2h07m", "3d04h"

std::string format_ps_table(const std::vector<SandboxEntry>& entries);

std::vector<SandboxEntry> list_sandboxes(const std::string& proc_root = "/proc");

int run_ps(const std::vector<std::string>& args);

}  // namespace vx
