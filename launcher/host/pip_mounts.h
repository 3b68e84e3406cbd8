// What pip sees beyond the sandbox's view (SPEC §7). [o] outside, before a pip launch.
// The user's pip configuration files, read-only at the paths pip reads them inside, and the
// local paths named on the pip command line typed on the host (`pip install ../lib`,
// `-r ../requirements.txt`, `-e ~/src/tool`), read-only for that run only. Never `/`, the
// caller's home or an ancestor of it: those are refused with a warning.
#pragma once

#include <string>
#include <vector>

#include "host/host.h"
#include "host/venv.h"
#include "plan/mount_plan.h"

namespace vx {

// `argv`: the pip command as it will run (argv[0] pip, pip3, pip3.X or python ... -m pip).
std::vector<MountOp> pip_mounts(const HostFacts& host, const Venv& venv,
                                const std::vector<std::string>& argv);

}  // namespace vx
