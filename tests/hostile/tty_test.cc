// Hostile probes against the terminal: keystroke injection with TIOCSTI and TIOCLINUX from a
// sandboxed program whose controlling terminal is a pseudo-terminal, and reaching another of
// the user's terminals while the caller's own is shown inside.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

std::string injector(unsigned long request) {
  return "import fcntl, errno, select, struct\n"
         "try:\n"
         "    fcntl.ioctl(0, " +
         std::to_string(request) +
         ", b'Q')\n"
         "    fcntl.ioctl(0, " +
         std::to_string(request) +
         ", b'\\n')\n"
         "    r = 'injected'\n"
         "except OSError as e:\n"
         "    r = errno.errorcode[e.errno]\n"
         "print(r, 'pending' if select.select([0], [], [], 0.2)[0] else 'quiet')\n";
}

TEST(Tty, TiocstiDoesNotInject) {
  TempProject p = make_project(true);
  std::string code = injector(0x5412);
  RunResult host = run_under_pty({"/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_NE(host.out.find("injected pending"), std::string::npos) << host.out;
  RunResult inside =
      run_under_pty({launcher_path(), "/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_NE(inside.out.find("EPERM quiet"), std::string::npos) << inside.out;
  EXPECT_EQ(inside.out.find('Q'), std::string::npos) << inside.out;
  // Seccomp off: the program runs in a new session, without a controlling terminal.
  std::vector<std::string> env = base_env(p);
  env.push_back("SANDBOX_SECCOMP_ALLOW=");
  RunResult off = run_under_pty({launcher_path(), "/usr/bin/python3", "-c", code}, env, p.project);
  EXPECT_NE(off.out.find("EPERM quiet"), std::string::npos) << off.out;
  EXPECT_EQ(off.out.find('Q'), std::string::npos) << off.out;
}

TEST(Tty, TioclinuxIsRefusedByTheFilter) {
  // TIOCLINUX only means something on a virtual console; on a pty the kernel answers EINVAL,
  // which is the positive control that the request reaches it.
  TempProject p = make_project(true);
  std::string code =
      "import fcntl, errno\ntry:\n    fcntl.ioctl(0, 0x541c, b'\\x06')\n"
      "    print('ok')\nexcept OSError as e:\n    print(errno.errorcode[e.errno])\n";
  RunResult host = run_under_pty({"/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_EQ(host.out.find("EPERM"), std::string::npos) << host.out;
  RunResult inside =
      run_under_pty({launcher_path(), "/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_NE(inside.out.find("EPERM"), std::string::npos) << inside.out;
}

TEST(Tty, OtherTerminalsOfTheUserStayHidden) {
  TempProject p = make_project(true);
  // Another terminal of the same user, as an editor or a second shell would hold it.
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  std::string other = ptsname(master);
  std::string code =
      "import os\n"
      "own = os.ttyname(0)\n"
      "try:\n"
      "    os.close(os.open('" +
      other +
      "', os.O_RDWR | os.O_NOCTTY))\n"
      "    print('other opened')\n"
      "except OSError as e:\n"
      "    print('other', os.strerror(e.errno))\n"
      "print('listed', sorted(n for n in os.listdir('/dev/pts') if n not in ('ptmx', own[9:])))\n";
  RunResult host = run_under_pty({"/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_NE(host.out.find("other opened"), std::string::npos) << host.out;
  RunResult inside =
      run_under_pty({launcher_path(), "/usr/bin/python3", "-c", code}, base_env(p), p.project);
  EXPECT_NE(inside.out.find("other No such file or directory\nlisted []"), std::string::npos)
      << inside.out;
  close(master);
}

}  // namespace
}  // namespace vx::test
