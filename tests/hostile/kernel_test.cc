// Hostile probes against the kernel's riskier surface: each always-denied family attempted
// from inside with harmless arguments. The filter must answer EPERM (clone3: ENOSYS). Positive
// control: the same attempt in a sandbox with seccomp off reaches the kernel and gets its own
// answer (EFAULT, EINVAL, EBADF, success), which proves the filter made the difference. Calls the
// kernel refuses to a process without capabilities are made with arguments it checks first
// (swapon's flags) or from a new user namespace, whose capabilities the kernel honours for its
// own mount and pid namespaces: so the control holds in the unprivileged run too.
#include <gtest/gtest.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

struct Family {
  const char* name;
  const char* call;      // Python: sc(nr, args...), after gain(flags) / in_child(fn) if needed
  const char* filtered;  // errno name inside
};

const Family kFamilies[] = {
    {"keyctl", "sc(250, 0x7fffffff, 0)", "EPERM"},
    {"add_key", "sc(248, 0, 0, 0, 0, 0)", "EPERM"},
    {"request_key", "sc(249, 0, 0, 0, 0)", "EPERM"},
    {"bpf", "sc(321, 0x7fff, 0, 0)", "EPERM"},
    {"perf_event_open", "sc(298, 0, 0, -1, -1, 0)", "EPERM"},
    {"userfaultfd", "sc(323, 0xffff)", "EPERM"},
    {"io_uring_setup", "sc(425, 0, 0)", "EPERM"},
    {"unshare_user", "sc(272, 0x10000000)", "EPERM"},
    {"setns", "sc(308, -1, 0)", "EPERM"},
    {"mount", "sc(165, 0, 0, 0, 0, 0)", "EPERM"},
    {"umount2", "sc(166, 0, 0)", "EPERM"},
    {"open_tree", "sc(428, -1, 0, 0)", "EPERM"},
    {"ptrace", "sc(101, 0x4206, 0x7fffffff, 0, 0)", "EPERM"},
    {"init_module", "sc(175, 0, 0, 0)", "EPERM"},
    {"kexec_load", "sc(246, 0, 0, 0, 0)", "EPERM"},
    {"personality", "sc(135, 0x0008)", "EPERM"},
    {"process_vm_readv", "sc(310, 1, 0, 0, 0, 0, 0)", "EPERM"},
    {"clone3", "sc(435, 0, 0)", "ENOSYS"},
    {"pivot_root", "gain(kUser | kMount)\nsc(155, 0, 0)", "EPERM"},
    {"fsopen", "gain(kUser | kMount)\nsc(430, 0, 0)", "EPERM"},
    {"reboot", "gain(kUser | kPid)\nin_child(lambda: sc(169, 0, 0, 0, 0))", "EPERM"},
    {"swapon", "sc(167, 0, 0x40000000)", "EPERM"},
    {"kcmp", "sc(312, os.getpid(), os.getpid(), 0, 0, 0)", "EPERM"},
};

std::string probe(const Family& f) {
  return std::string(
             "import ctypes\n"
             "libc = ctypes.CDLL(None, use_errno=True)\n"
             "def sc(nr, *args):\n"
             "    r = libc.syscall(nr, *[ctypes.c_long(a) for a in args])\n"
             "    e = ctypes.get_errno()\n"
             "    print('ok' if r >= 0 else errno.errorcode.get(e, e), flush=True)\n"
             // The filter refuses unshare(CLONE_NEWUSER); with seccomp off it succeeds.
             "kUser, kMount, kPid = 0x10000000, 0x20000, 0x20000000\n"
             "def gain(flags):\n"
             "    libc.unshare(flags)\n"
             "def in_child(fn):\n"
             "    pid = os.fork()\n"
             "    if pid == 0:\n"
             "        fn()\n"
             "        os._exit(0)\n"
             "    os.waitpid(pid, 0)\n") +
         f.call + "\n";
}

class Kernel : public ::testing::TestWithParam<Family> {
 protected:
  static void SetUpTestSuite() { p_ = new TempProject(make_project(true)); }
  static void TearDownTestSuite() { delete p_; }
  static TempProject* p_;
};
TempProject* Kernel::p_ = nullptr;

TEST_P(Kernel, RefusedByTheFilter) {
  const Family& f = GetParam();
  RunResult inside = sandbox_probe(*p_, probe(f));
  EXPECT_EQ(inside.out, std::string(f.filtered) + "\n") << inside.err;
  RunResult unfiltered = sandbox_probe(*p_, probe(f), {}, {"SANDBOX_SECCOMP_ALLOW="});
  ASSERT_EQ(unfiltered.status, 0) << unfiltered.err;
  EXPECT_NE(unfiltered.out, inside.out) << "the kernel gave the filter's answer itself";
}

INSTANTIATE_TEST_SUITE_P(AlwaysDenied, Kernel, ::testing::ValuesIn(kFamilies),
                         [](const ::testing::TestParamInfo<Family>& param) {
                           return std::string(param.param.name);
                         });

}  // namespace
}  // namespace vx::test
