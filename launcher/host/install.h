// `venv-exec install` and `uninstall` (SPEC §7), and the stored default options. [o] outside.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "host/host.h"
#include "host/state.h"
#include "host/venv.h"
#include "plan/options.h"

namespace vx {

int run_install(const HostFacts& host, const std::vector<std::string>& args);
int run_uninstall(const HostFacts& host, const std::vector<std::string>& args);

// SPEC §3a.2: the defaults of a registered venv (its stored options; its python_prefix and
// registration are set from the registry). An unregistered venv gets none, a one-line warning
// when it is wrapped, and no interpreter prefix outside the system directories.
Expected<SandboxOptions> trusted_defaults(Venv& venv, const Registry& registry);

}  // namespace vx
