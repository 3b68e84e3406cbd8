// Explain mode's channel for the seccomp listener: a socket pair made [o] before clone; the
// program's process [p] sends the listener it got from seccomp(2) and closes it before execve
// (the sandboxed program must never hold it); the launcher [o] receives it. Impure.
#pragma once

#include "base/error.h"
#include "base/fd.h"

namespace vx {

struct NotifyChannel {
  UniqueFd launcher_end;  // receives the listener
  UniqueFd program_end;   // sends it
};

Expected<NotifyChannel> make_notify_channel();

// [p] SCM_RIGHTS over `sock`, then both `listener` and `sock` closed. The byte says whether
// the filter waits killably (SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV), for the report.
Expected<void> send_listener(int sock, int listener, bool killable);

// [o] The listener, or an empty fd when the program died before sending it (EOF).
UniqueFd receive_listener(int sock, bool& killable);

}  // namespace vx
