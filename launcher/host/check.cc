#include "host/check.h"

#include <sched.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "host/cgroup.h"
#include "host/file_read.h"
#include "host/pasta.h"
#include "plan/cli.h"
#include "plan/landlock_only.h"
#include "plan/landlock_plan.h"
#include "sandbox/landlock.h"

namespace vx {

namespace {

constexpr long kCgroup2Magic = 0x63677270;

std::optional<long> read_long(const std::string& path) {
  auto text = read_kernel_file(path);
  if (!text) return std::nullopt;
  try {
    return std::stol(*text);
  } catch (...) {
    return std::nullopt;
  }
}

// The operation venv-exec needs: a user namespace with mount and pid namespaces, as the
// caller, from a child so that this process stays as it is.
void probe_userns(CheckFacts& f) {
  int fds[2];
  if (pipe(fds) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    int rc = unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID);
    int err = rc == 0 ? 0 : errno;
    (void)!write(fds[1], &err, sizeof err);
    _exit(0);
  }
  close(fds[1]);
  int err = -1;
  if (pid > 0) {
    (void)!read(fds[0], &err, sizeof err);
    waitpid(pid, nullptr, 0);
  }
  close(fds[0]);
  f.userns_probe_ok = err == 0;
  if (err > 0) f.userns_probe_error = strerror(err);
}

bool kernel_at_least(const std::string& release, int major, int minor) {
  int a = 0, b = 0;
  if (std::sscanf(release.c_str(), "%d.%d", &a, &b) != 2) return false;
  return a > major || (a == major && b >= minor);
}

CheckLine line(CheckLine::Level level, std::string item, std::string detail, std::string fix = {}) {
  return {level, std::move(item), std::move(detail), std::move(fix)};
}

// Landlock is a second wall under the namespaces: what the kernel's ABI lacks is a warning,
// never a failure.
CheckLine landlock_line(int abi) {
  using L = CheckLine::Level;
  std::vector<std::string> missing = landlock_missing(abi);
  if (abi < 1)
    return line(L::kWarn, "Landlock", "not available: no second wall under the namespaces",
                "boot with lsm=...,landlock (CONFIG_SECURITY_LANDLOCK=y)");
  std::string detail = "ABI " + std::to_string(abi);
  if (missing.empty()) return line(L::kOk, "Landlock", detail + ": ruleset and scopes applied");
  detail += "; missing:";
  for (size_t i = 0; i < missing.size(); ++i) detail += (i ? "; " : " ") + missing[i];
  return line(L::kWarn, "Landlock", detail, "a kernel of 6.12 or newer has Landlock ABI 6");
}

// Which sandbox a launch will use (SPEC §10): namespaces; else Landlock alone; else none.
CheckLine isolation_line(const CheckFacts& f) {
  using L = CheckLine::Level;
  if (f.userns_probe_ok)
    return line(L::kOk, "isolation",
                f.landlock_abi >= kLandlockMinAbi
                    ? "namespaces, with Landlock ABI " + std::to_string(f.landlock_abi) +
                          " as a second wall"
                    : std::string("namespaces"));
  if (f.landlock_abi >= kLandlockOnlyMinAbi)
    return line(L::kWarn, "isolation",
                "Landlock only (user namespaces are blocked): host processes are visible, the "
                "host's paths, no private /tmp",
                "allow user namespaces (the lines above) for the full sandbox");
  return line(L::kFail, "isolation", "none: launches fail (no user namespaces, no Landlock ABI 6)",
              "allow user namespaces (the lines above), or use a kernel of 6.12 or newer");
}

// --net internet needs pasta and a /dev/net/tun the caller can open: Debian's udev rule makes it
// 0666, some VMs and containers leave it 0600.
std::optional<CheckLine> user_net_line(const CheckFacts& f) {
  using L = CheckLine::Level;
  if (!f.pasta || !f.tun_errno) return std::nullopt;
  if (f.pasta->empty())
    return line(L::kWarn, "--net internet", "pasta is not installed", "sudo apt-get install passt");
  if (*f.tun_errno != 0)
    return line(L::kWarn, "--net internet",
                "cannot open /dev/net/tun: " + std::string(strerror(*f.tun_errno)),
                *f.tun_errno == ENOENT ? "sudo modprobe tun"
                                       : "sudo chmod 0666 /dev/net/tun (the mode Debian's udev "
                                         "rule gives it)");
  return line(L::kOk, "--net internet", "pasta at " + *f.pasta + ", /dev/net/tun usable");
}

}  // namespace

CheckFacts gather_check_facts(const std::string& proc_root, const std::string& sys_root,
                              bool probe) {
  CheckFacts f;
  struct utsname u;
  auto release = read_kernel_file(proc_root + "/sys/kernel/osrelease");
  f.kernel_release =
      release ? release->substr(0, release->find('\n')) : (uname(&u) == 0 ? u.release : "unknown");
  f.max_user_namespaces = read_long(proc_root + "/sys/user/max_user_namespaces");
  f.unprivileged_userns_clone = read_long(proc_root + "/sys/kernel/unprivileged_userns_clone");
  f.apparmor_restrict_userns =
      read_long(proc_root + "/sys/kernel/apparmor_restrict_unprivileged_userns");
  f.apparmor_profile_installed = read_kernel_file("/etc/apparmor.d/venv-exec").has_value();
  auto actions = read_kernel_file(proc_root + "/sys/kernel/seccomp/actions_avail");
  f.seccomp_filter = actions && actions->find("errno") != std::string::npos;
  f.legacy_tiocsti = read_long(proc_root + "/sys/dev/tty/legacy_tiocsti");
  struct statfs st;
  f.cgroup2_unified = statfs((sys_root + "/fs/cgroup").c_str(), &st) == 0 &&
                      static_cast<long>(st.f_type) == kCgroup2Magic;
  auto mounts = read_kernel_file(proc_root + "/self/mountinfo");
  f.cgroup2_mounted =
      f.cgroup2_unified || (mounts && mounts->find(" - cgroup2 ") != std::string::npos);
  f.limits =
      probe_limit_facts(read_kernel_file(proc_root + "/self/cgroup").value_or(""),
                        read_kernel_file(proc_root + "/self/mountinfo").value_or(""), getuid());
  if (probe) {
    probe_userns(f);
    f.landlock_abi = probe_landlock_abi();
    const char* path = getenv("PATH");
    f.pasta = find_pasta(path != nullptr ? path : "", {});
    int tun = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    f.tun_errno = tun >= 0 ? 0 : errno;
    if (tun >= 0) close(tun);
  } else {
    auto recorded = read_kernel_file(proc_root + "/venv-exec-probe");
    f.userns_probe_ok = recorded && recorded->starts_with("ok");
    if (!f.userns_probe_ok && recorded)
      f.userns_probe_error = recorded->substr(0, recorded->find('\n'));
    f.landlock_abi = static_cast<int>(read_long(proc_root + "/venv-exec-landlock").value_or(-1));
  }
  return f;
}

std::vector<CheckLine> evaluate_checks(const CheckFacts& f) {
  using L = CheckLine::Level;
  std::vector<CheckLine> out;
  if (kernel_at_least(f.kernel_release, 5, 12)) {
    out.push_back(line(L::kOk, "kernel", f.kernel_release));
  } else {
    out.push_back(line(L::kFail, "kernel", f.kernel_release + ": older than 5.12 (mount_setattr)",
                       "upgrade to a kernel of 5.12 or newer"));
  }
  if (f.max_user_namespaces && *f.max_user_namespaces > 0)
    out.push_back(line(L::kOk, "user namespaces",
                       "user.max_user_namespaces is " + std::to_string(*f.max_user_namespaces)));
  if (f.max_user_namespaces && *f.max_user_namespaces == 0)
    out.push_back(line(L::kFail, "user namespaces", "user.max_user_namespaces is 0",
                       "sudo sysctl -w user.max_user_namespaces=15000; to keep it: echo "
                       "user.max_user_namespaces=15000 | sudo tee /etc/sysctl.d/90-userns.conf"));
  if (f.unprivileged_userns_clone && *f.unprivileged_userns_clone == 0)
    out.push_back(
        line(L::kFail, "user namespaces", "kernel.unprivileged_userns_clone is 0",
             "sudo sysctl -w kernel.unprivileged_userns_clone=1; to keep it: echo "
             "kernel.unprivileged_userns_clone=1 | sudo tee /etc/sysctl.d/90-userns.conf"));
  if (f.apparmor_restrict_userns && *f.apparmor_restrict_userns == 1 &&
      !f.apparmor_profile_installed)
    out.push_back(line(L::kFail, "AppArmor", "kernel.apparmor_restrict_unprivileged_userns is 1",
                       "sudo install -m 644 policy/apparmor/venv-exec /etc/apparmor.d/venv-exec && "
                       "sudo apparmor_parser -r /etc/apparmor.d/venv-exec (or: sudo sysctl -w "
                       "kernel.apparmor_restrict_unprivileged_userns=0)"));
  if (f.userns_probe_ok) {
    out.push_back(line(L::kOk, "sandbox probe", "created user, mount and pid namespaces"));
  } else {
    out.push_back(line(L::kFail, "sandbox probe",
                       "cannot create a user namespace: " + f.userns_probe_error,
                       "see the lines above; in a container, allow unshare (e.g. docker "
                       "--security-opt seccomp=unconfined)"));
  }
  out.push_back(f.seccomp_filter ? line(L::kOk, "seccomp", "filter mode available")
                                 : line(L::kFail, "seccomp", "no seccomp filter mode",
                                        "use a kernel built with CONFIG_SECCOMP_FILTER=y"));
  out.push_back(landlock_line(f.landlock_abi));
  out.push_back(isolation_line(f));
  if (auto net = user_net_line(f)) out.push_back(*net);
  if (f.legacy_tiocsti && *f.legacy_tiocsti == 1) {
    out.push_back(line(L::kWarn, "TIOCSTI",
                       "dev.tty.legacy_tiocsti is 1; venv-exec blocks it with seccomp",
                       "sudo sysctl -w dev.tty.legacy_tiocsti=0 to close it for every program"));
  } else {
    out.push_back(line(L::kOk, "TIOCSTI", "legacy TIOCSTI is off or absent"));
  }
  if (f.cgroup2_unified) {
    out.push_back(line(L::kOk, "cgroup v2", "unified hierarchy at /sys/fs/cgroup"));
  } else {
    out.push_back(
        line(L::kWarn, "cgroup v2",
             f.cgroup2_mounted ? "hybrid: cgroup v1 with a cgroup2 mount beside it" : "not mounted",
             "boot with systemd.unified_cgroup_hierarchy=1 (resource limits through a "
             "delegated cgroup v2 subtree)"));
  }
  // The mechanism a launch with --memory/--pids/--cpus would use (plan_limits picks it).
  bool cgroup = !f.limits.cgroup2_parent.empty() || !f.limits.cgroup1_memory.empty() ||
                !f.limits.cgroup1_pids.empty();
  out.push_back(cgroup ? line(L::kOk, "resource limits", describe_limit_facts(f.limits))
                       : line(L::kWarn, "resource limits", describe_limit_facts(f.limits),
                              "--memory and --cpus are approximate without a cgroup: run in a "
                              "delegated cgroup v2 subtree (systemd-run --user --scope -p "
                              "Delegate=yes venv-exec ...)"));
  return out;
}

std::string format_check_report(const std::vector<CheckLine>& lines) {
  std::string out;
  for (const auto& l : lines) {
    const char* tag = l.level == CheckLine::Level::kOk     ? "OK  "
                      : l.level == CheckLine::Level::kWarn ? "WARN"
                                                           : "FAIL";
    out += std::string(tag) + "  " + l.item + ": " + l.detail + "\n";
    if (!l.fix.empty() && l.level != CheckLine::Level::kOk) out += "      fix: " + l.fix + "\n";
  }
  return out;
}

int check_exit_code(const std::vector<CheckLine>& lines) {
  for (const auto& l : lines)
    if (l.level == CheckLine::Level::kFail) return 1;
  return 0;
}

int run_check(const std::vector<std::string>& args) {
  auto parsed = parse_check_args(args);
  if (!parsed) return report(parsed.error()), parsed.error().exit_code;
  auto lines =
      evaluate_checks(gather_check_facts(parsed->proc_root, parsed->sys_root, parsed->probe));
  std::fputs(format_check_report(lines).c_str(), stdout);
  return check_exit_code(lines);
}

}  // namespace vx
