#include "sandbox/spawn.h"

#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/link_server.h"
#include "sandbox/notify_channel.h"
#include "base/prefault.h"

namespace vx {

namespace {

Error clone_error(int err) {
  auto because = [err](std::string why, std::string hint) {
    return Error{"create the sandbox's namespaces (clone)", err, std::move(why), std::move(hint),
                 kExitLauncherFailed};
  };
  switch (err) {
    case EPERM:
      return because("user namespaces are not allowed for this user",
                     "run 'venv-exec check' for the setting that blocks them and its fix");
    case ENOSPC:
    case EUSERS:
      return because("the limit on nested or total user namespaces is reached",
                     "raise user.max_user_namespaces (venv-exec check shows how)");
    case EINVAL:
      return because("this kernel lacks a namespace type venv-exec needs", "run 'venv-exec check'");
    default:
      return because({}, {});
  }
}

struct Pipe {
  UniqueFd r, w;
};

Expected<Pipe> make_pipe(const char* what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Error::from_errno(std::string("create ") + what));
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

}  // namespace

bool namespaces_refused(const Error& e) {
  return e.what == clone_error(0).what &&
         (e.sys_errno == EPERM || e.sys_errno == ENOSPC || e.sys_errno == EUSERS);
}

Expected<Spawned> spawn_sandbox(const SandboxPlan& plan, const Filters& filters) {
  TRY_ASSIGN(errors, make_pipe("the error pipe"));
  TRY_ASSIGN(events, make_pipe("the event pipe"));
  TRY_ASSIGN(alive, make_pipe("the alive pipe"));
  NotifyChannel notify;  // explain mode only: a normal launch makes no extra call
  if (filters.program->listener) {
    TRY_ASSIGN(channel, make_notify_channel());
    notify = std::move(channel);
  }
  // Created here, bound by pid 1 inside: the launcher accepts on this very socket, whose name
  // exists only in the sandbox's root (no path on the host, nothing left after a SIGKILL).
  UniqueFd links;
  if (!plan.links_socket.empty()) {
    links.reset(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!links) return fail(Error::from_errno("create the link socket"));
    refuse_passed_descriptors(links.get());
  }
  CodeSegments code = code_segments();
  // A raw clone without a new stack behaves as fork(); glibc's clone() wrapper would need one.
  // The launcher is single-threaded here, which makes that safe.
  long pid = syscall(SYS_clone, static_cast<unsigned long>(plan.clone_flags) | SIGCHLD, nullptr,
                     nullptr, nullptr, nullptr);
  if (pid < 0) return fail(clone_error(errno));
  if (pid == 0) {
    prefault_code(code);
    errors.r.reset();
    events.r.reset();
    alive.w.reset();
    notify.launcher_end.reset();
    ChildPipes pipes{errors.w.release(), events.w.release(), alive.r.release(),
                     notify.program_end.release(), links.release()};
    run_pid1(plan, pipes, filters);
  }
  Spawned s;
  s.pid1 = static_cast<pid_t>(pid);
  s.error_r = std::move(errors.r);
  s.events_r = std::move(events.r);
  s.alive_w = std::move(alive.w);
  s.notify_r = std::move(notify.launcher_end);
  s.links = std::move(links);
  return s;
}

}  // namespace vx
