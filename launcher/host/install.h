// `venv-exec install` and `uninstall` (SPEC §7), and the stored default options. [o] outside.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "host/host.h"
#include "plan/options.h"

namespace vx {

int run_install(const HostFacts& host, const std::vector<std::string>& args);
int run_uninstall(const HostFacts& host, const std::vector<std::string>& args);

// The options stored by `install` in VENV/venv-exec/options (empty when there are none).
Expected<SandboxOptions> read_install_defaults(const std::string& venv);

}  // namespace vx
