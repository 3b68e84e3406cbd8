// [o] then [1]: the executable segments of the launcher and its libraries, found before the
// clone and mapped into pid 1's page tables in one madvise(2) each right after it. Impure.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vx {

// A fork copies no page-table entry of a file mapping that holds no private page (the code):
// pid 1 would take a page fault on each 64 KiB of code it runs for the first time, ~20 of them
// for the standard view at 12-18 µs each on a paravirtualised guest. MADV_POPULATE_READ
// (Linux 5.14) maps the pages the page cache already holds, in one call per segment.
struct CodeSegments {
  static constexpr size_t kMax = 8;
  uintptr_t start[kMax] = {};
  size_t length[kMax] = {};
  size_t count = 0;
};

// [o] The executable PT_LOAD segments of every loaded object (dl_iterate_phdr(3)); no
// allocation, so that the fixed array is all pid 1 reads.
CodeSegments code_segments();

// [1] Maps them; a kernel without MADV_POPULATE_READ refuses it (EINVAL) and pid 1 faults as
// before: nothing depends on it.
void prefault_code(const CodeSegments& segments);

}  // namespace vx
