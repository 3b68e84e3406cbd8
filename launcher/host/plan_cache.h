// The minimal profile's view cached in the host-side state of a registered venv (SPEC §3a.1:
// STATE/venvs/DEV-INO/view, which no sandbox can see or forge), in the MountPlan text form
// behind a stamp of what it was computed from. An unregistered venv's view is computed at each
// launch and never stored. [o] outside. A launch reads it and checks the stamp with a
// few stat(2) calls; the closure is recomputed only at install, after pip, or when stale.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "plan/mount_plan.h"
#include "host/venv.h"

namespace vx {

// "# stamp PATH MTIME_NS INODE" lines for the files a view depends on: pyvenv.cfg, the base
// interpreter, the venv's site-packages directories (a package added from the host, e.g. by
// uv pip install, changes them), /etc/ld.so.cache, the venv-exec binary; and "# expose EXE"
// for each --expose.
std::string view_stamp(const Venv& venv, const std::vector<std::string>& expose);

// The cached view if its stamp matches now, else nullopt.
std::optional<std::vector<MountOp>> read_cached_view(const Venv& venv,
                                                     const std::vector<std::string>& expose);

// Computes the view and stores it (a venv we cannot write is not an error: it is used uncached).
Expected<std::vector<MountOp>> refresh_view(const Venv& venv,
                                            const std::vector<std::string>& expose);

// The cached view, or a fresh one when there is none or it is stale.
Expected<std::vector<MountOp>> load_view(const Venv& venv, const std::vector<std::string>& expose);

}  // namespace vx
