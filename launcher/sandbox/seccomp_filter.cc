#include "sandbox/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <string>

#include "bpf_eval.h"
#include "embedded_filters.h"
#include "filter_build.h"

namespace vx {

namespace {

#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
constexpr unsigned kSeccompFilterFlagWaitKillableRecv = SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
#else
constexpr unsigned kSeccompFilterFlagWaitKillableRecv = 1u << 5;  // linux/seccomp.h, 5.19
#endif

// Landlock-only mode's extra layer: socket(AF_UNIX) answers EAFNOSUPPORT (socketpair(2) still
// works). Other architectures fall through to the main filter, which kills them.
constexpr sock_filter kNoUnixSocket[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 4),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 2),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),  // low 32 bits
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
};

Expected<BpfProgram> main_program_filter(const SeccompPlan& plan) {
  BpfProgram p;
  switch (plan.mode) {
    case SeccompPlan::Mode::kOff:
      return p;
    case SeccompPlan::Mode::kEmbedded:
      p.layers = {embedded_program_filter()};
      return p;
    case SeccompPlan::Mode::kCustom:
      break;
  }
  std::string list;
  for (const auto& name : plan.allow) list += name + "\n";
  TRY_ASSIGN(allow, parse_policy(list, "SANDBOX_SECCOMP_ALLOW", true));
  TRY_ASSIGN(deny, parse_policy(embedded_deny_policy(), "always.deny", false));
  TRY_ASSIGN(bpf, build_allow_filter(allow, deny));
  std::vector<sock_filter> deny_bpf(embedded_deny_filter().begin(), embedded_deny_filter().end());
  TRY_ASSIGN(chained, chain_filters(deny_bpf, bpf));
  p.owned.push_back(std::move(chained));
  p.layers = {p.owned.back()};
  return p;
}

}  // namespace

Expected<BpfProgram> prepare_program_filter(const SeccompPlan& plan) {
  TRY_ASSIGN(p, main_program_filter(plan));
  // First: once the main filter is loaded, seccomp(2) itself is no longer allowed.
  if (plan.no_unix_sockets && !p.layers.empty()) p.layers.insert(p.layers.begin(), kNoUnixSocket);
  return p;
}

BpfProgram init_filter() {
  BpfProgram p;
  p.layers = {embedded_init_filter()};
  return p;
}

Expected<BpfProgram> explain_filter(const BpfProgram& normal, std::span<const int> notify) {
  BpfProgram p;
  if (normal.layers.empty()) return p;
  TRY_ASSIGN(variant, notify_variant(normal.layers.back(), notify));
  p.owned.push_back(std::move(variant));
  p.layers.assign(normal.layers.begin(), normal.layers.end() - 1);
  p.layers.push_back(p.owned.back());
  p.listener = true;
  return p;
}

Expected<Listener> load_filter_with_listener(const BpfProgram& program) {
  Listener listener;
  for (size_t i = 0; i < program.layers.size(); ++i) {
    const auto& layer = program.layers[i];
    bool last = i + 1 == program.layers.size();
    unsigned flags = last && program.listener ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
    struct sock_fprog prog = {static_cast<unsigned short>(layer.size()),
                              const_cast<sock_filter*>(layer.data())};
    // Without it the notified call waits interruptibly: a signal handler without SA_RESTART
    // would see EINTR from stat or open, which a normal run never gives. Older kernels refuse
    // the flag (EINVAL): load without it, and the report says so.
    long rc = flags ? syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                              flags | kSeccompFilterFlagWaitKillableRecv, &prog)
                    : -1;
    listener.killable = rc >= 0;
    if (rc < 0) rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
    if (rc < 0 && flags && errno == EINVAL)
      return fail(
          Error::from_errno("load explain's seccomp filter with a listener",
                            "explain needs seccomp user notification (Linux 5.5 or later)"));
    if (rc < 0)
      return fail(Error::from_errno("load the seccomp filter",
                                    "run 'venv-exec check' to see whether seccomp is available"));
    if (flags) listener.fd = static_cast<int>(rc);
  }
  return listener;
}

Expected<void> load_filter(const BpfProgram& program) {
  TRY(load_filter_with_listener(program));
  return {};
}

}  // namespace vx
