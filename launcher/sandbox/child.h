// What the launcher [o], pid 1 [1] and the program's process [p] share: the pipes between
// them, the filters they load, and the small steps each of them takes the same way (report an
// error and exit, hand the terminal to a process group, turn a wait status into an exit code).
#pragma once

#include <sys/types.h>

#include "base/error.h"
#include "sandbox/seccomp_filter.h"

namespace vx {

struct ChildPipes {
  int error_w = -1;   // error records for the launcher (CLOEXEC)
  int events_w = -1;  // events for the launcher: 'S' the program stopped; 'X' + status, it exited
  int alive_r = -1;   // the launcher holds the write end: EOF means it is gone
  int notify_w = -1;  // explain mode only: the program sends its seccomp listener here
  int links_fd = -1;  // the launcher's link socket, for pid 1 to bind and listen on; -1: none
};

struct Filters {
  const BpfProgram* program = nullptr;  // loaded by the program's process last before execve
  const BpfProgram* init = nullptr;     // pid 1's own, smaller filter
};

// [1]/[p]: send the error to the launcher through the error pipe and exit with its class.
[[noreturn]] void die(const ChildPipes& pipes, const Error& e);

// Makes `pgrp` the terminal's foreground process group. SIGTTOU is blocked meanwhile: a
// background caller would otherwise be stopped by tcsetpgrp (termios(3)). 0 or -1 with errno.
int set_foreground(pid_t pgrp);

// A wait status as the launcher's exit code: the code, or 128+N for a death by signal N.
int exit_code_of(int status);

}  // namespace vx
