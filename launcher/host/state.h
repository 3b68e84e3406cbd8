// The host-side state directory (SPEC §3a.1): the registry of installed venvs, their stored
// options, recorded interpreter prefix and cached view. [o] outside. Impure.
//
// Everything a sandbox can write (the project, a venv during pip, VENV/home, VENV/cache) is
// untrusted; policy comes only from the command line, the caller's environment, the system and
// this directory, which no sandbox sees: ${XDG_STATE_HOME:-$HOME/.local/state}/venv-exec/.
//   registry            one line per venv: "DEV INO PATH" (PATH the venv's real path)
//   venvs/DEV-INO/      prefix (the interpreter prefix at install), options (one word a line),
//                       view (the cached minimal view)
// A registration counts only while the venv's real path still has that device and inode: a
// venv deleted and planted again at the same path by a sandbox is not registered.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "host/host.h"

namespace vx {

struct Registration {
  std::string venv;                  // real path of the venv
  std::string dir;                   // STATE/venvs/DEV-INO
  std::string python_prefix;         // recorded at install
  std::vector<std::string> options;  // the stored option words
};

// ${XDG_STATE_HOME:-$HOME/.local/state}/venv-exec (XDG_STATE_HOME only when absolute).
std::string state_root(const HostFacts& host);

// The real path of the state directory ROOT, empty when it does not exist. Refused when a
// link inside `project` is on the way to it: any sandbox of the project could point that link
// at a state directory of its own, or replace a directory on the way while it is a plain one
// (attack review, finding 4; the view makes the directories on the way mount points).
Expected<std::string> real_state_root(const std::string& root, const std::string& project);

// The registry as one launch reads it: the file once, and each entry's device and inode
// checked at most once, however many of these questions the launch asks.
class Registry {
 public:
  // Reads ROOT/registry; a missing or malformed one is empty.
  explicit Registry(std::string root);
  const std::string& root() const { return root_; }
  // The registration of the venv at real path `venv`, if its device and inode match.
  std::optional<Registration> find(const std::string& venv) const;
  // The registered venv whose project (the venv's parent) is the nearest ancestor of `cwd`, or
  // that contains `cwd` itself, as git finds .git.
  std::optional<std::string> venv_above(const std::string& cwd) const;
  // Every registered venv that lies inside `project` (still at its device and inode): SPEC §3
  // keeps them read-only in a sandbox of that project, whichever venv it runs.
  std::vector<std::string> venvs_within(const std::string& project) const;

 private:
  struct Entry {
    dev_t dev = 0;
    ino_t ino = 0;
    std::string path;
    mutable std::optional<bool> current;  // the stat's answer, once asked
  };
  bool current(const Entry& e) const;

  std::string root_;
  std::vector<Entry> entries_;
};

inline std::optional<Registration> find_registration(const std::string& root,
                                                     const std::string& venv) {
  return Registry(root).find(venv);
}

// Records the venv (install). Serialised with other installs by a lock on STATE/lock.
Expected<Registration> register_venv(const std::string& root, const std::string& venv,
                                     const std::string& python_prefix,
                                     const std::vector<std::string>& options);
Expected<void> unregister_venv(const std::string& root, const std::string& venv);

inline std::string cached_view_path(const Registration& r) { return r.dir + "/view"; }

// STATE/venvs/DEV-INO for the venv now at `venv`, registered or not (install registers it under
// the same name), created 0700 when missing.
Expected<std::string> make_venv_entry_dir(const std::string& root, const std::string& venv);

}  // namespace vx
