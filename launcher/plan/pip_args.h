// The local paths a pip command line names (SPEC §7): `pip install ../lib`, `-r FILE`,
// `-c FILE`, `-e DIR`, `--find-links DIR`. Pure. The host side binds each read-only for that
// one run, so that what the user typed on the host works inside.
#pragma once

#include <string>
#include <vector>

namespace vx {

// `args`: pip's own arguments (after `pip`, or after `python -m pip`). The paths as written
// (relative ones stay relative); URLs, VCS references and requirement specifiers are left out,
// and so are paths pip writes to (--target, --prefix, --root, --src, --log): never bound.
std::vector<std::string> pip_local_paths(const std::vector<std::string>& args);

// pip's arguments in `argv` of a pip command: after argv[0] for pip, pip3, pip3.X; after
// `-m pip` for python. Empty when argv is not a pip command line.
std::vector<std::string> pip_arguments(const std::vector<std::string>& argv);

}  // namespace vx
