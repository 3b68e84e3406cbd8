#include "base/timing.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

namespace vx {

int64_t monotonic_ns() {
  // Through the system call rather than the vDSO: a launch reads the clock once or twice, and
  // the vDSO's first read faults in its code and its two data pages (3 page faults, ~45 µs on a
  // PVM guest) where the call costs ~1.5 µs.
  struct timespec ts;
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void mark_phase(const Timing& timing, const char* phase) {
  if (!timing.on) return;
  long long us = (monotonic_ns() - timing.origin_ns) / 1000;
  char line[96];
  int n = std::snprintf(line, sizeof line, "venv-exec: timing: %-8s %6lld us\n", phase, us);
  if (n > 0)
    (void)!write(STDERR_FILENO, line, static_cast<size_t>(n) < sizeof line ? n : sizeof line - 1);
}

}  // namespace vx
