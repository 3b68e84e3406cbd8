#include "sandbox/child.h"

#include <signal.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/error_pipe.h"

namespace vx {

void die(const ChildPipes& pipes, const Error& e) {
  send_error(pipes.error_w, e);
  _exit(e.exit_code);
}

int set_foreground(pid_t pgrp) {
  sigset_t ttou, old;
  sigemptyset(&ttou);
  sigaddset(&ttou, SIGTTOU);
  sigprocmask(SIG_BLOCK, &ttou, &old);
  int rc = tcsetpgrp(STDIN_FILENO, pgrp);
  int err = errno;
  sigprocmask(SIG_SETMASK, &old, nullptr);
  errno = err;
  return rc;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return kExitSignalBase + WTERMSIG(status);
  return kExitLauncherFailed;
}

}  // namespace vx
