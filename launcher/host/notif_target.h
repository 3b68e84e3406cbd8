// [o] What explain reads of a process that waits in a seccomp notification, and how it looks
// a path up in that process's root and on the host. Impure. All of it is sandbox-controlled:
// bounded, and never opened on the host (O_PATH only); callers re-check the notification id.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

namespace vx {

// At most `max` bytes of the target's memory at `addr` (process_vm_readv); with `string`, up to
// the first NUL (nullopt when there is none within `max`).
std::optional<std::string> read_target(pid_t pid, uint64_t addr, size_t max, bool string);

// "/a/./b/../c" -> "/a/c", lexically.
std::string normalize(const std::string& path);

// No control characters (such a path is skipped rather than reported).
bool plain_text(const std::string& s);

// The target's command line, NULs as spaces, at most 512 bytes.
std::string command_of(pid_t pid);

// Whether `path` resolves under `root` (a /proc/PID/root descriptor): not ENOENT.
bool resolves_inside(int root, const std::string& path);

// `path`, or the target of the dangling symbolic link(s) it is inside `root`.
std::string missing_target(int root, std::string path);

// "127.0.0.1:8080" / "[::1]:8080" for a loopback sockaddr in `raw`, else "".
std::string loopback_address(const std::string& raw);

// The TCP ports a socket of the host's network namespace listens on.
std::set<uint16_t> host_tcp_listeners();

// The host's stat of `path`, resolved as a bind would (ordinary symlinks followed) but with no
// magic link, and nullopt for anything on procfs or sysfs: the host's processes stay unnamed.
std::optional<struct stat> host_stat(const std::string& path);

}  // namespace vx
