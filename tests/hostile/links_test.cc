// Hostile probes against the link channel (SPEC §10): what the sandbox sends the launcher
// through xdg-open's socket is checked, bounded and never more than a URL to print or open.
// The launcher runs headless here (no bus, no display): an accepted link is only printed,
// which is the positive control that the channel carries what it is given.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "support.h"

namespace vx::test {
namespace {

int count(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(Links, RefusedUrlsAreNeverOpened) {
  TempProject p = make_project(true);
  RunResult r = sandbox_probe(
      p, open_each({"'file:///etc/passwd'", "'javascript:alert(1)'", "'https://example.org/a\\nb'",
                    "'https://example.org/' + 'x' * 9000", "'https://example.org/ok?q=1'"}));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1 1 1 1 0\n") << r.err;
  EXPECT_NE(r.err.find("refused a link from the sandbox: only http, https and mailto links are "
                       "opened: 'file:///etc/passwd'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("only http, https and mailto links are opened: 'javascript:alert(1)'"),
            std::string::npos);
  EXPECT_NE(r.err.find("it contains a control character: 'https://example.org/a\\x0ab'"),
            std::string::npos);
  EXPECT_NE(r.err.find("it is longer than 8 KiB"), std::string::npos);
  // The control: the acceptable link went through the same channel and was printed.
  EXPECT_NE(r.err.find("venv-exec: open this link in your browser: https://example.org/ok?q=1\n"),
            std::string::npos);
  EXPECT_EQ(count(r.err, "open this link"), 1) << r.err;
}

TEST(Links, PythonWebbrowserReachesTheLauncher) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-m", "webbrowser", "https://example.org/wb"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "venv-exec: open this link in your browser: https://example.org/wb\n");
}

TEST(Links, BurstLimitHolds) {
  std::vector<std::string> urls;
  for (int i = 0; i < 8; ++i) urls.push_back("'https://example.org/" + std::to_string(i) + "'");
  TempProject p = make_project(true);
  RunResult r = sandbox_probe(p, open_each(urls));
  EXPECT_EQ(r.out, "0 0 0 0 0 4 4 4\n") << r.err;
  EXPECT_EQ(count(r.err, "open this link in your browser"), 5) << r.err;
  EXPECT_NE(r.err.find("more than 5 links in a minute: 'https://example.org/5'"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("browser: https://example.org/5"), std::string::npos);
}

// Garbage, many connections that never finish, then one that never ends while the program
// exits: the launcher answers what it can, closes the rest, and still serves a good link.
TEST(Links, HostileClientsNeitherHangNorBlockTheChannel) {
  TempProject p = make_project(true);
  const char* code =
      "import socket, subprocess\n"
      "def conn():\n"
      "    s = socket.socket(socket.AF_UNIX)\n"
      "    s.connect('/run/venv-exec/links.sock')\n"
      "    return s\n"
      "def answer(s):\n"
      "    s.settimeout(30)\n"
      "    try:\n"
      "        return s.recv(1)\n"
      "    except ConnectionResetError:\n"  // closed unanswered with our bytes unread
      "        return b''\n"
      "g = conn(); g.sendall(b'\\x00\\xff\\x1b[31mgarbage'); g.shutdown(socket.SHUT_WR)\n"
      "print('garbage', answer(g))\n"
      "hung = [conn() for _ in range(12)]\n"
      "def send(s, data):\n"
      "    try:\n"
      "        s.sendall(data)\n"
      "    except OSError:\n"  // closed unanswered already (EPIPE)
      "        pass\n"
      "for s in hung: send(s, b'https://exam')\n"
      "got = sorted(answer(s) for s in hung)\n"
      "print('unfinished', got.count(b'\\x01'), 'dropped', got.count(b''))\n"
      "print('good', subprocess.run(['xdg-open', 'https://example.org/after']).returncode)\n"
      "last = conn(); last.sendall(b'https://never-ends')\n"
      "print('exiting', flush=True)\n";
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "garbage b'\\x01'\nunfinished 4 dropped 8\ngood 0\nexiting\n") << r.err;
  EXPECT_NE(r.err.find("it contains a control character: '\\x00\\xff\\x1b[31mgarbage'"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << "raw escape reached the terminal";
  EXPECT_NE(r.err.find("open this link in your browser: https://example.org/after\n"),
            std::string::npos)
      << r.err;
}

std::vector<std::string> open_files(pid_t pid) {
  std::vector<std::string> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  for (const auto& name : dir_names(dir)) {
    char buf[4096];
    ssize_t n = readlink((dir + "/" + name).c_str(), buf, sizeof buf);
    if (n > 0) out.emplace_back(buf, static_cast<size_t>(n));
  }
  return out;
}

bool holds(const std::vector<std::string>& files, const std::string& path) {
  for (const auto& f : files)
    if (f == path) return true;
  return false;
}

TEST(Links, PassedDescriptorsAreNotKept) {
  TempProject p = make_project(true);
  std::string probe = p.project + "/" + unique_token("fd-probe-");
  write_file(probe, "x");
  // The control: the probe finds a descriptor of that file in a process that holds one.
  int mine = open(probe.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_TRUE(holds(open_files(getpid()), probe));
  close(mine);
  std::string go = p.project + "/go";
  std::string code = std::string(kProbePrelude) +
                     "import socket, time\n"
                     "f = open('" +
                     probe +
                     "')\n"
                     "s = socket.socket(socket.AF_UNIX)\n"
                     "s.connect('/run/venv-exec/links.sock')\n"
                     "def send(data):\n"  // refused outright where SO_PASSRIGHTS exists
                     "    try:\n"
                     "        socket.send_fds(s, [data], [f.fileno()])\n"
                     "    except PermissionError:\n"
                     "        s.sendall(data)\n"
                     "for _ in range(20): send(b'')\n"
                     "send(b'https://example.org/fd')\n"
                     "s.shutdown(socket.SHUT_WR)\n"
                     "print('verdict', s.recv(1), flush=True)\n"
                     "deadline = time.time() + 120\n"
                     "while not os.path.exists('" +
                     go +
                     "') and time.time() < deadline:\n"
                     "    time.sleep(0.05)\n";
  Background b = start_launcher(p, {"/usr/bin/python3", "-c", code});
  EXPECT_EQ(read_line(b.out_fd), "verdict b'\\x00'");
  std::vector<std::string> files = open_files(b.pid);
  EXPECT_FALSE(files.empty());
  EXPECT_FALSE(holds(files, probe)) << "the launcher kept a descriptor the sandbox passed";
  write_file(go, "");
  EXPECT_EQ(wait_status(b.pid), 0);
  close(b.out_fd);
}

TEST(Links, NoBusSocketNorBusVariablesInside) {
  TempProject p = make_project(true);
  std::string bus = p.root + "/bus";
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, bus.data(), bus.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  std::vector<std::string> env = {"DBUS_SESSION_BUS_ADDRESS=unix:path=" + bus,
                                  "DBUS_SYSTEM_BUS_ADDRESS=unix:path=" + bus,
                                  "DBUS_STARTER_ADDRESS=unix:path=" + bus};
  std::string code =
      "import socket\n"
      "print(sorted(k for k in os.environ if k.startswith('DBUS')))\n"
      "def conn(path):\n"
      "    s = socket.socket(socket.AF_UNIX)\n"
      "    s.connect(path)\n"
      "attempt(lambda: conn('" +
      bus +
      "'))\n"
      "attempt(lambda: conn('/run/user/%d/bus' % os.getuid()))\n"
      "attempt(lambda: conn('/run/dbus/system_bus_socket'))\n";
  RunResult host = host_probe(p, code, env);
  EXPECT_EQ(host.out.substr(0, host.out.find('\n')),
            "['DBUS_SESSION_BUS_ADDRESS', 'DBUS_STARTER_ADDRESS', 'DBUS_SYSTEM_BUS_ADDRESS']");
  EXPECT_NE(host.out.find("\nOK \n"), std::string::npos) << host.out;
  // The launcher itself sees the bus (it would open links through it); the program does not.
  RunResult in = sandbox_probe(p, code, {}, env);
  EXPECT_EQ(in.out, "[]\nERR ENOENT\nERR ENOENT\nERR ENOENT\n") << in.err;
  close(fd);
}

TEST(Links, HostXdgOpenIsReplacedByTheShim) {
  if (!exists("/usr/bin/xdg-open")) {
    if (must_work()) FAIL() << "/usr/bin/xdg-open is missing (xdg-utils, tests/debian-packages)";
    GTEST_SKIP() << "/usr/bin/xdg-open is missing (install xdg-utils)";
  }
  TempProject p = make_project(true);
  std::string code =
      "import hashlib, shutil\n"
      "print(hashlib.sha256(open('/usr/bin/xdg-open', 'rb').read()).hexdigest())\n"
      "print(shutil.which('xdg-open'), os.environ.get('BROWSER'))\n";
  std::string host_sha = host_probe(p, code).out.substr(0, 64);
  RunResult self = host_probe(p, "import hashlib\nprint(hashlib.sha256(open('" + launcher_path() +
                                     "', 'rb').read()).hexdigest())\n");
  ASSERT_EQ(self.out.size(), 65u);
  EXPECT_NE(host_sha, self.out.substr(0, 64));  // the control: they differ on the host
  RunResult in = sandbox_probe(p, code);
  EXPECT_EQ(in.out, self.out + "/run/venv-exec/bin/xdg-open /run/venv-exec/bin/xdg-open\n")
      << in.err;
}

// A script that appends its name to `log` when run.
void plant(const std::string& path, const std::string& log) {
  write_file(path, "#!/bin/sh\necho \"$0\" >> '" + log + "'\n", 0755);
}

// PATH often starts with VENV/bin, which the sandbox writes: an opener found there would run
// the sandbox's code on the host. The launcher uses /usr/bin/gdbus only.
TEST(Links, OpenersAreNotLookedUpOnPath) {
  TempProject p = make_project(true);
  std::string log = p.project + "/" + unique_token("opener-") + ".log";
  plant(p.venv + "/bin/gdbus", log);
  // The control: the planted opener runs when invoked.
  ASSERT_EQ(run({p.venv + "/bin/gdbus"}, base_env(p), p.project).status, 0);
  ASSERT_TRUE(exists(log));
  unlink(log.c_str());
  std::vector<std::string> env = {"PATH=" + p.venv + "/bin:/usr/bin:/bin", "HOME=" + p.home,
                                  "LANG=C.UTF-8",
                                  "DBUS_SESSION_BUS_ADDRESS=unix:path=" + p.project + "/no-bus"};
  RunResult r =
      run({launcher_path(), "/usr/bin/python3", "-m", "webbrowser", "https://example.org/opener"},
          env, p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("opening https://example.org/opener"), std::string::npos) << r.err;
  EXPECT_FALSE(exists(log)) << "an opener from VENV/bin ran on the host";
}

// The host's xdg-open is a shell script that runs grep, sed and browsers by name: with a
// relative PATH entry, in the project as its cwd, it would run the sandbox's files.
TEST(Links, OpenersIgnoreRelativePathAndTheProjectCwd) {
  if (!exists("/usr/bin/xdg-open")) {
    if (must_work()) FAIL() << "/usr/bin/xdg-open is missing (xdg-utils, tests/debian-packages)";
    GTEST_SKIP() << "/usr/bin/xdg-open is missing (install xdg-utils)";
  }
  TempProject p = make_project(true);
  std::string log = p.project + "/" + unique_token("planted-") + ".log";
  mkdir((p.project + "/bin").c_str(), 0755);
  for (const char* name : {"bin/grep", "bin/sed"}) plant(p.project + "/" + name, log);
  std::string url = "https://example.org/" + unique_token("plant-");
  std::vector<std::string> env = {"PATH=bin:/usr/bin:/bin", "HOME=" + p.home, "LANG=C.UTF-8",
                                  "DISPLAY=:" + unique_token("vx")};
  // The control: the host's xdg-open run that way from the project runs the planted files.
  run({"/usr/bin/xdg-open", url}, env, p.project);
  ASSERT_TRUE(exists(log));
  unlink(log.c_str());
  RunResult r = run({launcher_path(), "/usr/bin/python3", "-m", "webbrowser", url}, env, p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("opening " + url), std::string::npos) << r.err;
  // xdg-open is not waited for by the launcher: wait until it is gone.
  for (int i = 0; i < 600 && !processes_with_arg(url).empty(); ++i) usleep(50 * 1000);
  EXPECT_TRUE(processes_with_arg(url).empty());
  EXPECT_FALSE(exists(log)) << "xdg-open ran a planted file on the host:\n" << read_file(log);
}

// The last reference to a TCP socket with a long SO_LINGER whose peer never reads, handed to
// the launcher: whoever closes it last waits out the linger time. The launcher must never be
// that process: the run still ends at its --timeout.
TEST(Links, LingeringSocketsCannotFreezeTheLauncher) {
  TempProject p = make_project(true);
  const char* code =
      "import array, os, select, signal, socket as S, struct, time\n"
      "signal.signal(signal.SIGALRM, lambda *a: None)\n"
      "srv = S.socket(); srv.setsockopt(S.SOL_SOCKET, S.SO_RCVBUF, 1024)\n"
      "srv.bind(('127.0.0.1', 0)); srv.listen(64)\n"
      "def stuck():\n"  // its peer is never accepted: the send queue can never drain
      "    c = S.socket(); c.setsockopt(S.SOL_SOCKET, S.SO_SNDBUF, 2048)\n"
      "    c.connect(srv.getsockname()); c.setblocking(False)\n"
      "    while select.select([], [c], [], 0.2)[1]:\n"
      "        try:\n"
      "            c.send(b'x' * 65536)\n"
      "        except BlockingIOError: pass\n"
      "    c.setsockopt(S.SOL_SOCKET, S.SO_LINGER, struct.pack('ii', 1, 1 << 30))\n"
      "    return c\n"
      "def rights(fd): return [(S.SOL_SOCKET, S.SCM_RIGHTS, array.array('i', [fd]))]\n"
      // The control: such a socket can be passed, here over a pair of our own.
      "a, b = S.socketpair(); kept = stuck(); a.sendmsg([b'x'], rights(kept.fileno()))\n"
      "print('pair ok', flush=True)\n"
      "for attempt in range(8):\n"
      "    c = stuck(); u = S.socket(S.AF_UNIX); u.connect('/run/venv-exec/links.sock')\n"
      "    try:\n"
      "        u.sendmsg([b'not-a-url'], rights(c.fileno()))\n"
      "    except PermissionError:\n"
      "        print('refused EPERM', flush=True); break\n"
      // The launcher has the last reference if it reads later; else our close waits, cut
      // short by the timer, and we try again.
      "    fd = c.detach(); signal.setitimer(signal.ITIMER_REAL, 0.3)\n"
      "    os.close(fd); signal.setitimer(signal.ITIMER_REAL, 0)\n"
      "    u.shutdown(S.SHUT_WR); u.settimeout(5)\n"
      "    try:\n"
      "        u.recv(1)\n"
      "    except S.timeout:\n"
      "        print('frozen', flush=True); break\n"
      "print('waiting', flush=True)\n"
      "time.sleep(600)\n";
  RunResult r = run({"/usr/bin/timeout", "-s", "KILL", "60", launcher_path(), "--net", "none",
                     "--timeout", "5s", "/usr/bin/python3", "-c", code},
                    base_env(p), p.project);
  EXPECT_EQ(r.status, 124) << r.out << r.err;
  EXPECT_NE(r.out.find("pair ok\n"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.out.find("frozen"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace vx::test
