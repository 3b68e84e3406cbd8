#include "sandbox/supervise.h"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "base/timing.h"
#include "sandbox/child.h"
#include "sandbox/error_pipe.h"
#include "sandbox/link_server.h"
#include "sandbox/notify_channel.h"
#include "sandbox/signals.h"

namespace vx {

namespace {

// Take the terminal back from the program's process group, so that a script that called us
// can read from it again without SIGTTIN.
void reclaim_terminal(const SandboxPlan& plan) {
  if (plan.foreground_tty) set_foreground(getpgrp());
}

// A reported error wins: it was written before pid 1 exited or reported the exit. Then the
// timeout, whatever the program made of its SIGTERM, as timeout(1) does. When pid 1 reported
// the program's end (`reported`), it is still exiting, and the error pipe ends only once its
// exit has torn down its address space and closed its descriptors (~1 ms): the pipe is only
// read if a record waits in it. Nothing is lost: a record comes from the program's process
// before its execve, hence before its exit, which pid 1 saw before reporting it, or from pid 1,
// which writes nothing after the report.
int finish(Spawned& sandbox, const SandboxPlan& plan, int code, bool reported) {
  sandbox.alive_w.reset();
  reclaim_terminal(plan);
  if (!reported || error_waiting(sandbox.error_r.get())) {
    if (auto e = receive_error(sandbox.error_r.get())) {
      report(*e);
      return e->exit_code;
    }
  }
  return sandbox.timed_out ? kExitTimedOut : code;
}

uint64_t now_ms() { return static_cast<uint64_t>(monotonic_ns()) / 1000000; }

// --timeout: first SIGTERM to every process (through pid 1, the only one that can reach
// them all), then SIGKILL to pid 1, which makes the kernel kill the rest of its namespace.
struct Deadline {
  uint64_t at = 0;  // CLOCK_MONOTONIC ms; 0: none
  bool terminated = false;

  int poll_timeout() const {
    if (at == 0) return -1;
    uint64_t now = now_ms();
    return now >= at ? 0 : static_cast<int>(std::min<uint64_t>(at - now, 1u << 30));
  }

  void expire(Spawned& sandbox, const LimitPlan& limits) {
    if (at == 0 || now_ms() < at) return;
    if (terminated) {
      kill(sandbox.pid1, SIGKILL);
      at = 0;
      return;
    }
    sandbox.timed_out = terminated = true;
    report(Error::make("--timeout " + format_duration_ms(limits.timeout_ms),
                       "time is up; SIGTERM to every process of the sandbox, SIGKILL " +
                           format_duration_ms(limits.kill_after_ms) + " later"));
    union sigval cookie = {};
    cookie.sival_int = kTimeoutCookie;
    sigqueue(sandbox.pid1, SIGTERM, cookie);
    at = now_ms() + limits.kill_after_ms;
  }
};

// An event from pid 1. 'S': the program stopped (Ctrl-Z); stop ourselves so the shell sees a
// stopped job; when the shell continues us (fg), pid 1 gets SIGCONT too and hands the terminal
// back to the program. 'X': the program exited with the status in the next byte.
// 'L': the link socket listens.
std::optional<int> follow_event(Spawned& sandbox, LinkServer* links) {
  unsigned char event[2];
  if (read(sandbox.events_r.get(), event, 1) != 1) return std::nullopt;
  if (event[0] == 'L') {
    if (links != nullptr) links->activate();
    return std::nullopt;
  }
  if (event[0] == 'X' || event[0] == 'K') {
    if (read(sandbox.events_r.get(), event + 1, 1) != 1) return std::nullopt;
    if (event[0] == 'X') return event[1];
    sandbox.signal = event[1];
    return kExitSignalBase + event[1];
  }
  raise(SIGSTOP);
  kill(sandbox.pid1, SIGCONT);
  return std::nullopt;
}

// Explain mode: the listener arrives once on notify_r; then each readable listener is one
// notification for `on_notify`. POLLHUP: no process uses the filter any more.
void serve_notifications(Spawned& sandbox, const struct pollfd fds[],
                         const NotifyHandler& on_notify) {
  if (fds[2].revents & (POLLIN | POLLHUP)) {
    bool killable = false;
    sandbox.listener = receive_listener(sandbox.notify_r.get(), killable);
    sandbox.listener_interruptible = sandbox.listener && !killable;
    sandbox.notify_r.reset();
  }
  if (fds[3].revents & POLLIN) {
    on_notify(sandbox.listener.get());
  } else if (fds[3].revents & (POLLHUP | POLLERR | POLLNVAL)) {
    sandbox.listener.reset();
  }
}

}  // namespace

int supervise(Spawned& sandbox, const SandboxPlan& plan, const NotifyHandler& on_notify,
              LinkServer* links) {
  sigset_t set = supervised_signals();
  UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd) {
    report(Error::from_errno("create the launcher's signalfd"));
    kill(sandbox.pid1, SIGKILL);
  }
  bool events_open = true;
  Deadline deadline;
  if (plan.limits.timeout_ms) deadline.at = now_ms() + plan.limits.timeout_ms;
  // pid 1 is waited for once at the start and then only when something says it may have
  // ended: a SIGCHLD (blocked since before the clone, so none is lost to the signalfd), or its
  // event pipe closing. Without a signalfd, at every wake.
  bool may_have_ended = true;
  // On the stack: after the clone, each heap page the launcher writes is a copy-on-write fault.
  std::array<struct pollfd, 4 + LinkServer::kMaxPollfds> fds;
  while (true) {
    int status;
    pid_t done = 0;
    if (may_have_ended || !sfd)
      done = retry_eintr([&] { return wait4(sandbox.pid1, &status, WNOHANG, &sandbox.usage); });
    may_have_ended = false;
    // pid 1 itself killed (SIGKILL from outside) is reported as the program's death.
    if (done == sandbox.pid1) {
      sandbox.reaped = true;
      if (WIFSIGNALED(status)) sandbox.signal = WTERMSIG(status);
      return finish(sandbox, plan, exit_code_of(status), false);
    }
    deadline.expire(sandbox, plan.limits);
    // Entries 2 and 3 are -1 (ignored by poll) outside explain mode; the link channel's follow.
    fds[0] = {sfd.get(), POLLIN, 0};
    fds[1] = {events_open ? sandbox.events_r.get() : -1, POLLIN, 0};
    fds[2] = {sandbox.notify_r.get(), POLLIN, 0};
    fds[3] = {sandbox.listener.get(), POLLIN, 0};
    size_t count = 4;
    int timeout = deadline.poll_timeout();
    if (links != nullptr) {
      count += links->add_pollfds(&fds[4]);
      int t = links->timeout_ms(now_ms());
      if (t >= 0 && (timeout < 0 || t < timeout)) timeout = t;
    }
    int ready = retry_eintr([&] { return poll(fds.data(), count, timeout); });
    if (ready < 0) {
      report(Error::from_errno("wait for the sandbox"));
      kill(sandbox.pid1, SIGKILL);
      continue;
    }
    if (on_notify) serve_notifications(sandbox, fds.data(), on_notify);
    if (links != nullptr && count > 4) links->serve(&fds[4], now_ms());
    if (fds[1].revents & POLLIN) {
      // pid 1 is exiting; whoever inherits it reaps it, and we need not wait for the kernel
      // to take its namespaces down.
      if (auto code = follow_event(sandbox, links)) return finish(sandbox, plan, *code, true);
    } else if (fds[1].revents & POLLHUP) {
      events_open = false;  // pid 1 died without a word: SIGCHLD tells
      may_have_ended = true;
    }
    if (!(fds[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (read(sfd.get(), &si, sizeof si) != sizeof si) continue;
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGCHLD) may_have_ended = true;
    if (sig == SIGCHLD && links != nullptr) links->child_exited();
    if (sig != SIGCHLD) kill(sandbox.pid1, sig);
  }
}

void reap_sandbox(Spawned& sandbox) {
  if (sandbox.reaped) return;
  int status;
  if (retry_eintr([&] { return wait4(sandbox.pid1, &status, 0, &sandbox.usage); }) == sandbox.pid1)
    sandbox.reaped = true;
}

}  // namespace vx
