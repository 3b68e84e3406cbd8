#include "host/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>

#include "base/fd.h"

namespace vx {

Expected<OpenFile> open_untrusted(const std::string& path) {
  OpenFile file;
  file.fd.reset(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!file.fd) {
    if (errno == ELOOP) {
      Error e =
          Error::make("read " + path, "it is a symbolic link, which a sandbox could have planted",
                      "replace the link with the file it points to");
      e.sys_errno = ELOOP;
      return fail(e);
    }
    return fail(Error::from_errno("read " + path));
  }
  if (fstat(file.fd.get(), &file.st) != 0) return fail(Error::from_errno("read " + path));
  return file;
}

Expected<std::string> read_open_file(const OpenFile& file, const std::string& path, size_t cap) {
  if (!S_ISREG(file.st.st_mode)) return fail(Error::make("read " + path, "not a regular file"));
  auto size = static_cast<size_t>(file.st.st_size);
  if (size > cap)
    return fail(Error::make("read " + path, "larger than " + std::to_string(cap) + " bytes"));
  // Filled by pread, not zeroed first (the curated /etc is ~60 KiB read at every launch). No
  // more than fstat's size is asked for: the buffer may be larger, and a read past the end
  // would cost one more pread to learn of it.
  std::string text;
  int err = 0;
  text.resize_and_overwrite(size, [&](char* buf, size_t) {
    size_t got = 0;
    while (got < size) {
      ssize_t n = retry_eintr(
          [&] { return pread(file.fd.get(), buf + got, size - got, static_cast<off_t>(got)); });
      if (n < 0) err = errno;
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    return got;
  });
  if (err != 0) return errno = err, fail(Error::from_errno("read " + path));
  return text;
}

Expected<std::string> read_untrusted_file(const std::string& path, size_t cap) {
  TRY_ASSIGN(file, open_untrusted(path));
  return read_open_file(file, path, cap);
}

std::optional<std::string> read_kernel_file(const std::string& path, size_t cap) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[4096];
  while (text.size() < cap) {
    ssize_t n = retry_eintr([&] { return read(fd.get(), buf, sizeof buf); });
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  if (text.size() > cap) text.resize(cap);
  return text;
}

std::optional<std::string> read_link(const std::string& path) {
  char buf[PATH_MAX];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace vx
