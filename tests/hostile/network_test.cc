// Hostile probes of --net internet against a small internet the test builds in a network
// namespace of its own (root: unshare -n; others: unshare -Urn), so no packet leaves the machine:
// a veth pair whose end 10.200.0.1/24 holds the default route (the interface pasta copies), a
// listener on 10.200.0.2 for the internet, one on that namespace's 127.0.0.1 for a host service,
// an abstract unix socket for a desktop service. `internet` reaches only the first; `host`, the
// positive control, all three; `none` none. With VX_RESOLV, a resolver on that namespace's
// 127.0.0.53 as systemd-resolved's (a DNS stub on UDP 53, beside it a TCP service on 8053 and a
// UDP one on 5353), named by the resolv.conf bound over /etc/resolv.conf in the test's own mount
// namespace, which the launcher and pasta read.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"
#include "wheels.h"

namespace vx::test {
namespace {

// Builds the little internet, serves the three listeners, runs argv[1:], exits with its status.
const char* const kWorld = R"(import os, socket, subprocess, sys, threading
def ip(*a): subprocess.run(['ip', *a], check=True)
ip('link', 'set', 'lo', 'up')
ip('link', 'add', 'vxout', 'type', 'veth', 'peer', 'name', 'vxnet')
ip('addr', 'add', '10.200.0.1/24', 'dev', 'vxout')
ip('addr', 'add', '10.200.0.2/32', 'dev', 'vxnet')
ip('link', 'set', 'vxout', 'up')
ip('link', 'set', 'vxnet', 'up')
ip('route', 'add', 'default', 'via', '10.200.0.254', 'dev', 'vxout')
def serve(family, address, answer):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind(address)
    s.listen(16)
    def loop():
        while True:
            c, _ = s.accept()
            c.sendall(answer)
            c.close()
    threading.Thread(target=loop, daemon=True).start()
serve(socket.AF_INET, ('10.200.0.2', 8080), b'internet')
serve(socket.AF_INET, ('127.0.0.1', 8081), b'loopback')
serve(socket.AF_UNIX, '\0' + os.environ['VX_DESKTOP'], b'desktop')
if os.environ.get('VX_RESOLV'):
    import struct
    subprocess.run(['mount', '--bind', os.environ['VX_RESOLV'], '/etc/resolv.conf'], check=True)
    serve(socket.AF_INET, ('127.0.0.53', 8053), b'resolver-host')
    def udp(port, answer):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(('127.0.0.53', port))
        def loop():
            while True:
                q, peer = s.recvfrom(512)
                s.sendto(answer(q), peer)
        threading.Thread(target=loop, daemon=True).start()
    def dns(q):
        # One A record, 10.200.0.77, for any name; no answer for other types (AAAA).
        end = 12
        while q[end]: end += q[end] + 1
        qtype = struct.unpack('>H', q[end + 1:end + 3])[0]
        rr = b'\xc0\x0c' + struct.pack('>HHIH', 1, 1, 60, 4) + bytes([10, 200, 0, 77])
        a = [rr] if qtype == 1 else []
        head = q[:2] + b'\x85\x80' + struct.pack('>HHHH', 1, len(a), 0, 0)
        return head + q[12:end + 5] + b''.join(a)
    udp(53, dns)
    udp(5353, lambda q: b'resolver-host-udp')
if os.environ.get('VX_WHEELS'):
    # A package index on the little internet, as python3 -m http.server serves a directory.
    import functools, http.server
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    index = http.server.ThreadingHTTPServer(
        ('10.200.0.2', 8000), functools.partial(Quiet, directory=os.environ['VX_WHEELS']))
    threading.Thread(target=index.serve_forever, daemon=True).start()
# restore_signals=False: the launcher starts with SIGPIPE ignored (Python's), which Debian 12's
# pasta refuses unless the launcher resets it.
if os.environ.get('VX_KILL_LAUNCHER') != '1':
    sys.exit(subprocess.run(sys.argv[1:], restore_signals=False).returncode)
# SIGKILL the launcher once the program runs; report whether its children (pasta) outlive it.
import signal, time
launcher = subprocess.Popen(sys.argv[1:], stdout=subprocess.PIPE)
assert launcher.stdout.readline() == b'running\n'
kids = open(f'/proc/{launcher.pid}/task/{launcher.pid}/children').read().split()
names = sorted(open(f'/proc/{k}/comm').read().strip() for k in kids)
os.kill(launcher.pid, signal.SIGKILL)
launcher.wait()
deadline = time.monotonic() + 10
while any(os.path.exists(f'/proc/{k}') for k in kids) and time.monotonic() < deadline:
    time.sleep(0.05)
alive = [k for k in kids if os.path.exists(f'/proc/{k}')]
print('children', ' '.join(names), 'left', len(alive))
)";

// Prints one line per target: "OK <answer>" or "ERR <errno>", then whether /proc/net/tcp lists
// the loopback listener's port (8081 = 0x1F91).
const char* const kProbe = R"(import socket
def fetch(family, address):
    def go():
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(5)
        s.connect(address)
        return s.recv(64).decode()
    return go
attempt(fetch(socket.AF_INET, ('10.200.0.2', 8080)))
attempt(fetch(socket.AF_INET, ('127.0.0.1', 8081)))
attempt(fetch(socket.AF_UNIX, '\0' + os.environ['VX_DESKTOP']))
print('proc-net-tcp', ':1F91 ' in open('/proc/net/tcp').read())
)";

// DNS with the resolver on 127.0.0.53 (VX_RESOLV): "resolved ADDRESS" or "unresolved", the
// lines of /etc/resolv.conf, the resolver host's TCP port 8053, the loopback service;
// then that TCP port and the UDP port 5353 through VX_FORWARD (pasta's DNS forward address
// inside, 127.0.0.53 itself in the control), where only an answer counts.
const char* const kDnsProbe = R"(import socket
socket.setdefaulttimeout(2)
try:
    print('resolved', socket.getaddrinfo('example.test', 80, socket.AF_INET)[0][4][0])
except socket.gaierror:
    print('unresolved')
print([l for l in open('/etc/resolv.conf').read().splitlines() if not l.startswith('#')])
def fetch(address):
    def go():
        with socket.create_connection(address) as s:
            return s.recv(64).decode()
    return go
attempt(fetch(('127.0.0.53', 8053)))
attempt(fetch(('127.0.0.1', 8081)))
forward = os.environ['VX_FORWARD']
def udp():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(b'?', (forward, 5353))
        return s.recv(64).decode()
socket.setdefaulttimeout(1)
for name, fn in (('tcp', fetch((forward, 8053))), ('udp', udp)):
    try:
        print(name, 'answered', fn())
    except OSError:
        print(name, 'no answer')
)";

bool have_tool(const char* path) { return access(path, X_OK) == 0; }

// `extra_env` entries replace the base environment's of the same name.
RunResult in_world(const TempProject& p, const std::vector<std::string>& command,
                   const std::string& desktop, const std::vector<std::string>& extra_env = {}) {
  write_file(p.root + "/world.py", kWorld);
  std::vector<std::string> argv = {"/usr/bin/unshare"};
  // Its own mount namespace too, for the resolv.conf of VX_RESOLV.
  argv.push_back(geteuid() == 0 ? "-nm" : "-Urnm");
  argv.insert(argv.end(), {"/usr/bin/python3", p.root + "/world.py"});
  argv.insert(argv.end(), command.begin(), command.end());
  std::vector<std::string> env = {"VX_DESKTOP=" + desktop};
  for (const auto& kv : base_env(p)) {
    std::string key = kv.substr(0, kv.find('=') + 1);
    bool replaced = false;
    for (const auto& e : extra_env) replaced = replaced || e.starts_with(key);
    if (!replaced) env.push_back(kv);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return run(argv, env, p.project);
}

RunResult probe_in_world(const TempProject& p, const std::string& net, const std::string& desktop,
                         const std::vector<std::string>& extra_env = {}) {
  return in_world(p,
                  {launcher_path(), "--net", net, "--setenv", "VX_DESKTOP", desktop,
                   "/usr/bin/python3", "-c", std::string(kProbePrelude) + kProbe},
                  desktop, extra_env);
}

class Network : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_tool("/usr/bin/pasta") || !have_tool("/usr/sbin/ip")) {
      if (must_work()) FAIL() << "pasta or ip is missing: apt-get install passt iproute2";
      GTEST_SKIP() << "pasta or ip is missing: apt-get install passt iproute2";
    }
  }
};

// The positive control: the probe, run in the little internet without the launcher, reaches all.
TEST_F(Network, ProbeReachesEveryServiceOutsideTheSandbox) {
  TempProject p = make_project(true);
  std::string desktop = unique_token("vx-desktop-");
  RunResult r =
      in_world(p, {"/usr/bin/python3", "-c", std::string(kProbePrelude) + kProbe}, desktop);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK internet\nOK loopback\nOK desktop\nproc-net-tcp True\n") << r.err;
}

// The shared network (the default) leaves the host's loopback services open, which is what
// --net internet is for; abstract sockets are closed there only by Landlock's scope (ABI 6).
TEST_F(Network, HostModeReachesTheHostsLoopback) {
  TempProject p = make_project(true);
  std::string desktop = unique_token("vx-desktop-");
  RunResult r = probe_in_world(p, "host", desktop);
  EXPECT_EQ(r.status, 0) << r.err;
  std::string abstract = landlock_abi() >= 6 ? "ERR EPERM" : "OK desktop";
  EXPECT_EQ(r.out, "OK internet\nOK loopback\n" + abstract + "\nproc-net-tcp True\n") << r.err;
}

TEST_F(Network, InternetModeReachesTheInternetButNotTheHost) {
  TempProject p = make_project(true);
  std::string desktop = unique_token("vx-desktop-");
  RunResult r = probe_in_world(p, "internet", desktop);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "OK internet\nERR ECONNREFUSED\nERR ECONNREFUSED\nproc-net-tcp False\n")
      << r.err;
}

TEST_F(Network, NoneModeReachesNothing) {
  TempProject p = make_project(true);
  std::string desktop = unique_token("vx-desktop-");
  RunResult r = probe_in_world(p, "none", desktop);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ERR ENETUNREACH\nERR ECONNREFUSED\nERR ECONNREFUSED\nproc-net-tcp False\n")
      << r.err;
}

// The host's resolv.conf names a resolver on its loopback, with a search domain and options
// that the sandbox's keeps.
std::vector<std::string> resolver_env(const TempProject& p, const std::string& forward) {
  std::string resolv = p.root + "/resolv.conf";
  write_file(
      resolv,
      "# the host's\nnameserver 127.0.0.53\nsearch lan.test\noptions timeout:1 attempts:1\n");
  return {"VX_RESOLV=" + resolv, "VX_FORWARD=" + forward};
}

// What the probe prints of the sandbox's resolv.conf: the host's search and options lines kept.
std::string resolv_lines(const std::string& nameserver) {
  return "['nameserver " + nameserver + "', 'search lan.test', 'options timeout:1 attempts:1']\n";
}

RunResult dns_probe_in_world(const TempProject& p, const std::vector<std::string>& options) {
  std::vector<std::string> argv = {launcher_path()};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.insert(argv.end(), {"--setenv", "VX_FORWARD", "169.254.0.53", "/usr/bin/python3", "-c",
                           std::string(kProbePrelude) + kDnsProbe});
  return in_world(p, argv, unique_token("vx-desktop-"), resolver_env(p, "169.254.0.53"));
}

// The positive control: in the little internet, the stub resolves and the resolver host's other
// services answer, on TCP and UDP.
TEST_F(Network, TheLoopbackResolverAndItsNeighboursAnswerOutsideTheSandbox) {
  TempProject p = make_project(true);
  RunResult r = in_world(p, {"/usr/bin/python3", "-c", std::string(kProbePrelude) + kDnsProbe},
                         unique_token("vx-desktop-"), resolver_env(p, "127.0.0.53"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "resolved 10.200.0.77\n" + resolv_lines("127.0.0.53") +
                       "OK resolver-host\nOK loopback\n"
                       "tcp answered resolver-host\nudp answered resolver-host-udp\n")
      << r.err;
}

// Only DNS queries reach the resolver on the host's loopback, through pasta's forward address,
// in every profile (each shows /etc/resolv.conf its own way); the resolver host's other ports,
// even through that address, and the rest of the loopback stay out of reach.
TEST_F(Network, InternetModeResolvesThroughTheHostsLoopbackResolverAndNothingElse) {
  TempProject p = make_project(true);
  for (const char* profile : {"standard", "system", "minimal"}) {
    RunResult r = dns_probe_in_world(p, {"--net", "internet", "--profile", profile});
    EXPECT_EQ(r.status, 0) << profile << r.err;
    EXPECT_EQ(r.out, "resolved 10.200.0.77\n" + resolv_lines("169.254.0.53") +
                         "ERR ECONNREFUSED\nERR ECONNREFUSED\ntcp no answer\nudp no answer\n")
        << profile << r.err;
  }
}

TEST_F(Network, NoneModeResolvesNothing) {
  TempProject p = make_project(true);
  RunResult r = dns_probe_in_world(p, {"--net", "none"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "unresolved\n" + resolv_lines("127.0.0.53") +
                       "ERR ECONNREFUSED\nERR ECONNREFUSED\ntcp no answer\nudp no answer\n")
      << r.err;
}

// The recommended install: pip online through pasta, every other entrypoint offline. pip installs
// from an index on 10.200.0.2 (wheels built on the host, offline), which shows that its run
// reached the little internet; the installed console script runs, and python has no network.
TEST_F(Network, PipInstallsFromTheInternetWhileTheOtherEntrypointsHaveNone) {
  TempProject p = make_project(true, "proj", true);
  RunResult installed =
      run_launcher(p, {"install", ".venv", "--net", "none", "--pip-net", "internet"});
  ASSERT_EQ(installed.status, 0) << installed.err;
  std::string src = p.root + "/src", wheels = p.root + "/wheels";
  write_package(src, "hello", "1.0", "def main():\n    print('hello 1.0')\n",
                {"hello=hello:main"});
  RunResult built = build_wheel_into(p, src, wheels, p.root);
  ASSERT_EQ(built.status, 0) << built.err;
  std::string probe = std::string(kProbePrelude) + kProbe;
  std::string script = p.venv +
                       "/bin/pip install -q --disable-pip-version-check --no-index --find-links "
                       "http://10.200.0.2:8000/ --trusted-host 10.200.0.2 hello && " +
                       p.venv +
                       "/bin/hello && VENV_EXEC_ARGS=\"--setenv VX_DESKTOP $VX_DESKTOP\" " +
                       p.venv + "/bin/python -c \"$PROBE\"";
  std::vector<std::string> env_probe = {"/usr/bin/env", "PROBE=" + probe, "/bin/sh", "-c", script};
  RunResult r = in_world(p, env_probe, unique_token("vx-desktop-"), {"VX_WHEELS=" + wheels});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "hello 1.0\nERR ENETUNREACH\nERR ECONNREFUSED\nERR ECONNREFUSED\nproc-net-tcp False\n")
      << r.err;
}

// pasta runs unsandboxed: one planted in VENV/bin, first on PATH as in an activated venv, must
// not be the one started. The control: the planted file does run when called.
TEST_F(Network, APastaPlantedInTheVenvIsNeverRun) {
  TempProject p = make_project(true);
  std::string marker = p.root + "/planted-pasta-ran";
  write_file(p.venv + "/bin/pasta", "#!/bin/sh\ntouch " + marker + "\nexec /usr/bin/pasta \"$@\"\n",
             0755);
  ASSERT_EQ(run({p.venv + "/bin/pasta", "--version"}, base_env(p), p.project).status, 0);
  ASSERT_TRUE(exists(marker));
  ASSERT_EQ(unlink(marker.c_str()), 0);
  RunResult r = probe_in_world(p, "internet", unique_token("vx-desktop-"),
                               {"PATH=" + p.venv + "/bin:/usr/bin:/bin"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "OK internet") << r.err;
  EXPECT_FALSE(exists(marker));
}

// pasta is the launcher's child with PR_SET_PDEATHSIG: SIGKILL the launcher mid-run and it goes
// too (pasta 2023.03 itself stays while it holds the namespace). The control: it was running.
TEST_F(Network, PastaDiesWithAKilledLauncher) {
  TempProject p = make_project(true);
  write_file(p.root + "/world.py", kWorld);
  std::vector<std::string> argv = {"/usr/bin/unshare",
                                   geteuid() == 0 ? "-n" : "-Urn",
                                   "/usr/bin/python3",
                                   p.root + "/world.py",
                                   launcher_path(),
                                   "--net",
                                   "internet",
                                   "/bin/sh",
                                   "-c",
                                   "echo running; sleep 60"};
  std::vector<std::string> env = base_env(p);
  env.insert(env.end(), {"VX_DESKTOP=unused", "VX_KILL_LAUNCHER=1"});
  RunResult r = run(argv, env, p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  // The launcher's children: pid 1 of the sandbox (venv-exec) and pasta (passt.avx2 or pasta).
  EXPECT_NE(r.out.find("pas"), std::string::npos) << r.out << r.err;
  EXPECT_NE(r.out.find(" left 0\n"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace vx::test
