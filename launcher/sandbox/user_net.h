// [o] outside: --net internet. Start pasta on the sandbox's network namespace, wait until it has
// configured it, then let pid 1 start the program; stop pasta when the run ends. Impure.
#pragma once

#include <sys/types.h>

#include <utility>

#include "base/error.h"
#include "plan/sandbox_plan.h"
#include "sandbox/spawn.h"

namespace vx {

// pasta, the launcher's child. Killed and reaped by stop() or the destructor; killed by the
// kernel (PR_SET_PDEATHSIG) when the launcher dies first, even by SIGKILL.
class UserNet {
 public:
  explicit UserNet(pid_t pid = -1) : pid_(pid) {}
  UserNet(UserNet&& o) noexcept : pid_(std::exchange(o.pid_, -1)) {}
  UserNet& operator=(UserNet&&) = delete;
  ~UserNet() { stop(); }
  void stop();

 private:
  pid_t pid_ = -1;
};

// Nothing when plan.user_net_argv is empty. On failure pid 1 is killed: nothing runs with a
// network half made.
Expected<UserNet> start_user_net(const SandboxPlan& plan, const Spawned& sandbox);

}  // namespace vx
