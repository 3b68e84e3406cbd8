// Hostile probes against the file system view: secrets outside the project, writes outside
// it, and the files a host program later trusts. Each probe runs on the host first (positive
// control: the attack works there), then in the sandbox, where it must fail for the named reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

std::string read_probe(const std::string& path) {
  return "attempt(lambda: open(" + std::string("'") + path + "').read().strip())\n";
}

TEST(Files, HomeSecretByItsRealPath) {
  TempProject p = make_project(true);
  EXPECT_EQ(host_probe(p, read_probe(p.secret_path)).out, "OK " + p.secret + "\n");
  EXPECT_EQ(sandbox_probe(p, read_probe(p.secret_path)).out, "ERR ENOENT\n");
}

TEST(Files, HomeSecretThroughASymlinkInTheProject) {
  TempProject p = make_project(true);
  ASSERT_EQ(symlink(p.secret_path.c_str(), (p.project + "/innocent.txt").c_str()), 0);
  EXPECT_EQ(host_probe(p, read_probe("innocent.txt")).out, "OK " + p.secret + "\n");
  EXPECT_EQ(sandbox_probe(p, read_probe("innocent.txt")).out, "ERR ENOENT\n");
}

TEST(Files, PlantedProtectedSymlinkIsNotFollowed) {
  // An earlier run planted .env -> ~/.ssh/id_ed25519; binding .env read-only must not bind
  // the key into the next sandbox, and the planted link must not stop every later launch
  // (SPEC §3a.4): it is left out of the protected binds, with a warning.
  TempProject p = make_project(true);
  ASSERT_EQ(symlink(p.secret_path.c_str(), (p.project + "/.env").c_str()), 0);
  EXPECT_EQ(host_probe(p, read_probe(".env")).out, "OK " + p.secret + "\n");
  RunResult r = sandbox_probe(p, read_probe(".env"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "ERR ENOENT\n");
  EXPECT_NE(r.err.find(p.project + "/.env is a symbolic link, which a sandbox may have planted"),
            std::string::npos)
      << r.err;
}

TEST(Files, ProcRootAndCwdTricks) {
  TempProject p = make_project(true);
  std::string rel = "/proc/self/cwd/../home/.ssh/id_ed25519";
  std::string code = read_probe("/proc/self/root" + p.secret_path) + read_probe(rel) +
                     read_probe("/proc/1/root" + p.secret_path);
  RunResult host = host_probe(p, read_probe("/proc/self/root" + p.secret_path) + read_probe(rel));
  EXPECT_EQ(host.out, "OK " + p.secret + "\nOK " + p.secret + "\n");
  // pid 1 is the sandbox's non-dumpable init: its root is not even open to the program.
  EXPECT_EQ(sandbox_probe(p, code).out, "ERR ENOENT\nERR ENOENT\nERR EACCES\n");
}

TEST(Files, HardLinkOutOfAReadOnlyMountFails) {
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/.git").c_str(), 0755), 0);
  write_file(p.project + "/.git/config", "[core]\n");
  std::string code = "attempt(lambda: os.link('.git/config', 'cfg-link'))\n";
  EXPECT_EQ(host_probe(p, code).out, "OK \n");
  ASSERT_EQ(unlink((p.project + "/cfg-link").c_str()), 0);
  EXPECT_EQ(sandbox_probe(p, code).out, "ERR EXDEV\n");
}

TEST(Files, WritesOutsideTheProjectFail) {
  TempProject p = make_project(true);
  // The test's root lies under the host's /tmp, which the sandbox replaces by a private tmpfs:
  // the write may succeed there, but must not reach the host.
  std::string outside = p.root + "/outside-" + unique_token("w");
  std::string code = "attempt(lambda: open('" + outside +
                     "', 'w').write('x'))\n"
                     "attempt(lambda: open('/usr/evil', 'w'))\n"
                     "attempt(lambda: open('/etc/evil', 'w'))\n"
                     "attempt(lambda: open('/evil', 'w'))\n";
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "OK 1\nERR EROFS\nERR EROFS\nERR EROFS\n") << inside.err;
  EXPECT_FALSE(exists(outside));
  // Positive control: the same path is writable on the host.
  EXPECT_EQ(host_probe(p, "attempt(lambda: open('" + outside + "', 'w').write('x'))\n").out,
            "OK 1\n");
}

TEST(Files, PrivateTmpDoesNotReachTheHost) {
  TempProject p = make_project(true);
  std::string name = "/tmp/" + unique_token("vx-tmp-");
  RunResult inside = sandbox_probe(p, "attempt(lambda: open('" + name + "', 'w').write('x'))\n");
  EXPECT_EQ(inside.out, "OK 1\n");
  EXPECT_FALSE(exists(name));
}

TEST(Files, TrustedProjectFilesAreReadOnly) {
  TempProject p = make_project(true);
  for (const char* dir : {"/.git", "/.git/hooks", "/.vscode", "/.idea", "/.hg"})
    ASSERT_EQ(mkdir((p.project + dir).c_str(), 0755), 0);
  write_file(p.project + "/.git/config", "[core]\n");
  write_file(p.project + "/.env", "A=1\n");
  write_file(p.project + "/.envrc", "export A=1\n");
  std::string code;
  for (const char* f : {".git/hooks/pre-commit", ".git/config", ".env", ".envrc",
                        ".vscode/settings.json", ".idea/workspace.xml", ".hg/hgrc",
                        ".venv/bin/activate", ".venv/pyvenv.cfg", ".venv/bin/Activate.ps1"})
    code += "attempt(lambda: open('" + std::string(f) + "', 'a').write('#evil'))\n";
  std::string expected;
  for (int i = 0; i < 10; ++i) expected += "ERR EROFS\n";
  EXPECT_EQ(sandbox_probe(p, code).out, expected);
  // Positive control on a copy of the same layout: the host can write every one of them.
  std::string host_out = host_probe(p, code).out;
  EXPECT_EQ(host_out.find("ERR"), std::string::npos) << host_out;
}

TEST(Files, TrustedPathsCannotBeRenamedOrRemoved) {
  TempProject p = make_project(true);
  ASSERT_EQ(mkdir((p.project + "/.git").c_str(), 0755), 0);
  write_file(p.project + "/.env", "A=1\n");
  std::string code =
      "attempt(lambda: os.rename('.git', 'git-moved'))\n"
      "attempt(lambda: os.unlink('.env'))\n"
      "attempt(lambda: os.rename('.venv', 'venv-moved'))\n";
  EXPECT_EQ(sandbox_probe(p, code).out, "ERR EBUSY\nERR EBUSY\nERR EBUSY\n");
  EXPECT_TRUE(exists(p.project + "/.git") && exists(p.project + "/.env") && exists(p.venv));
}

TEST(Files, RootCallerCannotWriteMachineWideProcFiles) {
  TempProject p = make_project(true);
  // Both writes would be harmless if they went through: drop_caches only drops caches, and
  // core_pattern gets its own current value back.
  std::string code =
      "attempt(lambda: open('/proc/sys/vm/drop_caches', 'w').write('1'))\n"
      "v = open('/proc/sys/kernel/core_pattern').read()\n"
      "attempt(lambda: open('/proc/sys/kernel/core_pattern', 'w').write(v))\n";
  RunResult r = sandbox_probe(p, code);
  // Read-only for a root caller (EROFS), refused by permissions for anyone else (EACCES).
  std::string expected = getuid() == 0 ? "ERR EROFS\nERR EROFS\n" : "ERR EACCES\nERR EACCES\n";
  EXPECT_EQ(r.out, expected) << r.err;
}

TEST(Files, NoHostDevicesOrDeviceNodes) {
  TempProject p = make_project(true);
  std::string code =
      "print(sorted(os.listdir('/dev')))\n"
      "attempt(lambda: os.mknod('/tmp/sda', 0o600 | 0o060000, os.makedev(8, 0)))\n";
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.out,
            "['fd', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', "
            "'tty', 'urandom', 'zero']\nERR EPERM\n")
      << r.err;
}

TEST(Files, HostEtcOutsideTheCuratedListIsHidden) {
  TempProject p = make_project(true);
  std::string code =
      "for f in ('/etc/machine-id', '/etc/fstab', '/etc/shadow', '/etc/sudoers', "
      "'/var', '/root', '/home', '/opt'):\n"
      "    print(f, os.path.lexists(f))\n";
  // Positive control: each that the host has is there outside.
  RunResult host = host_probe(p, code);
  ASSERT_NE(host.out.find("/etc/machine-id True"), std::string::npos) << host.out;
  ASSERT_NE(host.out.find("/etc/fstab True"), std::string::npos) << host.out;
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out.find("True"), std::string::npos) << inside.out << inside.err;
  EXPECT_NE(inside.out.find("/etc/machine-id False"), std::string::npos) << inside.out;
}

TEST(Files, AccountFilesNameOnlyRootTheCallerAndNobody) {
  TempProject p = make_project(true);
  std::string code =
      "print(sorted(l.split(':')[2] for l in open('/etc/passwd')))\n"
      "import pwd; print(pwd.getpwuid(os.getuid()).pw_uid == os.getuid())\n";
  // Positive control: the host's file names other accounts (daemon, bin, sys, ...).
  RunResult host = host_probe(p, "print(len(open('/etc/passwd').readlines()) > 3)\n");
  ASSERT_EQ(host.out, "True\n");
  RunResult inside = sandbox_probe(p, code);
  // The suites run as root and as nobody, so the caller is one of the two (view_test covers
  // another caller and --uid).
  EXPECT_EQ(inside.out, "['0', '65534']\nTrue\n") << inside.err;
}

TEST(Files, CopiedEtcFilesCannotBeChanged) {
  TempProject p = make_project(true);
  std::string code =
      "attempt(lambda: len(open('/etc/hosts').read()) > 0)\n"
      "attempt(lambda: open('/etc/hosts', 'a'))\n"
      "attempt(lambda: open('/etc/passwd', 'w'))\n"
      "attempt(lambda: os.chmod('/etc/hosts', 0o666))\n"
      "attempt(lambda: os.unlink('/etc/hosts'))\n"
      "attempt(lambda: open('/etc/new', 'w'))\n";
  RunResult inside = sandbox_probe(p, code);
  EXPECT_EQ(inside.out, "OK True\nERR EROFS\nERR EROFS\nERR EROFS\nERR EROFS\nERR EROFS\n")
      << inside.err;
}

}  // namespace
}  // namespace vx::test
