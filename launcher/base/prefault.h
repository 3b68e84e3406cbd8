// The memory a launch is about to write, faulted in ahead. [o] the launcher, called from
// main() once the call is known to be a launch from the host. Impure (madvise, malloc).
#pragma once

#include <cstddef>

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

}  // namespace vx
