// [o] host side: whether a host path lies in a directory the sandbox can write (the project,
// the venv). Used before the launcher runs a host tool unsandboxed (pasta, the link openers).
// Impure (resolves the path).
#pragma once

#include <string>
#include <vector>

namespace vx {

// Compared as given and by real path: a PATH entry or a tool may reach the project through a
// link.
bool writable_by_sandbox(const std::string& path, const std::vector<std::string>& untrusted);

}  // namespace vx
