#include "sandbox/program.h"

#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/timing.h"
#include "sandbox/caps.h"

namespace vx {

namespace {

Expected<void> take_terminal(const SandboxPlan& plan) {
  if (plan.new_session) {
    // Without seccomp, TIOCSTI would reach the caller's terminal; a new session has none.
    if (setsid() < 0) return fail(Error::from_errno("start a new session"));
    return {};
  }
  if (!plan.foreground_tty) return {};
  // Its own process group in the foreground: Ctrl-C reaches the program once, from the
  // terminal, and job control inside (a shell) works.
  if (setpgid(0, 0) != 0) return fail(Error::from_errno("create the program's process group"));
  if (set_foreground(getpid()) != 0)
    return fail(Error::from_errno("give the terminal to the program"));
  return {};
}

struct ProgramArgs {
  const SandboxPlan* plan;
  const ChildPipes* pipes;
  const BpfProgram* filter;
  ExecArgs* exec_args;
};

// Runs on its own stack in pid 1's memory while pid 1 is suspended: it writes only its own
// stack (and the heap, to report an error); file descriptors, signal mask, credentials and seccomp
// state are its own because CLONE_FILES and CLONE_THREAD are not set.
[[noreturn]] void run_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args) {
  mark_phase(plan.timing, "spawn");
  close(pipes.alive_r);
  close(pipes.events_w);
  if (auto r = take_terminal(plan); !r) die(pipes, r.error());
  if (auto r = drop_privileges(plan.keep_caps); !r) die(pipes, r.error());
  mark_phase(plan.timing, "caps");
  // Signals blocked by the launcher for its signalfd would stay blocked across execve.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Seccomp last: everything above needs calls the filter denies (capset, setpgid is fine,
  // but prctl(PR_CAPBSET_DROP) is not on the list).
  if (auto r = load_filter(filter); !r) die(pipes, r.error());
  mark_phase(plan.timing, "seccomp");
  Error e = exec_program(plan, exec_args);
  die(pipes, e);
}

int program_entry(void* arg) {
  auto* a = static_cast<ProgramArgs*>(arg);
  run_program(*a->plan, *a->pipes, *a->filter, *a->exec_args);
}

}  // namespace

Expected<pid_t> start_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args) {
  constexpr size_t kStack = 256 * 1024;  // the error path needs a little
  void* stack =
      mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return fail(Error::from_errno("allocate the program's stack"));
  ProgramArgs args{&plan, &pipes, &filter, &exec_args};
  pid_t pid = clone(program_entry, static_cast<char*>(stack) + kStack,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int err = errno;
  munmap(stack, kStack);
  if (pid < 0) {
    errno = err;
    return fail(Error::from_errno("start the program's process"));
  }
  return pid;
}

}  // namespace vx
