// Venv: which project and venv a launch is for, and where the real interpreter lives. [o] outside.
// parse_pyvenv_cfg is pure; find_venv and venv_for_entrypoint read the file system.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "host/host.h"
#include "host/state.h"

namespace vx {

struct PyvenvCfg {
  std::string home;     // directory of the base interpreter ("home = /usr/bin")
  std::string version;  // "3.11.2" (venv) or "3.11.7.final.0" (virtualenv, uv)
};

struct Venv {
  std::string dir;            // physical path of VENV; empty when the project has no venv
  std::string project;        // the directory that holds VENV, or the working directory without one
  std::string python_prefix;  // real prefix of the base interpreter (/usr, /opt/py, ~/.pyenv/...)
  std::string python_version;  // "3.11"
  bool wrapped = false;        // `venv-exec install` has run: VENV/venv-exec/real exists
  std::string registration;    // its host-side state (STATE/venvs/DEV-INO) when registered
};

Expected<PyvenvCfg> parse_pyvenv_cfg(std::string_view text, const std::string& file);

// The venv named by --venv, else $VIRTUAL_ENV, else the registered venv nearest above the
// working directory (in the host-side registry, SPEC §3a), else ./.venv; without any,
// the project is the working directory and Venv::dir is empty. A named venv that is not one is
// an error.
Expected<Venv> find_venv(const std::optional<std::string>& named, const HostFacts& host,
                         const Registry& registry);

// SPEC §3a.7: a project that is /, the caller's home, an ancestor of it, or a system directory
// would give the sandbox read-write access to all of it. Refused with a hint.
Expected<void> check_project(const std::string& project, const std::string& home);

// True for a path under the system directories whose content any user may read (/usr, /lib*,
// /bin, /sbin, /etc): what SPEC §3a.3 lets the launcher expose on its own.
bool is_system_path(const std::string& path);

// The venv that holds the entrypoint symlink `entry` (VENV/bin/NAME), for argv[0] dispatch.
Expected<Venv> venv_for_entrypoint(const std::string& entry);

// Loads VENV at `dir` (any spelling); `how` says in errors how the venv was chosen.
Expected<Venv> load_venv(const std::string& dir, const std::string& how);

inline std::string venv_state_dir(const Venv& v) { return v.dir + "/venv-exec"; }
inline std::string venv_real_dir(const Venv& v) { return v.dir + "/venv-exec/real"; }

// The real target of entrypoint NAME: VENV/venv-exec/real/NAME, or, when NAME is still an
// original relative link to another entry (python -> python3, during or after an interrupted
// install), that entry's real target. nullopt when there is none.
std::optional<std::string> real_entry(const std::string& venv_dir, const std::string& name);

// The wrapper link the caller reached this binary through (VENV/bin/NAME): argv[0] as given
// when it has a '/', else searched in the caller's PATH, as the shell found it, then followed
// link by link to the one in a venv's bin/ that leads here; failing that, the same from the
// file execve was given. An error says that nothing names an entrypoint.
Expected<std::string> locate_argv0(const HostFacts& host);

// Creates VENV/home, VENV/cache (the sandbox's HOME and cache) and, below VENV/home, the mount
// points of the cache (.cache) and of a project under `home`, the caller's HOME. install makes
// them before it wraps anything: a launch on a full disk then needs no new inode there.
Expected<void> prepare_venv_dirs(const Venv& venv, const std::string& home);

}  // namespace vx
