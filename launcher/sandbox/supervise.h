// [o] outside: wait for the sandbox, forward signals to its pid 1, follow job control, and turn
// the outcome into the launcher's exit status. Impure.
#pragma once

#include "sandbox/spawn.h"

namespace vx {

// Returns the exit status: the program's own, 128+N, or the class of a reported error (whose
// message it has printed).
int supervise(Spawned& sandbox, const SandboxPlan& plan);

}  // namespace vx
