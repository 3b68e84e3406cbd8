#include "sandbox/error_pipe.h"

#include <limits.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/fd.h"

namespace vx {

namespace {

struct Record {
  int exit_code;
  int sys_errno;
  char what[1024];
  char why[512];
  char hint[512];
};
static_assert(sizeof(Record) <= PIPE_BUF, "a record must be written atomically");

void copy_field(char* dst, size_t size, const std::string& src) {
  size_t n = std::min(size - 1, src.size());
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

void send_error(int fd, const Error& e) {
  Record r = {};
  r.exit_code = e.exit_code;
  r.sys_errno = e.sys_errno;
  copy_field(r.what, sizeof r.what, e.what);
  copy_field(r.why, sizeof r.why, e.why);
  copy_field(r.hint, sizeof r.hint, e.hint);
  write_all(fd, &r, sizeof r);
}

std::optional<Error> receive_error(int fd) {
  Record r;
  ssize_t n = retry_eintr([&] { return read(fd, &r, sizeof r); });
  if (n != static_cast<ssize_t>(sizeof r)) return std::nullopt;
  r.what[sizeof r.what - 1] = r.why[sizeof r.why - 1] = r.hint[sizeof r.hint - 1] = '\0';
  return Error{r.what, r.sys_errno, r.why, r.hint, r.exit_code};
}

bool error_waiting(int fd) {
  int bytes = 0;
  return ioctl(fd, FIONREAD, &bytes) != 0 || bytes > 0;
}

}  // namespace vx
