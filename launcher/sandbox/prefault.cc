#include "sandbox/prefault.h"

#include <link.h>
#include <sys/mman.h>
#include <unistd.h>

namespace vx {

namespace {

int add_object(struct dl_phdr_info* info, size_t, void* data) {
  auto* out = static_cast<CodeSegments*>(data);
  constexpr uintptr_t kPage = 4096;
  for (int i = 0; i < info->dlpi_phnum && out->count < CodeSegments::kMax; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X) || ph.p_memsz == 0) continue;
    uintptr_t start = (info->dlpi_addr + ph.p_vaddr) & ~(kPage - 1);
    uintptr_t end = (info->dlpi_addr + ph.p_vaddr + ph.p_memsz + kPage - 1) & ~(kPage - 1);
    out->start[out->count] = start;
    out->length[out->count] = end - start;
    ++out->count;
  }
  return 0;
}

}  // namespace

CodeSegments code_segments() {
  CodeSegments s;
  dl_iterate_phdr(add_object, &s);
  return s;
}

void prefault_code(const CodeSegments& segments) {
  for (size_t i = 0; i < segments.count; ++i)
    (void)madvise(reinterpret_cast<void*>(segments.start[i]), segments.length[i],
                  MADV_POPULATE_READ);
}

}  // namespace vx
