// Helpers for the fuzz targets: plain LLVMFuzzerTestOneInput functions, so that libFuzzer or any
// engine that calls that entry point (AFL++'s driver) can run them.
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace vx::fuzz {

inline std::string_view text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input as words: split on NUL and newline (an argv, or a variable's value).
inline std::vector<std::string> words(const uint8_t* data, size_t size) {
  std::vector<std::string> out(1);
  for (size_t i = 0; i < size; ++i) {
    char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// The readers under test take a path (they open it O_NOFOLLOW, so no /proc/self/fd link):
// the input is written to one temporary file per process, rewritten for each input.
inline std::string as_file(const uint8_t* data, size_t size) {
  static std::string path;
  if (path.empty()) {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/vx-fuzz-XXXXXX";
    int fd = mkstemp(tmpl.data());
    if (fd < 0) abort();
    close(fd);
    path = tmpl;
    atexit([] { unlink(path.c_str()); });
  }
  int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0) abort();
  for (size_t done = 0; done < size;) {
    ssize_t n = write(fd, data + done, size - done);
    if (n <= 0) abort();
    done += static_cast<size_t>(n);
  }
  close(fd);
  return path;
}

}  // namespace vx::fuzz
