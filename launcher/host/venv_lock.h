// The venv's lock: pip runs (staging to publish) and install/uninstall on one venv take turns.
// [o] outside, on the host. Impure.
#pragma once

#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

// An exclusive flock on the venv directory itself, held until the descriptor closes. Waits
// (saying so once on stderr) while another launcher holds it. Locking the directory leaves no
// file behind and gives the sandbox no file to plant a FIFO or a link at; a sandboxed process
// can hold it only while its sandbox lives, since every process of it dies with the run.
Expected<UniqueFd> lock_venv(const std::string& venv);

}  // namespace vx
