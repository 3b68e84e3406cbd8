// Profile `standard`'s /etc (SPEC §3), read from the host at each launch. [o] outside. Impure.
// /etc is trusted (SPEC §3a.1), so its links are followed here; the executor then gets content,
// a real directory or a link into /usr, never a link to follow itself.
#pragma once

#include <string>
#include <vector>

#include "plan/view.h"

namespace vx {

// A file above this is left out with a warning (the largest, ld.so.cache, is ~50 KiB).
inline constexpr size_t kEtcFileCap = 4 << 20;

// A file above this (ld.so.cache) is not read here but copied by pid 1 from the host into the
// root tmpfs (sendfile): cheaper than a bind (~40 µs with its teardown) and than carrying it
// through the launcher's heap and the plan (~20 page faults, 80 KiB of its RSS).
inline constexpr size_t kEtcCopyMax = 16 << 10;

// The entries of standard_etc_names() that exist under ROOT/etc (ROOT empty: the host's).
std::vector<EtcEntry> read_standard_etc(const std::string& root = "");

}  // namespace vx
