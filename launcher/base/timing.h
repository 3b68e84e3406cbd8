// VENV_EXEC_TIMING=1 (SPEC §9): each launch phase, in microseconds since main() started, one
// line on stderr. Used by [o] the launcher, [1] pid 1 and [p] the program's process; they share
// CLOCK_MONOTONIC, so their lines read as one timeline. Impure (a clock read and one write).
#pragma once

#include <cstdint>

namespace vx {

struct Timing {
  bool on = false;
  int64_t origin_ns = 0;  // CLOCK_MONOTONIC at the start of main()
  bool operator==(const Timing&) const = default;
};

int64_t monotonic_ns();

// "venv-exec: timing: PHASE N us\n" in one write(2), when timing is on. Safe in a vfork child:
// no allocation, no stdio.
void mark_phase(const Timing& timing, const char* phase);

}  // namespace vx
