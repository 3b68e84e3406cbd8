// `venv-exec check`: can sandboxes work on this kernel and distribution, and what fixes what
// is missing. [o] outside. gather_check_facts reads /proc and /sys (a root given for tests) and
// probes a user namespace; evaluate_checks and format_check_report are pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/limits.h"

namespace vx {

struct CheckFacts {
  std::string kernel_release;                     // "6.1.0-18-amd64"
  std::optional<long> max_user_namespaces;        // user.max_user_namespaces
  std::optional<long> unprivileged_userns_clone;  // Debian's kernel.unprivileged_userns_clone
  std::optional<long> apparmor_restrict_userns;   // Ubuntu 24.04's AppArmor restriction
  bool apparmor_profile_installed = false;        // /etc/apparmor.d/venv-exec
  bool userns_probe_ok = false;                   // a user+mount+pid namespace was created
  std::string userns_probe_error;
  bool seccomp_filter = false;         // "errno" in seccomp/actions_avail
  int landlock_abi = -1;               // -1: not available
  std::optional<long> legacy_tiocsti;  // dev.tty.legacy_tiocsti
  bool cgroup2_unified = false;        // /sys/fs/cgroup is cgroup2
  bool cgroup2_mounted = false;        // a cgroup2 mount somewhere (hybrid)
  LimitFacts limits;                   // what enforces --memory, --pids, --cpus for this user
  // --net internet: pasta's path ("" when absent) and open("/dev/net/tun")'s errno (0: usable);
  // unset when not probed (a --proc-root given).
  std::optional<std::string> pasta;
  std::optional<int> tun_errno;
};

struct CheckLine {
  enum class Level { kOk, kWarn, kFail };
  Level level = Level::kOk;
  std::string item;
  std::string detail;
  std::string fix;  // exact command or step; empty when nothing is to be done
};

CheckFacts gather_check_facts(const std::string& proc_root, const std::string& sys_root,
                              bool probe);
std::vector<CheckLine> evaluate_checks(const CheckFacts& facts);
std::string format_check_report(const std::vector<CheckLine>& lines);
// 0 when sandboxes can work (no FAIL), 1 otherwise.
int check_exit_code(const std::vector<CheckLine>& lines);

// The subcommand. `--proc-root DIR` and `--sys-root DIR` point it at a copy of /proc/sys and
// /sys for tests (they only change what is reported, never a sandbox); with them the live
// namespace probe is skipped and read from DIR/venv-exec-probe instead.
int run_check(const std::vector<std::string>& args);

}  // namespace vx
