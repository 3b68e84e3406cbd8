#include "host/elf_reader.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "base/fd.h"

namespace vx {

namespace {

struct Mapping {
  const unsigned char* data = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (data != nullptr) munmap(const_cast<unsigned char*>(data), size);
  }
  bool has(uint64_t off, uint64_t len) const { return off <= size && len <= size - off; }
};

std::vector<std::string> split_colon(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(':', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

template <class Ehdr, class Phdr, class Dyn>
Expected<void> parse(const Mapping& m, const std::string& path, ElfInfo& info) {
  auto bad = [&](const std::string& why) {
    return fail(Error::make("read ELF file " + path, why));
  };
  if (!m.has(0, sizeof(Ehdr))) return bad("truncated ELF header");
  Ehdr eh;
  std::memcpy(&eh, m.data, sizeof eh);
  info.machine = eh.e_machine;
  if (eh.e_phentsize != sizeof(Phdr)) return bad("unexpected program header size");
  if (!m.has(eh.e_phoff, static_cast<uint64_t>(eh.e_phnum) * sizeof(Phdr)))
    return bad("truncated program header table");
  // An empty table or section would hand memcpy a null pointer (undefined even for 0 bytes;
  // found by tests/fuzz/elf_fuzz).
  if (eh.e_phnum == 0) return {};  // no program headers: nothing to load, nothing needed
  std::vector<Phdr> ph(eh.e_phnum);
  std::memcpy(ph.data(), m.data + eh.e_phoff, ph.size() * sizeof(Phdr));
  const Phdr* dyn = nullptr;
  for (const auto& p : ph) {
    if (p.p_type == PT_INTERP) {
      if (!m.has(p.p_offset, p.p_filesz) || p.p_filesz == 0) return bad("truncated PT_INTERP");
      const char* s = reinterpret_cast<const char*>(m.data + p.p_offset);
      info.interp.assign(s, strnlen(s, p.p_filesz));
    }
    if (p.p_type == PT_DYNAMIC) dyn = &p;
  }
  if (dyn == nullptr) return {};  // static executable
  if (!m.has(dyn->p_offset, dyn->p_filesz)) return bad("truncated dynamic section");
  size_t count = dyn->p_filesz / sizeof(Dyn);
  if (count == 0) return bad("empty dynamic section");
  std::vector<Dyn> d(count);
  std::memcpy(d.data(), m.data + dyn->p_offset, count * sizeof(Dyn));
  uint64_t strtab = 0, strsz = 0;
  for (const auto& e : d) {
    if (e.d_tag == DT_STRTAB) strtab = e.d_un.d_ptr;
    if (e.d_tag == DT_STRSZ) strsz = e.d_un.d_val;
  }
  // DT_STRTAB is a virtual address: find the PT_LOAD segment that holds it.
  uint64_t str_off = 0;
  bool found = false;
  for (const auto& p : ph) {
    if (p.p_type == PT_LOAD && strtab >= p.p_vaddr && strtab - p.p_vaddr < p.p_filesz) {
      str_off = strtab - p.p_vaddr + p.p_offset;
      found = true;
    }
  }
  if (!found || !m.has(str_off, strsz)) return bad("string table outside the file");
  auto str = [&](uint64_t off) -> Expected<std::string> {
    if (off >= strsz) return bad("string offset outside the string table");
    const char* s = reinterpret_cast<const char*>(m.data + str_off + off);
    return std::string(s, strnlen(s, strsz - off));
  };
  for (const auto& e : d) {
    if (e.d_tag == DT_NULL) break;
    if (e.d_tag != DT_NEEDED && e.d_tag != DT_RPATH && e.d_tag != DT_RUNPATH) continue;
    TRY_ASSIGN(s, str(e.d_un.d_val));
    if (e.d_tag == DT_NEEDED) info.needed.push_back(s);
    if (e.d_tag == DT_RPATH) info.rpath = split_colon(s);
    if (e.d_tag == DT_RUNPATH) info.runpath = split_colon(s);
  }
  return {};
}

}  // namespace

Expected<ElfInfo> read_elf(const std::string& path) {
  ElfInfo info;
  // O_NONBLOCK: a FIFO planted where a library is looked for must not stall the host
  // (SPEC §3a.4); it is then refused as not regular. Links are followed: the system's
  // libraries are reached through them, and what they reach is filtered by the view.
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  if (!fd) return fail(Error::from_errno("open " + path));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno("stat " + path));
  if (!S_ISREG(st.st_mode) || st.st_size < static_cast<off_t>(EI_NIDENT)) return info;
  if (st.st_size > (off_t{1} << 31))
    return fail(Error::make("read ELF file " + path, "larger than 2 GiB"));
  Mapping m;
  m.size = static_cast<size_t>(st.st_size);
  void* p = mmap(nullptr, m.size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (p == MAP_FAILED) return fail(Error::from_errno("map " + path));
  m.data = static_cast<const unsigned char*>(p);
  if (std::memcmp(m.data, ELFMAG, SELFMAG) != 0) return info;
  info.is_elf = true;
  info.elf_class = m.data[EI_CLASS];
  if (m.data[EI_DATA] != ELFDATA2LSB)
    return fail(Error::make("read ELF file " + path, "big-endian files are not supported"));
  if (info.elf_class == ELFCLASS64)
    TRY((parse<Elf64_Ehdr, Elf64_Phdr, Elf64_Dyn>(m, path, info)));
  else if (info.elf_class == ELFCLASS32)
    TRY((parse<Elf32_Ehdr, Elf32_Phdr, Elf32_Dyn>(m, path, info)));
  else
    return fail(Error::make("read ELF file " + path, "unknown ELF class"));
  return info;
}

}  // namespace vx
