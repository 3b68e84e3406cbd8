// Invocation: what the caller asked for, from argv[0]'s basename and the first word. Pure.
#pragma once

#include <string>
#include <vector>

namespace vx {

enum class Command {
  kRun,         // venv-exec [OPTION...] [--] CMD [ARG...]
  kEntrypoint,  // VENV/bin/NAME -> venv-exec: every argument belongs to the program
  kShell,
  kInstall,
  kUninstall,
  kPs,
  kCheck,
  kExplain,  // venv-exec explain [--format text|json] [OPTION...] [--] CMD [ARG...]
};

struct Invocation {
  Command command = Command::kRun;
  std::string entrypoint;         // NAME, for kEntrypoint
  std::vector<std::string> args;  // the words after argv[0] (after the subcommand word)
};

// `argv0` as the caller passed it; `args` = argv[1..]. A basename that does not start with
// "venv-exec" is an entrypoint symlink; otherwise a first word naming a subcommand selects it.
Invocation classify_invocation(const std::string& argv0, const std::vector<std::string>& args);

std::string basename_of(const std::string& path);

}  // namespace vx
