// Classic BPF for seccomp, run in user space, and explain mode's variant of a filter. Pure.
// `venv-exec explain` loads a variant that hands calls to the launcher (SECCOMP_RET_USER_NOTIF);
// the launcher runs the ORIGINAL program on the same seccomp_data to answer exactly as normal
// mode would: the variant may never allow what the original refuses.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/error.h"

namespace vx {

// The program's return value for `data` (SECCOMP_RET_* | data), or nullopt for an instruction
// outside what seccomp accepts or a jump out of the program (the caller then refuses the call).
std::optional<uint32_t> run_seccomp_bpf(std::span<const sock_filter> prog,
                                        const seccomp_data& data);

// The action of several filters loaded together: the most restrictive one wins, as in the
// kernel's seccomp_run_filters() (lower SECCOMP_RET_ACTION_FULL value = higher precedence).
std::optional<uint32_t> run_seccomp_layers(std::span<const std::span<const sock_filter>> layers,
                                           const seccomp_data& data);

// `prog` with every SECCOMP_RET_ERRNO turned into SECCOMP_RET_USER_NOTIF, preceded by a test
// that sends the native calls `notify` (the lookups explain probes) to the listener too. Kill
// actions stay as they are. Fails when the result exceeds BPF_MAXINSNS.
Expected<std::vector<sock_filter>> notify_variant(std::span<const sock_filter> prog,
                                                  std::span<const int> notify);

}  // namespace vx
