#include "host/explain_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>

#include "base/fd.h"
#include "base/path.h"
#include "bpf_eval.h"
#include "embedded_filters.h"
#include "host/file_read.h"
#include "host/notif_target.h"

namespace vx {

namespace {

// The lookup calls: where their path (and directory descriptor, and open flags) are.
struct Watched {
  int nr;
  const char* name;
  int dirfd_arg;  // -1: relative to the cwd
  int path_arg;   // -1: connect (a socket address, not a path)
  int flags_arg;  // open flags (O_CREAT: a file being made, not looked up); -1: none
  bool exec;
};

constexpr std::array<Watched, 16> kWatched = {{
    {__NR_open, "open", -1, 0, 1, false},
    {__NR_openat, "openat", 0, 1, 2, false},
    {__NR_openat2, "openat2", 0, 1, -1, false},
    {__NR_stat, "stat", -1, 0, -1, false},
    {__NR_lstat, "lstat", -1, 0, -1, false},
    {__NR_newfstatat, "newfstatat", 0, 1, -1, false},
    {__NR_statx, "statx", 0, 1, -1, false},
    {__NR_access, "access", -1, 0, -1, false},
    {__NR_faccessat, "faccessat", 0, 1, -1, false},
    {__NR_faccessat2, "faccessat2", 0, 1, -1, false},
    {__NR_readlink, "readlink", -1, 0, -1, false},
    {__NR_readlinkat, "readlinkat", 0, 1, -1, false},
    {__NR_execve, "execve", -1, 0, -1, true},
    {__NR_execveat, "execveat", 0, 1, -1, true},
    {__NR_chdir, "chdir", -1, 0, -1, false},
    {__NR_connect, "connect", -1, -1, -1, false},
}};

const int* watched_numbers() {
  static const auto numbers = [] {
    std::array<int, kWatched.size()> n{};
    for (size_t i = 0; i < kWatched.size(); ++i) n[i] = kWatched[i].nr;
    return n;
  }();
  return numbers.data();
}

const Watched* find_watched(int nr) {
  for (const auto& w : kWatched)
    if (w.nr == nr) return &w;
  return nullptr;
}

// The id still names a live, waiting call: what was read from that pid was the target's.
bool id_valid(int listener, uint64_t id) {
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

}  // namespace

Expected<void> check_explainable(const SeccompPlan& plan) {
  if (plan.mode == SeccompPlan::Mode::kOff)
    warn("seccomp is off (SANDBOX_SECCOMP_ALLOW is empty): explain can report nothing");
  if (plan.mode != SeccompPlan::Mode::kCustom) return {};
  for (const char* needed : {"sendmsg", "close"})
    if (std::find(plan.allow.begin(), plan.allow.end(), needed) == plan.allow.end())
      return fail(Error::make("venv-exec explain",
                              std::string("SANDBOX_SECCOMP_ALLOW lacks ") + needed +
                                  ", which explain needs to hand its listener over",
                              std::string("add ") + needed + " to SANDBOX_SECCOMP_ALLOW"));
  return {};
}

std::vector<std::string> allow_list_in_force(const SeccompPlan& plan) {
  if (plan.mode == SeccompPlan::Mode::kCustom) return plan.allow;
  return split(embedded_allow_names(), ' ');
}

ExplainProbe::ExplainProbe(std::vector<std::span<const sock_filter>> normal, bool own_loopback)
    : normal_(std::move(normal)), own_loopback_(own_loopback) {}

std::span<const int> ExplainProbe::watched_calls() { return {watched_numbers(), kWatched.size()}; }

void ExplainProbe::serve(int listener) {
  struct seccomp_notif req = {};
  if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) return;  // the caller died
  struct seccomp_notif_resp resp = {};
  resp.id = req.id;
  // The answer is normal mode's, computed from normal mode's own program: a call it refuses
  // is refused with the same errno and never continued. A kill cannot arrive here (the variant
  // keeps the kill returns), and whatever the evaluator cannot run is refused too.
  auto action = run_seccomp_layers(normal_, req.data);
  uint32_t act = action ? (*action & SECCOMP_RET_ACTION_FULL) : SECCOMP_RET_KILL_PROCESS;
  if (act == SECCOMP_RET_ALLOW) {
    if (const Watched* w = find_watched(req.data.nr)) {
      if (w->path_arg < 0)
        probe_connect(listener, req);
      else
        probe_path(listener, req, w->name);
    }
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    int error = act == SECCOMP_RET_ERRNO ? static_cast<int>(*action & SECCOMP_RET_DATA) : EPERM;
    note_refused(listener, req, error);
    resp.error = -error;
  }
  ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);  // ENOENT: the caller died meanwhile
}

void ExplainProbe::note_refused(int listener, const struct seccomp_notif& req, int error) {
  int nr = req.data.nr;
  if (auto it = findings_.calls.find(nr); it != findings_.calls.end()) {
    ++it->second.count;
    return;
  }
  if (findings_.calls.size() >= kMaxFindings) return void(++findings_.dropped);
  RefusedCall c;
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
  c.name = name ? name : "syscall " + std::to_string(nr);
  std::free(name);
  c.error = error;
  auto deny = run_seccomp_bpf(embedded_deny_filter(), req.data);
  c.always_denied = !deny || (*deny & SECCOMP_RET_ACTION_FULL) != SECCOMP_RET_ALLOW;
  c.count = 1;
  c.first_command = command_of(static_cast<pid_t>(req.pid));
  if (!id_valid(listener, req.id)) c.first_command = "?";
  findings_.calls.emplace(nr, std::move(c));
}

namespace {

bool system_path(const std::string& path) {
  return is_within(path, "/proc") || is_within(path, "/sys") || is_within(path, "/dev");
}

}  // namespace

// Everything done here while the call waits is observable by the program (its timing, the
// pages of its own memory the command-line read touches): it depends only on what the
// program can see itself. Whether the path exists on the host is asked after the run.
void ExplainProbe::probe_path(int listener, const struct seccomp_notif& req, const char* call) {
  const Watched& w = *find_watched(req.data.nr);
  if (w.flags_arg >= 0 && (req.data.args[w.flags_arg] & O_CREAT)) return;
  pid_t pid = static_cast<pid_t>(req.pid);
  std::string proc = "/proc/" + std::to_string(pid);
  auto raw = read_target(pid, req.data.args[w.path_arg], PATH_MAX, true);
  if (!raw || raw->empty()) return;
  std::string path = *raw;
  if (path[0] != '/') {
    int dirfd = w.dirfd_arg >= 0 ? static_cast<int>(req.data.args[w.dirfd_arg]) : AT_FDCWD;
    auto base = read_link(proc + (dirfd == AT_FDCWD ? "/cwd" : "/fd/" + std::to_string(dirfd)));
    if (!base || !base->starts_with('/')) return;  // a socket, a pipe, or not resolvable
    path = *base + "/" + path;
  }
  auto seen_again = [&](const std::string& key) {
    auto it = candidates_.find(key);
    return it != candidates_.end() && ++it->second.found.count;
  };
  std::string clean = normalize(path);
  if (!plain_text(clean) || system_path(clean) || seen_again(clean)) return;
  UniqueFd root(open((proc + "/root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root || !id_valid(listener, req.id) || resolves_inside(root.get(), path)) return;
  // Again on the link's target: a dangling link inside may name /proc/<host pid>/….
  clean = missing_target(root.get(), clean);
  if (!plain_text(clean) || system_path(clean) || seen_again(clean)) return;
  if (candidates_.size() >= kMaxCandidates) return void(++findings_.dropped);
  PathCandidate c;
  c.exec = w.exec;
  c.found.call = call;
  c.found.parent_inside = resolves_inside(root.get(), parent_dir(clean));
  c.found.count = 1;
  c.found.first_command = command_of(pid);
  if (!id_valid(listener, req.id)) return;
  candidates_.emplace(clean, std::move(c));
}

// --net none and --net internet: the sandbox's loopback is its own, so a service the host runs
// on 127.0.0.1 is unreachable (for internet, by design: SPEC §10). The host's listeners are read
// after the run, as the paths are.
void ExplainProbe::probe_connect(int listener, const struct seccomp_notif& req) {
  if (!own_loopback_) return;
  size_t len = std::min<uint64_t>(req.data.args[2], sizeof(sockaddr_in6));
  auto raw = read_target(static_cast<pid_t>(req.pid), req.data.args[1], len, false);
  if (!raw) return;
  std::string address = loopback_address(*raw);
  if (address.empty()) return;
  if (auto it = connects_.find(address); it != connects_.end()) {
    ++it->second.count;
    return;
  }
  if (connects_.size() >= kMaxFindings) return void(++findings_.dropped);
  NetRefusal n{"connect",
               "the host listens on this port; with --net none or internet the sandbox's "
               "loopback is its own",
               {"--net", "host"},
               1,
               command_of(static_cast<pid_t>(req.pid))};
  if (!id_valid(listener, req.id)) return;
  connects_.emplace(address, std::move(n));
}

void ExplainProbe::check_host() {
  for (auto& [path, c] : candidates_) {
    auto st = host_stat(path);
    if (!st) continue;
    if (findings_.paths.size() >= kMaxFindings) {
      ++findings_.dropped;
      continue;
    }
    c.found.host_dir = S_ISDIR(st->st_mode);
    c.found.executed = c.exec && S_ISREG(st->st_mode) && (st->st_mode & 0111);
    findings_.paths.emplace(path, std::move(c.found));
  }
  candidates_.clear();
  if (connects_.empty()) return;
  std::set<uint16_t> listening = host_tcp_listeners();
  for (auto& [address, n] : connects_) {
    auto port = static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
    if (listening.contains(port)) findings_.network.emplace(address, std::move(n));
  }
  connects_.clear();
}

}  // namespace vx
