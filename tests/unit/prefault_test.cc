// sandbox/prefault: the segments pid 1 maps after the clone are the code of the launcher and
// of the C library (where its system-call wrappers and malloc live), and mapping them is harmless.
#include "base/prefault.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

namespace vx {
namespace {

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

// In a fork, as in pid 1: the pages come into the page tables, so running the code after
// takes fewer faults than before (a child that faults on all of them again would not).
TEST(Prefault, AForkRunsTheCodeAfterwardsWithoutItsFaults) {
  CodeSegments s = code_segments();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    prefault_code(s);
    getrusage(RUSAGE_SELF, &after);
    long populate = after.ru_minflt - before.ru_minflt;
    // Touch one byte of every page of every segment: all present now, so no fault.
    volatile unsigned char sum = 0;
    getrusage(RUSAGE_SELF, &before);
    for (size_t i = 0; i < s.count; ++i)
      for (size_t off = 0; off < s.length[i]; off += 4096)
        sum = sum + *reinterpret_cast<const unsigned char*>(s.start[i] + off);
    getrusage(RUSAGE_SELF, &after);
    long touch = after.ru_minflt - before.ru_minflt;
    _exit(populate >= 0 && touch <= 2 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace vx
