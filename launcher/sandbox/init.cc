#include "sandbox/init.h"

#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/fd.h"
#include "base/timing.h"
#include "sandbox/caps.h"
#include "sandbox/error_pipe.h"
#include "sandbox/exec.h"
#include "sandbox/idmap.h"
#include "sandbox/landlock.h"
#include "sandbox/mount_ops.h"
#include "sandbox/mounts.h"
#include "sandbox/pivot.h"
#include "sandbox/program.h"
#include "sandbox/signals.h"

namespace vx {

namespace {

// PR_SET_PDEATHSIG closes the race only for a parent that dies later; one that died before the
// call is detected through the alive pipe, whose only writer is the launcher. (getppid() is 0
// here: the parent is outside our pid namespace.)
Expected<void> die_with_parent(int alive_r) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    return fail(Error::from_errno("set the parent-death signal"));
  // POLLHUP alone: with --net internet the launcher may already have written its go byte.
  struct pollfd p = {alive_r, POLLIN, 0};
  if (poll(&p, 1, 0) > 0 && (p.revents & POLLHUP))
    return fail(Error::make("start the sandbox", "the launcher is gone"));
  return {};
}

Expected<void> bring_up_loopback() {
  UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock) return fail(Error::from_errno("open a socket to configure lo"));
  struct ifreq req = {};
  std::strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
  req.ifr_flags = IFF_UP | IFF_RUNNING;
  if (ioctl(sock.get(), SIOCSIFFLAGS, &req) != 0)
    return fail(Error::from_errno("bring up the loopback interface"));
  return {};
}

// Non-dumpable: this process still holds the caller's whole environment in memory; the
// program must not read it through /proc/1/environ or attach to it.
Expected<void> make_undumpable() {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return fail(Error::from_errno("make pid 1 non-dumpable"));
  return {};
}

// --net internet: the launcher writes 'N' once pasta has configured the namespace (interface,
// addresses, routes); EOF means it is gone. The program must not start on a network half made.
Expected<void> wait_for_network(int alive_r) {
  char go = 0;
  ssize_t n = retry_eintr([&] { return read(alive_r, &go, 1); });
  if (n != 1 || go != 'N') return fail(Error::make("start the sandbox", "the launcher is gone"));
  return {};
}

// The launcher created the socket; binding it here gives it a name in the sandbox's root only.
// Before / turns read-only; the launcher polls it only after the 'L' event (before listen(2)
// a stream socket polls as POLLHUP), which announce_links sends once the program runs: the
// launcher's wake-up then no longer competes with pid 1 for a CPU while it builds the root,
// and a connection made before it waits in the backlog. pid 1 keeps no copy of the socket.
Expected<void> listen_for_links(const SandboxPlan& plan, const ChildPipes& pipes,
                                MountPoints& points) {
  // The socket's directory is reached as every mount point is (no link on the way), and bound
  // through that descriptor: a user bind at /run of a directory other sandboxes can change
  // must not move the socket to where /oldroot still shows the host (finding 10).
  std::string name;
  TRY_ASSIGN(dir, points.parent(plan.links_socket, name));
  TRY(bind_socket_at(pipes.links_fd, dir, name, plan.links_socket));
  if (listen(pipes.links_fd, 16) != 0)
    return fail(Error::from_errno("listen on the link socket " + plan.links_socket));
  close(pipes.links_fd);
  return {};
}

void announce_links(const SandboxPlan& plan, const ChildPipes& pipes) {
  if (plan.landlock_only || pipes.links_fd < 0) return;
  const char event = 'L';
  write_all(pipes.events_w, &event, 1);
}

Expected<void> build_sandbox(const SandboxPlan& plan, const ChildPipes& pipes,
                             MountPoints& points) {
  // The maps first: a non-dumpable process's /proc/self files belong to the global root, and an
  // unprivileged launcher could no longer write them.
  TRY(write_id_maps(plan.ids));
  mark_phase(plan.timing, "maps");
  // pasta opens this process's /proc/PID/ns/{user,net}, which a non-dumpable process refuses
  // to a caller without CAP_SYS_PTRACE: then run_pid1 makes it so after the network is ready,
  // still before the program exists.
  if (plan.user_net_argv.empty()) TRY(make_undumpable());
  TRY(enter_fresh_root(plan.limits.tmpfs_size));
  mark_phase(plan.timing, "pivot");
  TRY(apply_mounts(plan.mounts, kOldRoot, plan.limits.tmpfs_size, points));
  mark_phase(plan.timing, "mounts");
  if (pipes.links_fd >= 0) TRY(listen_for_links(plan, pipes, points));
  TRY(finish_root(plan, points));
  mark_phase(plan.timing, "root-ro");
  if (plan.loopback_up) TRY(bring_up_loopback());
  return {};
}

// Landlock-only: no namespace, nothing to build. Still non-dumpable (the caller's environment
// is in memory), and the reaper of the program's orphans, as pid 1 would be.
Expected<void> prepare_landlock_only(const SandboxPlan& plan) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return fail(Error::from_errno("make the supervisor non-dumpable"));
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    return fail(Error::from_errno("make the supervisor a child subreaper"));
  if (chdir(plan.cwd.c_str()) != 0)
    return fail(Error::from_errno("enter the working directory " + plan.cwd));
  return {};
}

// The terminal goes to the program's group (again) when the job is continued.
void give_terminal(const SandboxPlan& plan, pid_t program) {
  if (plan.foreground_tty) set_foreground(program);
}

// Reaps every child (orphans are re-parented to us) until the program exits.
[[noreturn]] void supervise_program(const SandboxPlan& plan, const ChildPipes& pipes, pid_t program,
                                    const UniqueFd& sfd) {
  while (true) {
    struct signalfd_siginfo si;
    ssize_t n = retry_eintr([&] { return read(sfd.get(), &si, sizeof si); });
    if (n != sizeof si) die(pipes, Error::from_errno("read pid 1's signalfd"));
    int sig = static_cast<int>(si.ssi_signo);
    if (sig == SIGTERM && si.ssi_code == SI_QUEUE && si.ssi_int == kTimeoutCookie) {
      // kill(-1) from a pid namespace's init reaches every process of the namespace but itself.
      kill(-1, SIGTERM);
      continue;
    }
    if (sig != SIGCHLD) {
      if (sig == SIGCONT) give_terminal(plan, program);
      kill(program, sig);
      continue;
    }
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG | WUNTRACED)) > 0) {
      if (pid != program) continue;
      if (WIFSTOPPED(status)) {
        // Ctrl-Z stopped the program: ask the launcher to stop too, so the shell sees a
        // stopped job and takes the terminal back.
        char event = 'S';
        write_all(pipes.events_w, &event, 1);
        continue;
      }
      // Tell the launcher first: the kernel tears the mount and pid namespaces down before our
      // parent is notified of our exit, time the caller need not wait for. 'K' names the
      // signal that killed the program (for --status-json); 'X' carries its exit code.
      int code = exit_code_of(status);
      unsigned char done[2] = {'X', static_cast<unsigned char>(code)};
      if (WIFSIGNALED(status)) {
        done[0] = 'K';
        done[1] = static_cast<unsigned char>(WTERMSIG(status));
      }
      // Nothing can fail from here on, and the program's process closed its copy at execve
      // (or wrote its error before exiting): closed first, the error pipe is at EOF when the
      // launcher reads it after this event, instead of when our exit_files() runs, after the
      // kernel has torn down this process's memory (~1 ms measured).
      close(pipes.error_w);
      write_all(pipes.events_w, done, sizeof done);
      // exit_group(2) itself, not the noreturn _exit(): AddressSanitizer hooks every noreturn
      // call with a sigaltstack(2), which pid 1's filter refuses (tests/ci/sanitizers).
      syscall(SYS_exit_group, code);
      __builtin_unreachable();
    }
  }
}

}  // namespace

[[noreturn]] void run_pid1(const SandboxPlan& plan, const ChildPipes& pipes, const Filters& f) {
  if (auto r = die_with_parent(pipes.alive_r); !r) die(pipes, r.error());
  // The directories the mounts were made in, kept open from one op to the next; closed once
  // the program runs, off the path to its execve (it inherits them close-on-exec).
  MountPoints points(true);
  auto built =
      plan.landlock_only ? prepare_landlock_only(plan) : build_sandbox(plan, pipes, points);
  if (!built) die(pipes, built.error());
  if (!plan.user_net_argv.empty()) {
    if (auto r = wait_for_network(pipes.alive_r); !r) die(pipes, r.error());
    if (auto r = make_undumpable(); !r) die(pipes, r.error());
  }

  ExecArgs exec_args = prepare_exec(plan);
  // Nested calls in a Landlock-only sandbox recognise it by this process (sandbox/nested.cc).
  std::string marker;
  if (!plan.marker_env.empty()) {
    marker = plan.marker_env + "=" + std::to_string(getpid());
    exec_args.envp.insert(exec_args.envp.begin(), marker.data());
  }
  // The Landlock ruleset is built here, in the finished root (its paths are the sandbox's) and
  // with pid 1's capabilities, so that every path of the view can be opened; adding rules
  // restricts no one. The program inherits the descriptor and enforces it on itself.
  std::vector<UniqueFd> rule_dirs;
  auto ruleset = build_ruleset(plan.landlock, rule_dirs);
  if (!ruleset) die(pipes, ruleset.error());
  auto started = start_program(plan, pipes, *f.program, exec_args, ruleset->get());
  if (!started) die(pipes, started.error());
  pid_t program = *started;
  announce_links(plan, pipes);
  ruleset->reset();
  rule_dirs.clear();
  points.close_all();
  if (pipes.notify_w >= 0) close(pipes.notify_w);  // the program has sent the listener (or died)

  close(pipes.alive_r);
  // Everything pid 1 needs is opened before its filter, which allows only the supervision loop.
  sigset_t set = supervised_signals();
  UniqueFd sfd(signalfd(-1, &set, SFD_CLOEXEC));
  if (!sfd) die(pipes, Error::from_errno("create pid 1's signalfd"));
  if (auto r = drop_privileges({}); !r) die(pipes, r.error());
  if (auto r = load_filter(*f.init); !r) die(pipes, r.error());
  supervise_program(plan, pipes, program, sfd);
}

}  // namespace vx
