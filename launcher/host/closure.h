// The shared-library closure of ELF files, resolved as ld.so does (man ld.so, "Dynamic library
// search"): DT_RPATH (without DT_RUNPATH), DT_RUNPATH, /etc/ld.so.cache, the default
// directories; $ORIGIN/$LIB/$PLATFORM expanded; LD_LIBRARY_PATH ignored (the sandbox clears
// it). [o] outside, at install and plan refresh only.
#pragma once

#include <string>
#include <vector>

#include "base/error.h"
#include "host/ld_cache.h"

namespace vx {

struct Closure {
  std::vector<std::string> files;       // as the loader names them (interpreters, libraries)
  std::vector<std::string> real_files;  // the same with symlinks resolved
  std::vector<std::string> missing;     // "libx.so.1 (needed by /a/b.so)": a warning
};

// Roots that are not ELF (scripts) are skipped; a corrupt ELF root is an error naming it.
Expected<Closure> library_closure(const std::vector<std::string>& roots, const LdCache& cache);

}  // namespace vx
