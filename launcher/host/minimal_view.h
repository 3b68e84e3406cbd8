// Profile `minimal` (SPEC §3): the read-only system view computed from the interpreter, a few
// tools, the shared-library closure of all of them and of every .so in the venv. [o] outside,
// at install, after pip and when the cached plan is stale; never on an ordinary launch.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "plan/mount_plan.h"

namespace vx {

struct MinimalInputs {
  std::string venv_dir;
  std::string python_prefix;        // real prefix of the base interpreter (recorded at install)
  std::string python_version;       // "3.11"
  std::vector<std::string> expose;  // --expose EXE
};

struct MinimalView {
  std::vector<MountOp> ops;
  std::vector<std::string> warnings;  // libraries that could not be found
  // SPEC §3a.3: directories a venv file's NEEDED/RUNPATH led to outside the system paths, the
  // interpreter prefix and the project: never bound by themselves, only named to the user.
  std::vector<std::string> unexposed;
};

// What ld.so would load as a shared object by name: NAME.so or NAME.so.1.2.3 (digits only
// after ".so."), so that an apt temporary file (libfoo.so.6.dpkg-new) is not taken for one.
bool is_library_name(const std::string& name);

Expected<MinimalView> compute_minimal_view(const MinimalInputs& in);

// Folds a list of ops: removes duplicates and anything that lies inside a directory already
// bound read-only as itself (it shows the host's content there anyway). Pure.
std::vector<MountOp> fold_view(const std::vector<MountOp>& ops);

}  // namespace vx
