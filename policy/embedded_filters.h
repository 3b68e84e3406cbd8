// The seccomp programs compiled at build time from policy/seccomp/ (see compile.cc).
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <span>
#include <string_view>

namespace vx {

std::span<const sock_filter> embedded_deny_filter();     // always.deny alone, to chain at run time
std::span<const sock_filter> embedded_program_filter();  // always.deny chained to default.allow
std::span<const sock_filter> embedded_init_filter();     // always.deny chained to init.allow
std::string_view embedded_deny_policy();                 // always.deny, for a run-time compile
std::string_view embedded_allow_names();                 // default.allow's calls, space-separated
size_t embedded_allow_count();                           // calls in default.allow

}  // namespace vx
