// Local Python packages and wheels for tests that pip-install: built on the host by Debian's pip
// and python3-wheel, offline (no network, no PyPI).
#pragma once

#include <string>
#include <vector>

#include "support.h"

namespace vx::test {

// A setuptools project in `dir` (created): package `name` at `version`, whose __init__.py is
// `init_py`, with the console scripts `scripts` (each "NAME=module:func").
void write_package(const std::string& dir, const std::string& name, const std::string& version,
                   const std::string& init_py, const std::vector<std::string>& scripts = {});

// `pip wheel` of the project `src` into `out_dir`, run in `cwd`.
RunResult build_wheel_into(const TempProject& p, const std::string& src,
                           const std::string& out_dir, const std::string& cwd);

}  // namespace vx::test
