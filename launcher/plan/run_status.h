// The run's status for --status-json/--status-fd: one JSON object (schema in venv-exec(1)).
// Pure: the launcher gathers the values, writes the text where the caller asked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vx {

struct RunStatus {
  int exit_code = 0;
  int signal = 0;  // the signal that killed the program, 0 when it exited
  double wall_seconds = 0, user_seconds = 0, system_seconds = 0;
  std::optional<uint64_t> peak_memory;  // bytes
  std::string limit;                    // "timeout", "memory", "pids"; "" for null
  std::string mechanism;                // mechanism_name()
  std::string venv;                     // "" for null (no venv)
  std::vector<std::string> command;     // the program's argv
};

// A JSON string literal, quotes included, in ASCII: U+007F and above as \u escapes. Bytes that
// are not UTF-8 become U+FFFD (an argument may hold any bytes).
std::string json_string(const std::string& s);

// One line: the object and a newline.
std::string format_run_status(const RunStatus& status);

}  // namespace vx
