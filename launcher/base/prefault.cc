#include "base/prefault.h"

#include <link.h>
#include <malloc.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>

namespace vx {

namespace {

constexpr uintptr_t kPage = 4096;

void populate(uintptr_t begin, uintptr_t end) {
  begin &= ~(kPage - 1);
  if (end > begin) (void)madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE);
}

int add_object(struct dl_phdr_info* info, size_t, void* data) {
  auto* out = static_cast<CodeSegments*>(data);
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

void prefault_launch_memory() {
  // Below this frame: where the launch's frames will be (within the stack's mapping, which
  // the kernel makes at least 128 KiB at execve; populate does not grow it).
  char here;
  auto sp = reinterpret_cast<uintptr_t>(&here);
  populate(sp - kLaunchStack, sp);
  // The block malloc carves now is the top of the heap, where the launch's allocations go
  // once it is freed. Without the threshold, that free would hand the block's pages straight
  // back to the kernel (the top exceeds the default 128 KiB trim threshold after the growth).
  mallopt(M_TRIM_THRESHOLD, 1 << 20);
  void* block = std::malloc(kLaunchHeap);
  if (block == nullptr) return;
  auto begin = reinterpret_cast<uintptr_t>(block);
  populate(begin, begin + kLaunchHeap);
  std::free(block);
}

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
