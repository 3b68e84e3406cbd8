#include "base/real_path.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdlib>
#include <string_view>

#include "base/fd.h"

namespace vx {

namespace {

Expected<std::string> libc_real_path(const std::string& path) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) return fail(Error::from_errno("resolve " + path));
  return std::string(buf);
}

}  // namespace

void format_proc_fd(int fd, char (&out)[32]) {
  constexpr std::string_view kPrefix = "/proc/self/fd/";
  kPrefix.copy(out, kPrefix.size());
  auto [end, ec] = std::to_chars(out + kPrefix.size(), out + sizeof out - 1, fd);
  *(ec == std::errc{} ? end : out + kPrefix.size()) = '\0';
}

Expected<std::string> real_path(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_PATH | O_CLOEXEC));
  if (!fd) {
    // The lookup itself failed, as realpath's would: same errno, no second walk. Anything
    // else (EMFILE, ENOMEM) is left to realpath, which needs no descriptor.
    if (errno == ENOENT || errno == ENOTDIR || errno == EACCES || errno == ELOOP ||
        errno == ENAMETOOLONG)
      return fail(Error::from_errno("resolve " + path));
    return libc_real_path(path);
  }
  char link[32];
  format_proc_fd(fd.get(), link);
  char buf[PATH_MAX];
  ssize_t n = readlink(link, buf, sizeof buf);
  // The kernel's name is not a path when /proc is missing, the file lies outside our root
  // ("(unreachable)/..."), was just removed ("... (deleted)") or the name fills the buffer:
  // realpath(3) then answers, as it always did.
  constexpr std::string_view kDeleted = " (deleted)";
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf || buf[0] != '/') return libc_real_path(path);
  std::string out(buf, static_cast<size_t>(n));
  if (out.ends_with(kDeleted)) return libc_real_path(path);
  return out;
}

}  // namespace vx
