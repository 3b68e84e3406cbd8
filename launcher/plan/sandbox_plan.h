// SandboxPlan: everything a launch will do, decided before any process is created. Pure.
// The executor (spawn, idmap, mounts, pivot, init, caps, seccomp, exec) only carries it out.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "plan/limits.h"
#include "plan/landlock_plan.h"
#include "base/timing.h"
#include "plan/mount_plan.h"
#include "plan/options.h"

namespace vx {

struct IdMapping {
  uid_t inside_uid = 0;
  uid_t outside_uid = 0;
  gid_t inside_gid = 0;
  gid_t outside_gid = 0;
  bool operator==(const IdMapping&) const = default;
};

// Which seccomp program the program's process loads (SPEC §5).
struct SeccompPlan {
  enum class Mode {
    kEmbedded,  // the default policy, compiled at build time
    kCustom,    // SANDBOX_SECCOMP_ALLOW="...": compiled at launch, same always-denied rules
    kOff,       // SANDBOX_SECCOMP_ALLOW= (set, empty): no filter, program in a new session
  };
  Mode mode = Mode::kEmbedded;
  std::vector<std::string> allow;  // syscall names, for kCustom
  bool no_unix_sockets = false;    // socket(AF_UNIX) answers EAFNOSUPPORT (Landlock-only mode)
  bool operator==(const SeccompPlan&) const = default;
};

struct SandboxPlan {
  int clone_flags = 0;  // CLONE_NEW* flags for the sandbox's pid 1
  IdMapping ids;
  MountPlan mounts;
  std::string hostname;      // set in the new uts namespace when not empty
  bool loopback_up = false;  // a new network namespace: bring `lo` up
  NetMode net = NetMode::kHost;
  // --net internet: pasta's argv, to which the executor appends pid 1's PID; pid 1 starts the
  // program only once pasta has configured the namespace.
  std::vector<std::string> user_net_argv;
  std::string marker_path;   // file naming the sandbox's user namespace (nested-call detection)
  std::string marker_env;    // Landlock-only: variable naming the supervisor (nested calls)
  std::string cwd;           // working directory inside
  std::string links_socket;  // where pid 1 binds the launcher's link socket; "" with --no-open

  std::vector<std::string> env;   // the program's whole environment, KEY=VALUE
  std::vector<std::string> path;  // PATH entries searched when exec_file has no '/'
  std::string exec_file;          // what execve runs: a path, or a name searched in `path`
  std::vector<std::string> argv;  // argv[0] first

  std::vector<int> keep_caps;  // capability numbers the program keeps (ambient); usually empty
  std::vector<int> pass_fds;   // descriptors beyond 0-2 that reach the program (--pass-fd)
  SeccompPlan seccomp;
  LandlockPlan landlock;        // applied by the program's process before seccomp
  bool landlock_only = false;   // no namespaces: the host's paths, Landlock as the boundary
  bool new_session = false;     // setsid(): when seccomp is off, so TIOCSTI cannot reach the tty
  bool foreground_tty = false;  // stdin is a terminal: give the program its foreground group
  LimitPlan limits;             // --timeout, --memory, --pids, --cpus, --tmpfs-size, --nofile
  Timing timing;                // VENV_EXEC_TIMING: the executor marks its phases too

  bool operator==(const SandboxPlan&) const = default;
};

// Human-readable plan for --verbose: namespaces, ids, mounts, seccomp, env, argv.
std::string format_sandbox_plan(const SandboxPlan& plan);

}  // namespace vx
