// Wrapping VENV/bin entrypoints (SPEC §7): the primitives shared by `install`, `uninstall` and
// the re-wrap after pip. [o] outside. Impure; every step is crash-safe: at any instant each
// entrypoint is either the original or a wrapper whose real target exists, never missing.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"

namespace vx {

struct WrapReport {
  std::vector<std::string> wrapped;      // names newly wrapped (or re-wrapped after an upgrade)
  std::vector<std::string> restored;     // interpreter wrappers put back after tampering
  std::vector<std::string> quarantined;  // paths the impostors were moved to
};

// Interpreter entrypoints (python, python3, python3.X): pip never writes them, so a change
// made by a sandboxed run is refused rather than adopted.
bool is_interpreter_name(const std::string& name);

// Whether bin/NAME is our wrapper: a symlink whose text is exactly `self_exe`. A basename
// check would trust a link to a look-alike the sandbox wrote into the project.
bool is_wrapper(const std::string& path, const std::string& self_exe);

// Wraps every executable entry of VENV/bin that is not our wrapper: the original moves to
// VENV/venv-exec/real/NAME and bin/NAME becomes a symlink to `self_exe`. With `adopt_changes`
// (after pip), a wrapped name whose bin entry was replaced takes the new file as its real
// target, except interpreter names, whose impostor is quarantined and wrapper restored.
Expected<WrapReport> wrap_entrypoints(const std::string& venv, const std::string& self_exe);

// Puts every original back (byte for byte, link text included) and removes the wrappers.
Expected<std::vector<std::string>> unwrap_entrypoints(const std::string& venv,
                                                      const std::string& self_exe);

}  // namespace vx
