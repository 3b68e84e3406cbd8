// Publishing pip's staged bin/ (SPEC §7). [o] outside, after the sandbox has exited. Impure.
//
// A new or changed entry of the staging dir is moved into VENV/venv-exec/real and wrapped in
// bin/; one that pip removed loses its wrapper, then its real/ copy; interpreter links (and
// venv-exec's `shell`) are never adopted. Each step is one rename or unlink that keeps the
// invariant of wrap.h: bin/ only ever holds wrappers (and the trusted files), and a wrapper's
// real/ target is in place before the wrapper. A SIGKILL between two steps leaves bin/
// consistent; what was not published yet is lost with the staging dir (prepare_staging
// removes it and says so).
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "host/staging.h"

namespace vx {

struct PublishReport {
  std::vector<std::string> wrapped;   // new or changed entries, now in real/ and wrapped
  std::vector<std::string> removed;   // entries pip removed: wrapper and real/ copy gone
  std::vector<std::string> restored;  // interpreter links pip replaced or removed: kept as were
  std::vector<std::string> skipped;   // "NAME: why", not published (printable, escaped)
};

Expected<PublishReport> publish_staging(const Staging& staging, const std::string& self_exe);

}  // namespace vx
