#include "host/ld_cache.h"

#include <elf.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace vx {

namespace {

constexpr char kMagic[] = "glibc-ld.so.cache1.1";

struct Header {  // glibc's cache_file_new
  char magic[20];
  uint32_t nlibs;
  uint32_t len_strings;
  uint8_t flags;
  uint8_t pad[3];
  uint32_t extension_offset;
  uint32_t unused[3];
};

struct Entry {  // glibc's file_entry_new
  int32_t flags;
  uint32_t key, value;
  uint32_t osversion;
  uint64_t hwcap;
};

}  // namespace

int32_t ld_cache_flags(int elf_class, uint16_t machine) {
  constexpr int32_t kLibc6 = 0x0003;
  if (elf_class == ELFCLASS64 && machine == EM_X86_64) return kLibc6 | 0x0300;
  if (elf_class == ELFCLASS64 && machine == EM_AARCH64) return kLibc6 | 0x0a00;
  if (elf_class == ELFCLASS32 && machine == EM_386) return kLibc6;
  return -1;
}

Expected<LdCache> read_ld_cache(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return fail(Error::from_errno("read " + path));
  std::stringstream s;
  s << f.rdbuf();
  std::string data = s.str();
  // The new format may follow an old-format ("ld.so-1.7.0") section: find its magic.
  size_t base = data.find(std::string(kMagic, sizeof kMagic - 1));
  auto bad = [&](const std::string& why) { return fail(Error::make("read " + path, why)); };
  if (base == std::string::npos) return bad("not a glibc-ld.so.cache1.1 file");
  if (data.size() - base < sizeof(Header)) return bad("truncated header");
  Header h;
  std::memcpy(&h, data.data() + base, sizeof h);
  uint64_t table = base + sizeof(Header);
  if (table + static_cast<uint64_t>(h.nlibs) * sizeof(Entry) > data.size())
    return bad("truncated entries");
  LdCache cache;
  for (uint32_t i = 0; i < h.nlibs; ++i) {
    Entry e;
    std::memcpy(&e, data.data() + table + i * sizeof(Entry), sizeof e);
    // Offsets count from the start of the new-format header.
    uint64_t k = base + e.key, v = base + e.value;
    if (k >= data.size() || v >= data.size()) return bad("string offset outside the file");
    std::string key(data.c_str() + k, strnlen(data.c_str() + k, data.size() - k));
    std::string value(data.c_str() + v, strnlen(data.c_str() + v, data.size() - v));
    cache.entries.emplace(std::make_pair(key, e.flags), value);
  }
  return cache;
}

}  // namespace vx
