#include "sandbox/supervise.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "sandbox/error_pipe.h"
#include "sandbox/child.h"
#include "sandbox/signals.h"

namespace vx {

namespace {

// Take the terminal back from the program's process group, so that a script that called us
// can read from it again without SIGTTIN.
void reclaim_terminal(const SandboxPlan& plan) {
  if (plan.foreground_tty) set_foreground(getpgrp());
}

// A reported error wins: it was written before pid 1 exited or reported the exit.
int finish(Spawned& sandbox, const SandboxPlan& plan, int code) {
  sandbox.alive_w.reset();
  reclaim_terminal(plan);
  if (auto e = receive_error(sandbox.error_r.get())) {
    report(*e);
    return e->exit_code;
  }
  return code;
}

// An event from pid 1. 'S': the program stopped (Ctrl-Z); stop ourselves so the shell sees a
// stopped job; when the shell continues us (fg), pid 1 gets SIGCONT too and hands the terminal
// back to the program. 'X': the program exited with the status in the next byte.
std::optional<int> follow_event(Spawned& sandbox) {
  unsigned char event[2];
  if (read(sandbox.events_r.get(), event, 1) != 1) return std::nullopt;
  if (event[0] == 'X') {
    if (read(sandbox.events_r.get(), event + 1, 1) == 1) return event[1];
    return std::nullopt;
  }
  raise(SIGSTOP);
  kill(sandbox.pid1, SIGCONT);
  return std::nullopt;
}

}  // namespace

int supervise(Spawned& sandbox, const SandboxPlan& plan) {
  sigset_t set = supervised_signals();
  UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd) {
    report(Error::from_errno("create the launcher's signalfd"));
    kill(sandbox.pid1, SIGKILL);
  }
  bool events_open = true;
  while (true) {
    int status;
    pid_t done = retry_eintr([&] { return waitpid(sandbox.pid1, &status, WNOHANG); });
    // pid 1 itself killed (SIGKILL from outside) is reported as the program's death.
    if (done == sandbox.pid1) return finish(sandbox, plan, exit_code_of(status));
    struct pollfd fds[2] = {{sfd.get(), POLLIN, 0},
                            {events_open ? sandbox.events_r.get() : -1, POLLIN, 0}};
    int ready = retry_eintr([&] { return poll(fds, 2, -1); });
    if (ready < 0) {
      report(Error::from_errno("wait for the sandbox"));
      kill(sandbox.pid1, SIGKILL);
      continue;
    }
    if (fds[1].revents & POLLIN) {
      // pid 1 is exiting; whoever inherits it reaps it, and we need not wait for the kernel
      // to take its namespaces down.
      if (auto code = follow_event(sandbox)) return finish(sandbox, plan, *code);
    } else if (fds[1].revents & POLLHUP) {
      events_open = false;  // pid 1 died without a word: SIGCHLD tells
    }
    if (!(fds[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (read(sfd.get(), &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig != SIGCHLD) kill(sandbox.pid1, sig);
  }
}

}  // namespace vx
