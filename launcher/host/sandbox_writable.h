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

// The first symbolic link met on the way to `path` (absolute, as the caller wrote it) that lies
// in a directory of one of the `untrusted` trees, as "LINK -> TARGET"; empty when there is
// none. A sandbox can make such a link as easily as the caller, so where it leads was not
// chosen by the caller: a path that leaves the trees through it is not shown automatically
// (SPEC §3a.1, §3a.3). `..` is not a link: ../sibling from the project is the caller's own.
std::string link_planted_on_way(const std::string& path, const std::vector<std::string>& untrusted);

}  // namespace vx
