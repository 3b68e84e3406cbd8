// /etc/ld.so.cache, glibc's "glibc-ld.so.cache1.1" format. [o] outside, at install and plan
// refresh only.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "base/error.h"

namespace vx {

struct LdCache {
  // (soname, arch flags) -> path, first entry wins as in glibc's lookup.
  std::map<std::pair<std::string, int32_t>, std::string> entries;
};

Expected<LdCache> read_ld_cache(const std::string& path);

// The cache's arch flags for objects of this class and machine (FLAG_ELF_LIBC6 plus the
// architecture bits), or -1 when the cache does not tag that architecture.
int32_t ld_cache_flags(int elf_class, uint16_t machine);

}  // namespace vx
