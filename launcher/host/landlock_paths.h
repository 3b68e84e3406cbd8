// [o] outside: the host paths a Landlock-only sandbox is planned from (SPEC §3's system paths,
// resolved; the project's entries; the caller's terminal). Reads the host; plan_landlock_only
// decides.
#pragma once

#include "host/host.h"
#include "host/venv.h"
#include "plan/landlock_only.h"
#include "plan/view.h"

namespace vx {

// `places`: the other registered venvs and the state directory, as build_request found them.
LandlockOnlyInputs landlock_only_inputs(const HostFacts& host, const Venv& venv,
                                        const ViewPlaces& places);

}  // namespace vx
