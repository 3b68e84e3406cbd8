// The seccomp programs compiled at build time from policy/seccomp/ (see compile.cc).
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <span>
#include <string_view>

namespace vx {

std::span<const sock_filter> embedded_deny_filter();     // loaded first, by pid 1 and program
std::span<const sock_filter> embedded_program_filter();  // default.allow, loaded last
std::span<const sock_filter> embedded_init_filter();     // init.allow, pid 1's own
std::string_view embedded_deny_policy();                 // always.deny, for a run-time compile
size_t embedded_allow_count();                           // calls in default.allow

}  // namespace vx
