// The venv's lock: pip runs (staging to publish) and install/uninstall on one venv take turns.
// [o] outside, on the host. Impure.
#pragma once

#include <string>

#include "base/error.h"
#include "base/fd.h"

namespace vx {

// An exclusive flock on STATE/venvs/DEV-INO/lock (host/state.h), held until the descriptor
// closes. Waits (saying so once on stderr) while another launcher holds it. The file lies in
// the host-side state directory, which no sandbox sees (SPEC §3a.1): a lock on anything a
// sandbox can open, the venv directory itself included, would let sandboxed code stall the
// host's pip for as long as it likes (SPEC §3a.4). `state_root`: state_root(host).
Expected<UniqueFd> lock_venv(const std::string& state_root, const std::string& venv);

}  // namespace vx
