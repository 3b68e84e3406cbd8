#include "host/status_output.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

namespace vx {

Expected<StatusOutput> open_status_output(const LimitOptions& limits) {
  StatusOutput out;
  if (const auto& path = limits.status_json) {
    std::string what = "open the status file " + *path;
    // The file is often in the project, which the sandbox can write: O_NOFOLLOW so a link it
    // planted there (status.json -> ~/.bashrc) is refused rather than followed, O_NONBLOCK so a
    // planted FIFO cannot stall the launcher, and a regular file required.
    out.file.reset(open(path->c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644));
    if (!out.file) {
      if (errno == ELOOP)
        return fail(Error::make(what, "it is a symbolic link, which venv-exec does not follow",
                                "remove the link, or name a file outside the project"));
      return fail(Error::from_errno(what));
    }
    struct stat st;
    if (fstat(out.file.get(), &st) != 0) return fail(Error::from_errno(what));
    if (!S_ISREG(st.st_mode))
      return fail(Error::make(what, "not a regular file", "use --status-fd N for a pipe"));
  }
  if (limits.status_fd) {
    int fd = *limits.status_fd;
    int flags = fcntl(fd, F_GETFD);
    if (flags < 0)
      return fail(Error::from_errno("use descriptor " + std::to_string(fd) + " for the status",
                                    "open it in the calling shell, e.g. 3>status.json"));
    // Not inherited by the program (SPEC §3a.5); 0, 1 and 2 are the program's own.
    if (fd > 2 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0)
      return fail(Error::from_errno("use descriptor " + std::to_string(fd) + " for the status"));
    out.fd = fd;
  }
  return out;
}

RunStatus collect_run_status(const RunOutcome& o, const LimitPlan& limits, const std::string& venv,
                             const std::vector<std::string>& argv) {
  RunStatus s;
  s.exit_code = o.exit_code;
  s.signal = o.signal;
  s.wall_seconds = o.wall_seconds;
  auto seconds = [](const struct timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  if (o.usage) {
    s.user_seconds = seconds(o.usage->ru_utime);
    s.system_seconds = seconds(o.usage->ru_stime);
    s.peak_memory = static_cast<uint64_t>(o.usage->ru_maxrss) * 1024;  // ru_maxrss is in KiB
  }
  if (o.cgroup.peak_memory) s.peak_memory = o.cgroup.peak_memory;
  if (o.timed_out) {
    s.limit = "timeout";
  } else if (o.cgroup.oom_killed) {
    s.limit = "memory";
  } else if (o.cgroup.pids_refused) {
    s.limit = "pids";
  }
  s.mechanism = mechanism_name(limits.mechanism);
  s.venv = venv;
  s.command = argv;
  return s;
}

void write_status(const StatusOutput& out, const std::string& text) {
  if (out.file && !write_all(out.file.get(), text))
    report(Error::from_errno("write the status file"));
  if (out.fd >= 0 && !write_all(out.fd, text))
    report(Error::from_errno("write the status to descriptor " + std::to_string(out.fd)));
}

}  // namespace vx
