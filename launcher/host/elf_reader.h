// (Named elf_reader, not elf: the system <elf.h> must stay reachable.)
// An ELF reader of our own for the shared-library closure (never ldd, which can execute what it
// inspects). [o] outside, at install and plan refresh only. Reads headers through a read-only
// mapping; every offset is checked against the file size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/error.h"

namespace vx {

struct ElfInfo {
  bool is_elf = false;               // false for scripts and other files: not an error
  int elf_class = 0;                 // ELFCLASS32 or ELFCLASS64
  uint16_t machine = 0;              // EM_X86_64, EM_AARCH64, ...
  std::string interp;                // PT_INTERP, for executables
  std::vector<std::string> needed;   // DT_NEEDED
  std::vector<std::string> rpath;    // DT_RPATH, split on ':'
  std::vector<std::string> runpath;  // DT_RUNPATH, split on ':'
};

// A corrupt ELF file is an error naming the file and what is wrong; a non-ELF file is not.
Expected<ElfInfo> read_elf(const std::string& path);

}  // namespace vx
