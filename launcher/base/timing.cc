#include "base/timing.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string_view>

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
  // "venv-exec: timing: %-8s %6lld us\n", put together by hand: printf's code, which nothing
  // else in a launch uses, would fault in at the first mark and inflate the phase it ends.
  char line[96];
  std::string_view head = "venv-exec: timing: ";
  std::string_view name(phase, std::min<size_t>(std::strlen(phase), 32));
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, us);
  std::string_view number(digits, ec == std::errc{} ? static_cast<size_t>(end - digits) : 0);
  char* out = line;
  auto put = [&](std::string_view text) { out = std::copy(text.begin(), text.end(), out); };
  auto pad = [&](size_t width, size_t used) {
    if (used < width) out = std::fill_n(out, width - used, ' ');
  };
  put(head);
  put(name);
  pad(8, name.size());
  put(" ");
  pad(6, number.size());
  put(number);
  put(" us\n");
  (void)!write(STDERR_FILENO, line, static_cast<size_t>(out - line));
}

}  // namespace vx
