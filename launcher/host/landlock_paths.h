// [o] outside: the host paths a Landlock-only sandbox is planned from (SPEC §3's system paths,
// resolved; the project's entries; the caller's terminal). Reads the host; plan_landlock_only
// decides.
#pragma once

#include "host/host.h"
#include "host/venv.h"
#include "plan/landlock_only.h"

namespace vx {

LandlockOnlyInputs landlock_only_inputs(const HostFacts& host, const Venv& venv);

}  // namespace vx
