// Command-line parsing: sandbox options, subcommand arguments, --help. Pure.
// The only file that includes CLI11 (slow to compile, SPEC build rule).
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "plan/options.h"

namespace vx {

struct ParsedArgs {
  SandboxOptions options;
  std::vector<std::string> rest;  // the command and its arguments, or a subcommand's positionals
  bool help = false;
  bool version = false;
};

// Parses sandbox options from `args` in order. With `allow_rest`, the first word that is not an
// option (or everything after "--") ends the options and goes to `rest`; otherwise such a word is
// an error. `origin` names the source in errors ("BWRAP_ARGS", "the install defaults").
Expected<ParsedArgs> parse_sandbox_args(const std::vector<std::string>& args, bool allow_rest,
                                        const std::string& origin);

// VENV_EXEC_ARGS / BWRAP_ARGS splitting (SPEC §2): on newlines if the value has one, else on
// spaces. Empty words are dropped.
std::vector<std::string> split_args_variable(const std::string& value);

struct UninstallArgs {
  std::string venv = ".venv";
  bool purge = false;  // also remove VENV/home and VENV/cache
};
Expected<UninstallArgs> parse_uninstall_args(const std::vector<std::string>& args);

struct InstallArgs {
  std::string venv = ".venv";
  std::vector<std::string> option_words;  // stored as the venv's defaults, as given
  SandboxOptions options;                 // the same words, parsed
};
Expected<InstallArgs> parse_install_args(const std::vector<std::string>& args);

struct CheckArgs {
  std::string proc_root = "/proc";  // for tests: a fake /proc and /sys, and no probe
  std::string sys_root = "/sys";
  bool probe = true;
};
Expected<CheckArgs> parse_check_args(const std::vector<std::string>& args);

// `ps` takes no arguments; an error says so.
Expected<void> parse_ps_args(const std::vector<std::string>& args);

std::string usage_text();
std::string supported_options_text();

}  // namespace vx
