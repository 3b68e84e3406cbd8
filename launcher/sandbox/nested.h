// Nested calls: inside a sandbox, an entrypoint runs its real target directly (SPEC §1).
// [p] runs in the sandboxed program's process tree, or [o] on the host where it answers false.
#pragma once

#include <sys/types.h>

#include <optional>

#include <string>

#include "base/error.h"

namespace vx {

// True only inside a venv-exec sandbox: the marker file written by pid 1 names the user
// namespace we are in. Nothing in the environment is consulted, so nothing there can make a
// call on the host skip the sandbox.
bool inside_sandbox();

// A Landlock-only sandbox has no namespace to compare: its program's environment names the
// supervising process (`supervisor`), a process of the caller's `uid`. The call is inside when
// that process cannot be signalled (EPERM): a process of the same user can always signal it,
// except from inside a Landlock domain with the signal scope. The variable alone proves nothing.
bool inside_landlock_sandbox(const std::optional<std::string>& supervisor, uid_t uid);

}  // namespace vx
