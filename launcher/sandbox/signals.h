// The one table of signals forwarded to the program (SPEC §6), shared by the launcher [o]
// and pid 1 [1]. Both block them and read them from a signalfd.
#pragma once

#include <signal.h>

#include <array>

namespace vx {

inline constexpr std::array<int, 9> kForwardedSignals = {
    SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP};

// The launcher's --timeout sends pid 1 SIGTERM with this value (sigqueue(3)); pid 1 then sends
// SIGTERM to every process of the sandbox, not only to the program. A process inside could
// queue the same value, but could as well signal those processes itself.
inline constexpr int kTimeoutCookie = 0x7e0124;

// The forwarded signals plus SIGCHLD: what both supervisors block and read.
inline sigset_t supervised_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : kForwardedSignals) sigaddset(&set, s);
  sigaddset(&set, SIGCHLD);
  return set;
}

}  // namespace vx
