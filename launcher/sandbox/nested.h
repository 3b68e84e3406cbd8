// Nested calls: inside a sandbox, an entrypoint runs its real target directly (SPEC §1).
// [p] runs in the sandboxed program's process tree, or [o] on the host where it answers false.
#pragma once

#include <string>

#include "base/error.h"

namespace vx {

// True only inside a venv-exec sandbox: the marker file written by pid 1 names the user
// namespace we are in. Nothing in the environment is consulted, so nothing there can make a
// call on the host skip the sandbox.
bool inside_sandbox();

}  // namespace vx
