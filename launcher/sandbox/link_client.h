// [p] inside the sandbox: the xdg-open shim (the venv-exec binary called as `xdg-open`, which
// is also BROWSER). It sends its one URL to the launcher over the link socket and exits with
// the launcher's verdict, in xdg-open(1)'s terms. Impure.
#pragma once

#include <string>
#include <vector>

namespace vx {

// `args`: the words after argv[0]. Returns the exit status.
int run_link_shim(const std::vector<std::string>& args);

}  // namespace vx
