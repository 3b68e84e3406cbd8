// Memory faulted in ahead, one madvise(2) per region instead of a page fault per page (12-18 µs
// each on a paravirtualised guest). [o] the stack and heap a launch writes, from main() once the
// call is a launch from the host; [o] then [1] the code pid 1 runs. Impure (madvise, malloc).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vx {

// How much of each region a launch of the standard view writes before pid 1 is cloned,
// measured (/proc/PID/pagemap at the clone): the frames below main() reach 6 pages deep, and
// the heap that the plan and the request fill grows 17 pages past the start of the launch.
inline constexpr size_t kLaunchStack = 24 << 10;
inline constexpr size_t kLaunchHeap = 68 << 10;

// Each page of the stack and heap a launch uses costs a page fault when first written (12-18 µs
// on a PVM guest, where the hypervisor sees each fault); one madvise(MADV_POPULATE_WRITE) per
// region maps them all for about half as much per page. Best effort: a kernel before 5.14
// answers EINVAL, and the pages fault in one by one as before.
void prefault_launch_memory();

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
