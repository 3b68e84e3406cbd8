#include "host/notif_target.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "base/fd.h"
#include "base/path.h"
#include "host/file_read.h"

namespace vx {

// Page by page (a string may end just before an
// unmapped page); stops at the first NUL when `string`.
std::optional<std::string> read_target(pid_t pid, uint64_t addr, size_t max, bool string) {
  std::string out;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  while (out.size() < max) {
    size_t chunk = std::min<uint64_t>(max - out.size(), page - (addr + out.size()) % page);
    std::string buf(chunk, '\0');
    struct iovec local = {buf.data(), chunk};
    struct iovec remote = {reinterpret_cast<void*>(addr + out.size()), chunk};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) return std::nullopt;
    buf.resize(static_cast<size_t>(n));
    if (string) {
      if (auto nul = buf.find('\0'); nul != std::string::npos) return out + buf.substr(0, nul);
    }
    out += buf;
    if (!string && out.size() == max) return out;
  }
  return string ? std::nullopt : std::optional<std::string>(out);
}

// "/a/./b/../c" -> "/a/c", lexically: for the report and the host stat only (the look-up
// inside resolves the raw path with RESOLVE_IN_ROOT).
std::string normalize(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& p : split(path, '/')) {
    if (p.empty() || p == ".") continue;
    if (p == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(p);
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

bool plain_text(const std::string& s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

std::string command_of(pid_t pid) {
  auto raw = read_kernel_file("/proc/" + std::to_string(pid) + "/cmdline", 512);
  if (!raw) return "?";
  std::string s = *raw;
  while (!s.empty() && s.back() == '\0') s.pop_back();
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

// Whether `path` resolves inside the target's root. O_PATH opens nothing (no FIFO or device
// is opened); RESOLVE_IN_ROOT keeps every "..", absolute symlink and magic link inside.
bool resolves_inside(int root, const std::string& path) {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(syscall(SYS_openat2, root, path.c_str(), &how, sizeof how)));
  return static_cast<bool>(fd) || errno != ENOENT;
}

// A path absent inside may be a dangling symlink there (/usr/lib/python3.11/sitecustomize.py ->
// /etc/python3.11/…, hidden): what is missing is its target, which is what a bind must show
// (a bind onto the link itself is refused). Follows at most 8 links, inside the root only.
std::string missing_target(int root, std::string path) {
  for (int hop = 0; hop < 8; ++hop) {
    struct open_how how = {};
    how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    UniqueFd link(static_cast<int>(syscall(SYS_openat2, root, path.c_str(), &how, sizeof how)));
    struct stat st;
    if (!link || fstat(link.get(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
    char target[PATH_MAX];
    ssize_t n = readlinkat(link.get(), "", target, sizeof target - 1);
    if (n <= 0) return path;
    std::string t(target, static_cast<size_t>(n));
    path = normalize(t.starts_with('/') ? t : parent_dir(path) + "/" + t);
  }
  return path;
}

std::set<uint16_t> host_tcp_listeners() {
  std::set<uint16_t> ports;
  for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
    auto text = read_kernel_file(table);
    if (!text) continue;
    for (const auto& line : split(*text, '\n')) {
      auto words = split(std::string(trim_blanks(line)), ' ');
      words.erase(std::remove(words.begin(), words.end(), ""), words.end());
      auto colon = words.size() > 3 ? words[1].rfind(':') : std::string::npos;
      if (colon == std::string::npos || words[3] != "0A") continue;
      ports.insert(static_cast<uint16_t>(std::strtoul(words[1].c_str() + colon + 1, nullptr, 16)));
    }
  }
  return ports;
}

// O_PATH opens nothing (a FIFO does not block); RESOLVE_NO_MAGICLINKS keeps /proc/PID/root and
// the like out; fstatfs catches an ordinary symlink (/proc/self, or one the sandbox wrote into
// VENV/home) that still lands on procfs or sysfs.
std::optional<struct stat> host_stat(const std::string& path) {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
  struct statfs fs;
  struct stat st;
  if (!fd || fstatfs(fd.get(), &fs) != 0 || fstat(fd.get(), &st) != 0) return std::nullopt;
  if (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC) return std::nullopt;
  return st;
}

// "127.0.0.1:8080" for a loopback address, else "".
std::string loopback_address(const std::string& raw) {
  char text[INET6_ADDRSTRLEN] = {};
  sa_family_t family;
  if (raw.size() < sizeof family) return "";
  std::memcpy(&family, raw.data(), sizeof family);
  if (family == AF_INET && raw.size() >= sizeof(sockaddr_in)) {
    sockaddr_in a;
    std::memcpy(&a, raw.data(), sizeof a);
    if ((ntohl(a.sin_addr.s_addr) >> 24) != 127) return "";
    inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(a.sin_port));
  }
  if (family == AF_INET6 && raw.size() >= sizeof(sockaddr_in6)) {
    sockaddr_in6 a;
    std::memcpy(&a, raw.data(), sizeof a);
    bool v4_loop = IN6_IS_ADDR_V4MAPPED(&a.sin6_addr) && a.sin6_addr.s6_addr[12] == 127;
    if (!IN6_IS_ADDR_LOOPBACK(&a.sin6_addr) && !v4_loop) return "";
    inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    return "[" + std::string(text) + "]:" + std::to_string(ntohs(a.sin6_port));
  }
  return "";
}

}  // namespace vx
