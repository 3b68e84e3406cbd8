// [o] host side: finding pasta (Debian's passt), the user-mode network stack of --net internet.
// Impure (stat), run only for a launch that uses it.
#pragma once

#include <string>
#include <vector>

namespace vx {

inline constexpr const char* kDebianPasta = "/usr/bin/pasta";

// The first executable `pasta` in PATH's absolute entries outside the directories the sandbox
// can write (`untrusted`: the project, the venv), else Debian's path; empty when there is none.
// pasta runs unsandboxed: a `pasta` planted in VENV/bin, often first on PATH, must not be it.
std::string find_pasta(const std::string& path_variable, const std::vector<std::string>& untrusted);

}  // namespace vx
