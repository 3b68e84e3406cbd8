// [o] outside, before the plan: the project's files that a launch reads and that a sandbox may
// have written (SPEC §3a.4): the protected names, .env, .git/config; and the user's git
// identity. Read without following a link or waiting on a FIFO, capped; garbage is skipped with
// a warning, never a reason to stop. Impure (lstat, reads, warnings).
#pragma once

#include "host/host.h"
#include "host/venv.h"
#include "plan/plan_sandbox.h"

namespace vx {

// Fills req.skip_protected, req.protected_present, req.dotenv, req.git_local and req.git_user.
void read_project_files(const HostFacts& host, const Venv& venv, LaunchRequest& req);

}  // namespace vx
