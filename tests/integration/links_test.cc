// Links from the sandbox reach the host's opener (SPEC §10): the desktop portal on a private
// session bus (dbus-daemon, with a fake portal that records each OpenURI call), the host's
// xdg-open where there is a display and no bus, and --no-open.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "support.h"

namespace vx::test {
namespace {

// org.freedesktop.portal.OpenURI.OpenURI, recording each URI on a line of its own.
const char* const kFakePortal =
    "import sys, dbus, dbus.service\n"
    "from dbus.mainloop.glib import DBusGMainLoop\n"
    "from gi.repository import GLib\n"
    "DBusGMainLoop(set_as_default=True)\n"
    "bus = dbus.bus.BusConnection(sys.argv[1])\n"
    "class Portal(dbus.service.Object):\n"
    "    @dbus.service.method('org.freedesktop.portal.OpenURI', in_signature='ssa{sv}',\n"
    "                         out_signature='o')\n"
    "    def OpenURI(self, parent, uri, options):\n"
    "        with open(sys.argv[2], 'a') as f:\n"
    "            f.write(uri + '\\n')\n"
    "        return dbus.ObjectPath('/org/freedesktop/portal/desktop/request/1/t')\n"
    "name = dbus.service.BusName('org.freedesktop.portal.Desktop', bus)\n"
    "Portal(bus, '/org/freedesktop/portal/desktop')\n"
    "print('ready', flush=True)\n"
    "GLib.MainLoop().run()\n";

void stop(Background& b) {
  if (b.pid <= 0) return;
  kill(b.pid, SIGTERM);
  wait_status(b.pid);
  close(b.out_fd);
  b.pid = -1;
}

// A private session bus, and on it (with `portal`) the fake portal.
struct Bus {
  Background daemon, portal;
  std::string address, record;
  ~Bus() {
    stop(portal);
    stop(daemon);
  }
};

void start_bus(const TempProject& p, Bus& bus, bool portal) {
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + p.home};
  bus.daemon = start_process({"/usr/bin/dbus-daemon", "--session", "--nofork", "--print-address=1",
                              "--address=unix:path=" + p.root + "/bus"},
                             env, p.root);
  bus.address = read_line(bus.daemon.out_fd);
  ASSERT_EQ(bus.address.rfind("unix:path=" + p.root + "/bus", 0), 0u) << bus.address;
  if (!portal) return;
  bus.record = p.root + "/portal-calls";
  write_file(p.root + "/portal.py", kFakePortal);
  bus.portal = start_process({"/usr/bin/python3", p.root + "/portal.py", bus.address, bus.record},
                             env, p.root);
  ASSERT_EQ(read_line(bus.portal.out_fd), "ready");
}

TEST(Portal, WebbrowserReachesThePortalWithTheExactUrl) {
  TempProject p = make_project(true);
  Bus bus;
  ASSERT_NO_FATAL_FAILURE(start_bus(p, bus, true));
  // A quote and a backslash: gdbus reads its arguments as GVariant text.
  std::string url = "https://example.org/p?a=1&b='q'\\x#frag";
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-m", "webbrowser", url},
                             {"DBUS_SESSION_BUS_ADDRESS=" + bus.address});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "venv-exec: opening " + url + "\n");
  EXPECT_EQ(read_file(bus.record), url + "\n");
}

TEST(Portal, RefusedUrlsNeverReachThePortal) {
  TempProject p = make_project(true);
  Bus bus;
  ASSERT_NO_FATAL_FAILURE(start_bus(p, bus, true));
  RunResult r = run_launcher(
      p,
      {"/usr/bin/python3", "-c",
       open_each({"'file:///etc/passwd'", "'javascript:alert(1)'", "'https://a.example/\\nb'",
                  "'https://a.example/' + 'x' * 9000", "'mailto:someone@example.org'"})},
      {"DBUS_SESSION_BUS_ADDRESS=" + bus.address});
  EXPECT_EQ(r.out, "1 1 1 1 0\n") << r.err;
  EXPECT_EQ(read_file(bus.record), "mailto:someone@example.org\n") << r.err;
}

TEST(Portal, BurstLimitHolds) {
  TempProject p = make_project(true);
  Bus bus;
  ASSERT_NO_FATAL_FAILURE(start_bus(p, bus, true));
  std::vector<std::string> urls;
  for (int i = 0; i < 7; ++i) urls.push_back("'https://example.org/" + std::to_string(i) + "'");
  RunResult r = run_launcher(p, {"/usr/bin/python3", "-c", open_each(urls)},
                             {"DBUS_SESSION_BUS_ADDRESS=" + bus.address});
  EXPECT_EQ(r.out, "0 0 0 0 0 4 4\n") << r.err;
  // The five gdbus calls run side by side: any order.
  std::vector<std::string> calls, expected;
  std::string record = read_file(bus.record);
  for (size_t at = 0, nl; (nl = record.find('\n', at)) != std::string::npos; at = nl + 1)
    calls.push_back(record.substr(at, nl - at));
  std::sort(calls.begin(), calls.end());
  for (int i = 0; i < 5; ++i) expected.push_back("https://example.org/" + std::to_string(i));
  EXPECT_EQ(calls, expected);
}

TEST(Portal, ABusWithoutPortalPrintsTheLink) {
  TempProject p = make_project(true);
  Bus bus;
  ASSERT_NO_FATAL_FAILURE(start_bus(p, bus, false));
  RunResult r = run_launcher(p, {"xdg-open", "https://example.org/np"},
                             {"DBUS_SESSION_BUS_ADDRESS=" + bus.address});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err,
            "venv-exec: opening https://example.org/np\n"
            "venv-exec: the desktop portal (gdbus) did not open the link; open it yourself: "
            "https://example.org/np\n");
}

// With a display and no bus: the host's /usr/bin/xdg-open, given the URL as its one argument;
// it starts the caller's $BROWSER (here a recorder). The launcher does not wait for it (it may
// run the browser in the foreground).
TEST(HostXdgOpen, UsedWithADisplayAndNoBus) {
  if (!exists("/usr/bin/xdg-open")) {
    if (must_work()) FAIL() << "/usr/bin/xdg-open is missing (xdg-utils, tests/debian-packages)";
    GTEST_SKIP() << "/usr/bin/xdg-open is missing (install xdg-utils)";
  }
  TempProject p = make_project(true);
  std::string browser = p.root + "/browser", record = p.root + "/browser-calls";
  write_file(browser, "#!/bin/sh\nprintf '%s|%s|%s\\n' \"$#\" \"$1\" \"$PWD\" >> " + record + "\n",
             0755);
  RunResult r =
      run({launcher_path(), "xdg-open", "https://example.org/x?y=1"},
          {"DISPLAY=:99", "PATH=/usr/bin:/bin", "HOME=" + p.home, "BROWSER=" + browser}, p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.err, "venv-exec: opening https://example.org/x?y=1\n");
  for (int i = 0; i < 1000 && read_file(record).empty(); ++i) usleep(10000);
  EXPECT_EQ(read_file(record), "1|https://example.org/x?y=1|/\n");
}

TEST(NoOpen, TurnsTheChannelOff) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(
      p, {"--no-open", "sh", "-c", "xdg-open https://example.org; echo $?; ls /run/venv-exec"});
  EXPECT_EQ(r.out, "3\nbin\nsandbox\n") << r.err;
  EXPECT_EQ(r.err, "venv-exec: xdg-open: links are off in this sandbox (--no-open)\n");
}

TEST(NoOpen, StoredAtInstallAndOverriddenByOpen) {
  TempProject p = make_project(true);
  RunResult installed = run_launcher(p, {"install", p.venv, "--no-open"});
  ASSERT_EQ(installed.status, 0) << installed.err;
  std::vector<std::string> argv = {
      p.venv + "/bin/python", "-c",
      "import subprocess; print(subprocess.run(['xdg-open', 'https://e.org']).returncode)"};
  RunResult stored = run(argv, base_env(p), p.project);
  EXPECT_EQ(stored.out, "3\n") << stored.err;
  std::vector<std::string> env = base_env(p);
  env.push_back("VENV_EXEC_ARGS=--open");
  RunResult reopened = run(argv, env, p.project);
  EXPECT_EQ(reopened.out, "0\n") << reopened.err;
  EXPECT_EQ(reopened.err, "venv-exec: open this link in your browser: https://e.org\n");
}

TEST(Nested, ANestedLaunchUsesTheSameChannel) {
  TempProject p = make_project(true);
  RunResult r = run_launcher(
      p,
      {"sh", "-c", "\"$0\" sh -c 'xdg-open https://example.org/nested; echo $?'", launcher_path()});
  EXPECT_EQ(r.out, "0\n") << r.err;
  EXPECT_EQ(r.err, "venv-exec: open this link in your browser: https://example.org/nested\n");
}

}  // namespace
}  // namespace vx::test
