// Hostile probes against the terminal: keystroke injection with TIOCSTI and TIOCLINUX from a
// sandboxed program whose controlling terminal is a pseudo-terminal.
#include <gtest/gtest.h>

#include "support.h"

namespace vx::test {
namespace {

// The driver gives the child a pty as controlling terminal and prints what reached the tty.
const char* const kDriver =
    "import os, pty, sys\n"
    "pid, fd = pty.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "out = b''\n"
    "while True:\n"
    "    try:\n"
    "        chunk = os.read(fd, 1024)\n"
    "    except OSError:\n"
    "        break\n"
    "    if not chunk:\n"
    "        break\n"
    "    out += chunk\n"
    "os.waitpid(pid, 0)\n"
    "print(out.decode(errors='replace').replace('\\r', '').strip())\n";

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
  RunResult host = run({"/usr/bin/python3", "-c", kDriver, "/usr/bin/python3", "-c", code},
                       base_env(p), p.project);
  EXPECT_NE(host.out.find("injected pending"), std::string::npos) << host.out;
  RunResult inside =
      run({"/usr/bin/python3", "-c", kDriver, launcher_path(), "/usr/bin/python3", "-c", code},
          base_env(p), p.project);
  EXPECT_NE(inside.out.find("EPERM quiet"), std::string::npos) << inside.out;
  EXPECT_EQ(inside.out.find('Q'), std::string::npos) << inside.out;
}

TEST(Tty, TioclinuxIsRefusedByTheFilter) {
  // TIOCLINUX only means something on a virtual console; on a pty the kernel answers EINVAL,
  // which is the positive control that the request reaches it.
  TempProject p = make_project(true);
  std::string code =
      "import fcntl, errno\ntry:\n    fcntl.ioctl(0, 0x541c, b'\\x06')\n"
      "    print('ok')\nexcept OSError as e:\n    print(errno.errorcode[e.errno])\n";
  RunResult host = run({"/usr/bin/python3", "-c", kDriver, "/usr/bin/python3", "-c", code},
                       base_env(p), p.project);
  EXPECT_EQ(host.out.find("EPERM"), std::string::npos) << host.out;
  RunResult inside =
      run({"/usr/bin/python3", "-c", kDriver, launcher_path(), "/usr/bin/python3", "-c", code},
          base_env(p), p.project);
  EXPECT_NE(inside.out.find("EPERM"), std::string::npos) << inside.out;
}

}  // namespace
}  // namespace vx::test
