#include "sandbox/user_net.h"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/fd.h"
#include "base/path.h"

namespace vx {

namespace {

// pasta configures a namespace in ~0.1 s; a stuck one must not hang the launch for ever.
constexpr int kReadyTimeoutMs = 10000;
// pasta writes its PID file (-P) on this descriptor once the namespace is configured.
constexpr int kReadyFd = 3;

[[noreturn]] void exec_pasta(const std::vector<std::string>& words, pid_t launcher, int ready_w,
                             int log) {
  // Dies with the launcher, even when it is SIGKILLed; PR_SET_PDEATHSIG survives execve for a
  // program that is not set-user-ID (prctl(2)). The launcher may already be gone: re-check.
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0 || getppid() != launcher) _exit(127);
  // Its own process group: the terminal's Ctrl-C and Ctrl-Z are the program's, not pasta's.
  setpgid(0, 0);
  // Ignored signals stay ignored across execve; Debian 12's pasta refuses to start when SIGPIPE
  // already is ("Couldn't install signal handlers": it tests signal()'s old handler as an error),
  // which a caller such as Python's posix_spawn leaves so.
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);  // the launcher blocks the supervised signals
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(log, 2) < 0 ||
      dup2(ready_w, kReadyFd) < 0)
    _exit(127);
  // Nothing else of the launcher's reaches pasta: not the caller's descriptors (--pass-fd).
  close_range(kReadyFd + 1, ~0U, 0);
  std::vector<char*> argv;
  for (const auto& w : words) argv.push_back(const_cast<char*>(w.c_str()));
  argv.push_back(nullptr);
  char* no_env[] = {nullptr};
  execve(argv[0], argv.data(), no_env);
  _exit(127);
}

// What pasta wrote to its stderr, a memory file: shown only when it fails. Debian 12's prints
// warnings even with -q ("Failed to send ... to syslog", "No external routable interface for
// IPv6") that would otherwise land in every run's stderr.
std::string pasta_says(int log) {
  char buf[2048];
  ssize_t n = pread(log, buf, sizeof buf, 0);
  std::string text = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.empty() ? "no message" : "pasta: " + terminal_safe(text);
}

// Once pasta wrote "PID\n"; an error when it exited (EOF) or took too long.
Expected<void> await_ready(int ready_r, int log) {
  std::string got;
  while (got.find('\n') == std::string::npos) {
    struct pollfd p = {ready_r, POLLIN, 0};
    int n = retry_eintr([&] { return poll(&p, 1, kReadyTimeoutMs); });
    if (n == 0)
      return fail(Error::make("start pasta (--net internet)",
                              "it did not configure the network within 10 s"));
    char buf[32];
    ssize_t r = retry_eintr([&] { return read(ready_r, buf, sizeof buf); });
    if (r <= 0)
      return fail(Error::make("start pasta (--net internet)",
                              "it exited before configuring the network (" + pasta_says(log) + ")",
                              "run 'venv-exec check': /dev/net/tun must be usable by you"));
    got.append(buf, static_cast<size_t>(r));
  }
  return {};
}

}  // namespace

void UserNet::stop() {
  if (pid_ < 0) return;
  kill(pid_, SIGKILL);
  retry_eintr([&] { return waitpid(pid_, nullptr, 0); });
  pid_ = -1;
}

Expected<UserNet> start_user_net(const SandboxPlan& plan, const Spawned& sandbox) {
  if (plan.user_net_argv.empty()) return UserNet();
  std::vector<std::string> words = plan.user_net_argv;
  // Pid 1 is our unreaped child: its PID cannot name another process until we wait for it.
  words.push_back(std::to_string(sandbox.pid1));
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(Error::from_errno("create pasta's ready pipe"));
  UniqueFd ready_r(fds[0]), ready_w(fds[1]);
  UniqueFd log(memfd_create("pasta-stderr", MFD_CLOEXEC));
  if (!log) return fail(Error::from_errno("create pasta's log"));
  pid_t launcher = getpid();
  pid_t pid = fork();
  if (pid < 0) return fail(Error::from_errno("start pasta (--net internet)"));
  if (pid == 0) exec_pasta(words, launcher, ready_w.get(), log.get());
  UserNet net(pid);
  ready_w.reset();
  auto ready = await_ready(ready_r.get(), log.get());
  // Pid 1 waits for this byte before it starts the program (sandbox/init.cc).
  char go = 'N';
  if (ready && !write_all(sandbox.alive_w.get(), &go, 1))
    ready = fail(Error::from_errno("tell the sandbox its network is ready"));
  if (!ready) {
    kill(sandbox.pid1, SIGKILL);
    return fail(ready.error());
  }
  return net;
}

}  // namespace vx
