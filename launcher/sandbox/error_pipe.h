// The error pipe: pid 1 and the program's process report a failure before execve to the
// launcher, which prints it and exits with its class. EOF without a record: exec succeeded.
#pragma once

#include <optional>

#include "base/error.h"

namespace vx {

// One fixed-size record in one write(2) (smaller than PIPE_BUF), so it is never torn.
void send_error(int fd, const Error& e);

// Reads a record if one is waiting; the caller has closed its own write end.
std::optional<Error> receive_error(int fd);

// Whether a record is waiting in the pipe now (FIONREAD), without reading or blocking; true
// when the kernel cannot tell, so that the caller then reads.
bool error_waiting(int fd);

}  // namespace vx
