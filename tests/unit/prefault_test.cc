// sandbox/prefault: the segments pid 1 maps after the clone are the code of the launcher and
// of the C library (where its system-call wrappers and malloc live), and mapping them is harmless.
#include "base/prefault.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace vx {
namespace {

// The vDSO's address, from the auxiliary vector.
bool is_vdso(uintptr_t start) {
  return start == (getauxval(AT_SYSINFO_EHDR) & ~uintptr_t{4095});
}

bool covers(const CodeSegments& s, const void* p) {
  auto a = reinterpret_cast<uintptr_t>(p);
  for (size_t i = 0; i < s.count; ++i)
    if (a >= s.start[i] && a < s.start[i] + s.length[i]) return true;
  return false;
}

TEST(Prefault, SegmentsCoverTheLaunchersAndTheCLibrarysCode) {
  CodeSegments s = code_segments();
  ASSERT_GE(s.count, 2u);
  EXPECT_TRUE(covers(s, reinterpret_cast<const void*>(&code_segments)));
  EXPECT_TRUE(covers(s, reinterpret_cast<const void*>(&malloc)));
  // Data is not code: a stack address is in no segment.
  int local = 0;
  EXPECT_FALSE(covers(s, &local));
}

// Pages of S's segments that the page tables map, from /proc/self/pagemap (bit 63: present;
// readable unprivileged). Read by system calls, not by touching the pages: an instrumented
// read (ASan checks shadow memory first) would fault on pages of its own and prove nothing.
long present_pages(const CodeSegments& s, long* total) {
  int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  long present = 0;
  *total = 0;
  for (size_t i = 0; i < s.count; ++i)
    for (uintptr_t page = s.start[i]; page < s.start[i] + s.length[i]; page += 4096) {
      uint64_t entry = 0;
      if (pread(fd, &entry, sizeof entry, static_cast<off_t>(page / 4096 * sizeof entry)) !=
          static_cast<ssize_t>(sizeof entry)) {
        close(fd);
        return -1;
      }
      ++*total;
      if (entry >> 63) ++present;
    }
  close(fd);
  return present;
}

// In a fork, as in pid 1: a fork copies no page-table entry of the code (positive control:
// many of its pages are absent in the child), and after prefault_code every page is mapped,
// so the code the child runs afterwards takes no fault on it.
TEST(Prefault, AForkHasEveryCodePageMappedAfterwards) {
  CodeSegments s = code_segments();
  // The vDSO is code too, but a special mapping that MADV_POPULATE_READ refuses; it is
  // mapped already (every process uses it), so it is left out of the count.
  CodeSegments files;
  for (size_t i = 0; i < s.count; ++i)
    if (!is_vdso(s.start[i])) {
      files.start[files.count] = s.start[i];
      files.length[files.count] = s.length[i];
      ++files.count;
    }
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    long total = 0;
    long before = present_pages(files, &total);
    prefault_code(s);
    long after = present_pages(files, &total);
    // 2: the control failed (the fork kept the entries); 3: a page is still absent.
    _exit(before < 0 || after < 0 ? 4 : before >= total ? 2 : after != total ? 3 : 0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "2: no page absent before; 3: a page absent after";
}

}  // namespace
}  // namespace vx
