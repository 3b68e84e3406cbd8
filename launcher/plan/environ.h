// The program's environment (SPEC §4): start empty, pass an allowlist, set our variables, then
// the project's .env, then --setenv/--unsetenv. Pure.
#pragma once

#include <string>
#include <vector>

#include "plan/options.h"

namespace vx {

struct EnvEntry {
  std::string key;
  std::string value;
};

struct EnvInputs {
  const std::vector<std::string>* host_environ = nullptr;  // the caller's KEY=VALUE list
  std::string home;                                        // HOME inside
  std::string venv_dir;                                    // empty without a venv
  bool pip = false;                                        // PIP_* passes through only for pip
  std::string links_dir;  // the xdg-open shim's directory: on PATH, and BROWSER; "" for none
  // GIT_AUTHOR_NAME & co (git_identity_env), set before .env and the options.
  std::vector<EnvEntry> git_identity;
  std::vector<EnvEntry> dotenv;    // the project's .env, already filtered of launcher keys
  std::vector<EnvChange> changes;  // --setenv / --unsetenv, in order
};

// Whether the caller's variable KEY may pass into the sandbox.
bool passes_allowlist(const std::string& key, bool pip);

std::vector<std::string> plan_environment(const EnvInputs& in);

// The PATH entries of a KEY=VALUE environment (for the exec search inside).
std::vector<std::string> path_entries(const std::vector<std::string>& env);

}  // namespace vx
