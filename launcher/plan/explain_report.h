// `venv-exec explain`: what a run was refused, as values, and the report with the options that
// would allow each finding. Pure; host/explain_probe.cc collects the findings.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"

namespace vx {

enum class ExplainFormat { kText, kJson };

struct ExplainArgs {
  ExplainFormat format = ExplainFormat::kText;
  std::string report_file;        // --report FILE: the report there, not on stderr
  std::vector<std::string> rest;  // the sandbox options and the command
};

// `--format text|json` and `--report FILE` (or `--…=…`) as the first words, then what a run
// takes.
Expected<ExplainArgs> parse_explain_args(const std::vector<std::string>& args);

// Written before a report on a terminal, and before every text report: the program shares
// stderr and may leave it concealed (SGR 8), coloured or with a hidden cursor. SGR 0, show the
// cursor, a fresh line. It cannot prove where the report begins (the program can print this
// too): --report FILE can.
constexpr const char* kReportReset = "\x1b[0m\x1b[?25h\n";

// VENV_EXEC_EXPLAIN for an entrypoint: "1" (text) or "json"; nullopt: no explain (unset, "0").
std::optional<ExplainFormat> explain_from_env(const std::optional<std::string>& value);

struct RefusedCall {
  std::string name;
  int error = 0;               // the errno the filter answered
  bool always_denied = false;  // refused by always.deny: no option lifts it
  uint64_t count = 0;
  std::string first_command;  // the first caller's command line (sandbox-controlled)
};

struct MissingPath {
  std::string call;            // openat, execve, …
  bool host_dir = false;       // a directory on the host
  bool executed = false;       // looked up by execve/execveat, an executable file on the host
  bool parent_inside = false;  // its directory exists inside (so bind the file, not the dir)
  uint64_t count = 0;
  std::string first_command;
};

struct NetRefusal {
  std::string call;                 // connect
  std::string reason;               // why the mode refuses it
  std::vector<std::string> option;  // the option that allows it
  uint64_t count = 0;
  std::string first_command;
};

// Keyed by syscall number, path, and address. Bounded by the collector (kMaxFindings each).
struct ExplainFindings {
  std::map<int, RefusedCall> calls;
  std::map<std::string, MissingPath> paths;
  std::map<std::string, NetRefusal> network;
  uint64_t dropped = 0;  // findings not kept once a map was full
};
constexpr size_t kMaxFindings = 512;

struct ExplainContext {
  std::string venv;                     // for the suggested install line
  std::string home;                     // the caller's home (private paths)
  std::vector<std::string> allow_list;  // the allowlist in force, for SANDBOX_SECCOMP_ALLOW
  // The venv's stored defaults: a second install replaces them, so the line repeats them.
  std::vector<std::string> stored_options;
  // The kernel refused SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: signals could interrupt the
  // watched calls with EINTR in this run.
  bool interruptible = false;
};

// One suggested option and the paths it would show.
struct PathSuggestion {
  std::vector<std::string> option;  // {"--ro-bind", D, D} or {"--expose", EXE}
  std::vector<std::string> paths;
  bool is_private = false;  // listed, but left out of the suggested install line
};

// Paths grouped by the directory (or file, or executable) to expose; an option whose path lies
// within another --ro-bind's is folded into it. A path under /proc gets no suggestion at all.
std::vector<PathSuggestion> suggest_paths(const ExplainFindings& f, const std::string& home);

// Under the caller's home, /root, /home, /run, /var, /etc/ssh, the shadow files, /sys, /dev…:
// never suggested in the install line (a one-paste fix must not expose them).
bool is_private_path(const std::string& path, const std::string& home);

std::string format_explain_text(const ExplainFindings& f, const ExplainContext& ctx);
std::string format_explain_json(const ExplainFindings& f, const ExplainContext& ctx);

}  // namespace vx
