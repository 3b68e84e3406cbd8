#include "sandbox/program.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/fd.h"
#include "base/timing.h"
#include "sandbox/caps.h"
#include "sandbox/landlock.h"
#include "sandbox/notify_channel.h"

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

// --memory, --pids, --cpus (without a cgroup) and --nofile, soft and hard alike so that the
// program cannot raise them. Set here, in the sandbox's user namespace, because the kernel
// counts RLIMIT_NPROC per user namespace (Linux >= 5.14): only the sandbox's processes count,
// not every process of the same user on the host. Lowering a limit needs no privilege.
Expected<void> set_rlimits(const std::vector<Rlimit>& limits) {
  for (const auto& l : limits) {
    struct rlimit value = {l.value, l.value};
    if (setrlimit(static_cast<__rlimit_resource_t>(l.resource), &value) != 0)
      return fail(Error::from_errno("set resource limit " + std::to_string(l.resource) + " to " +
                                    std::to_string(l.value)));
  }
  return {};
}

struct ProgramArgs {
  const SandboxPlan* plan;
  const ChildPipes* pipes;
  const BpfProgram* filter;
  ExecArgs* exec_args;
  int ruleset;
};

// Runs on its own stack in pid 1's memory while pid 1 is suspended: it writes only its own
// stack (and the heap, to report an error); file descriptors, signal mask, credentials and seccomp
// state are its own because CLONE_FILES and CLONE_THREAD are not set.
[[noreturn]] void run_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args, int ruleset) {
  mark_phase(plan.timing, "spawn");
  close(pipes.alive_r);
  close(pipes.events_w);
  if (auto r = take_terminal(plan); !r) die(pipes, r.error());
  if (auto r = set_rlimits(plan.limits.rlimits); !r) die(pipes, r.error());
  if (auto r = drop_privileges(plan.keep_caps); !r) die(pipes, r.error());
  // landlock_restrict_self(2) needs no_new_privs (or CAP_SYS_ADMIN), which drop_privileges
  // has just set. Only the program is restricted: pid 1 runs nothing but its supervision loop
  // under its own filter.
  if (auto r = enforce_ruleset(UniqueFd(ruleset)); !r) die(pipes, r.error());
  mark_phase(plan.timing, "caps");
  // Signals blocked by the launcher for its signalfd would stay blocked across execve.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // SPEC §3a.5: only 0-2 (and --pass-fd ones) survive the execve. A descriptor the caller
  // leaked without O_CLOEXEC (a directory fd from an IDE or a job runner) would otherwise let
  // the program openat() its way out of the view. Marked close-on-exec rather than closed: the
  // error pipe must stay open until the execve itself.
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    die(pipes, Error::from_errno("mark inherited descriptors close-on-exec"));
  for (int fd : plan.pass_fds)
    if (fcntl(fd, F_SETFD, 0) != 0)
      die(pipes, Error::from_errno("pass descriptor " + std::to_string(fd)));
  // Seccomp last: everything above needs calls the filter denies (capset, setpgid is fine,
  // but prctl(PR_CAPBSET_DROP) and the landlock_* calls are not on the list).
  if (!filter.listener) {
    if (auto r = load_filter(filter); !r) die(pipes, r.error());
  } else {
    // Explain mode: the listener goes to the launcher, which must already serve it when the
    // execve below (a lookup call it watches) stops for its answer; sendmsg and close run under
    // the filter, so explain refuses a custom allowlist without them (host/explain_probe.cc).
    auto listener = load_filter_with_listener(filter);
    if (!listener) die(pipes, listener.error());
    if (auto r = send_listener(pipes.notify_w, listener->fd, listener->killable); !r)
      die(pipes, r.error());
  }
  mark_phase(plan.timing, "seccomp");
  Error e = exec_program(plan, exec_args);
  die(pipes, e);
}

int program_entry(void* arg) {
  auto* a = static_cast<ProgramArgs*>(arg);
  run_program(*a->plan, *a->pipes, *a->filter, *a->exec_args, a->ruleset);
}

// Starts program_entry(args) in a process of its own and returns once it has executed or died;
// -1 and errno when it could not start.
#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer cannot follow a process that shares our memory on a stack of its own (its
// no-return hooks warn on stderr, and false reports may follow), so the sanitizer build forks
// and waits as CLONE_VFORK does: the gate's write end closes with the exec (O_CLOEXEC) or exit.
pid_t run_in_own_process(ProgramArgs& args) {
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(gate[0]);
    program_entry(&args);
  }
  int err = errno;
  close(gate[1]);
  char byte;
  if (pid > 0) retry_eintr([&] { return read(gate[0], &byte, 1); });
  close(gate[0]);
  errno = err;
  return pid;
}
#else
pid_t run_in_own_process(ProgramArgs& args) {
  constexpr size_t kStack = 256 * 1024;  // the error path needs a little
  void* stack =
      mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return -1;
  pid_t pid = clone(program_entry, static_cast<char*>(stack) + kStack,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int err = errno;
  munmap(stack, kStack);
  errno = err;
  return pid;
}
#endif

}  // namespace

Expected<pid_t> start_program(const SandboxPlan& plan, const ChildPipes& pipes,
                              const BpfProgram& filter, ExecArgs& exec_args, int ruleset) {
  ProgramArgs args{&plan, &pipes, &filter, &exec_args, ruleset};
  pid_t pid = run_in_own_process(args);
  if (pid < 0) return fail(Error::from_errno("start the program's process"));
  return pid;
}

}  // namespace vx
