#include "base/prefault.h"

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

}  // namespace vx
