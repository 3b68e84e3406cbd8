// How the user reached the wrapper decides the entrypoint (links from outside bin/, PATH,
// Popen's executable=), and an exec failure names its cause with env(1)'s exit classes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

constexpr const char* kPrefix = "import sys; print(sys.prefix)";

TEST(Entrypoint, ReachedThroughLinksFromOutsideBinAndThroughPath) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string tools = p.root + "/tools", links = p.root + "/links";
  ASSERT_EQ(mkdir(tools.c_str(), 0755), 0);
  ASSERT_EQ(mkdir(links.c_str(), 0755), 0);
  // ~/bin/tool -> proj/.venv/bin/python, and a chain of two links under another name.
  ASSERT_EQ(symlink((p.venv + "/bin/python").c_str(), (tools + "/tool").c_str()), 0);
  ASSERT_EQ(symlink("../tools/tool", (links + "/other-name").c_str()), 0);
  // A tool linked into another venv's bin/, as pipx links its apps: the venv it leads to wins.
  TempProject other = make_project(true, "other");
  ASSERT_EQ(symlink((p.venv + "/bin/python").c_str(), (other.venv + "/bin/borrowed").c_str()), 0);
  for (const std::string& via :
       {tools + "/tool", links + "/other-name", other.venv + "/bin/borrowed"}) {
    RunResult r = run({via, "-c", kPrefix}, base_env(p), p.project);
    EXPECT_EQ(r.status, 0) << via << ": " << r.err;
    EXPECT_EQ(r.out, p.venv + "\n") << via << ": " << r.err;
  }
  std::vector<std::string> env = base_env(p);
  env[0] = "PATH=" + links + ":/usr/bin:/bin";
  RunResult by_path =
      run({"/bin/sh", "-c", std::string("other-name -c '") + kPrefix + "'"}, env, p.project);
  EXPECT_EQ(by_path.out, p.venv + "\n") << by_path.err;
}

TEST(Entrypoint, PopenWithExecutableRunsTheInterpreterOnTheHostAndInside) {
  TempProject p = make_project(true);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string code =
      "import subprocess, sys\n"
      "r = subprocess.run(['not-a-command', '-c', 'import sys; print(sys.prefix); sys.exit(47)'],"
      " executable=sys.argv[1], capture_output=True, text=True)\n"
      "print(r.returncode, r.stdout.strip(), r.stderr.strip())\n";
  RunResult host =
      run({"/usr/bin/python3", "-c", code, p.venv + "/bin/python"}, base_env(p), p.project);
  EXPECT_EQ(host.out, "47 " + p.venv + " \n") << host.err;
  // Nested: inside the sandbox VENV/bin holds the real entrypoints (SPEC §7), so the program
  // runs exactly as it would from an unwrapped venv: the control is one made on the host.
  std::string plain = p.root + "/plain-venv";
  ASSERT_EQ(run({"/usr/bin/python3", "-m", "venv", "--without-pip", plain}, base_env(p), p.root)
                .status,
            0);
  RunResult control =
      run({"/usr/bin/python3", "-c", code, plain + "/bin/python"}, base_env(p), p.project);
  ASSERT_EQ(control.out.rfind("47 ", 0), 0u) << control.err;
  std::string expected = control.out;
  if (auto at = expected.find(plain); at != std::string::npos) expected.replace(at, plain.size(), p.venv);
  RunResult nested =
      run({p.venv + "/bin/python", "-c", code, p.venv + "/bin/python"}, base_env(p), p.project);
  EXPECT_EQ(nested.out, expected) << nested.err;
}

TEST(Entrypoint, NothingThatNamesAnEntrypointIsSaidSo) {
  TempProject p = make_project(true);
  std::string link = p.root + "/tool";
  ASSERT_EQ(symlink(launcher_path().c_str(), link.c_str()), 0);
  RunResult r = run({link, "--version"}, base_env(p), p.project);
  EXPECT_EQ(r.status, 125);
  EXPECT_NE(r.err.find("nothing names the entrypoint"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("python3 -m venv"), std::string::npos) << r.err;
}

#if defined(__x86_64__)
constexpr char kForeignMachine = static_cast<char>(183);  // EM_AARCH64
#else
constexpr char kForeignMachine = 62;  // EM_X86_64
#endif

// A script whose #! line is broken, with an escape sequence in it that must not reach the
// terminal raw.
const std::string kBrokenLine = "#!/no/such/interpreter -x \x1b]0;pwned\x07";

TEST(ExecFailure, EachCauseIsNamedWithEnvsExitClass) {
  TempProject p = make_project(true);
  write_file(p.project + "/broken", kBrokenLine + "\nprint(1)\n", 0755);
  write_file(p.project + "/data", "not a program\n", 0644);
  write_file(p.project + "/via-data", "#!" + p.project + "/data\n", 0755);
  write_file(p.project + "/plain", "echo no interpreter line\n", 0755);
  // An ELF header for a machine this is not (aarch64 on x86-64, x86-64 elsewhere).
  std::string elf(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  elf.resize(64, '\0');
  elf[16] = 2;  // ET_EXEC
  elf[18] = kForeignMachine;
  write_file(p.project + "/foreign", elf, 0755);
  // A real program whose ELF interpreter (the dynamic loader) names a file that does not exist.
  std::string program = read_file("/bin/true");
  size_t loader = program.find(".so.", program.find("/ld-linux"));
  ASSERT_NE(loader, std::string::npos);
  program[loader + 4] = '9';
  write_file(p.project + "/no-loader", program, 0755);
  struct Case {
    std::string file;
    int status;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {p.project + "/missing", 127, "no such file or directory in the sandbox"},
           {"no-such-command-anywhere", 127, "command not found in the sandbox"},
           {p.project + "/broken", 127,
            "its interpreter line \"#!/no/such/interpreter -x \\x1b]0;pwned\\x07\" names a "
            "program that is not in the sandbox"},
           {p.project + "/via-data", 126, "its interpreter line \"#!" + p.project + "/data\""},
           {p.project + "/data", 126, "permission denied: the file is not executable"},
           {p.project + "/plain", 126, "not an executable format"},
           {p.project + "/foreign", 126, "built for another architecture"},
           {p.project + "/no-loader", 127, "its program interpreter (the dynamic loader"},
       }) {
    RunResult r = run_launcher(p, {c.file});
    EXPECT_EQ(r.status, c.status) << c.file << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.file << ": " << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos) << c.file;
  }
}

TEST(ExecFailure, ABrokenConsoleScriptIsNamedOnTheHostAndInANestedCall) {
  TempProject p = make_project(true);
  write_file(p.venv + "/bin/brokentool", kBrokenLine + "\n", 0755);
  ASSERT_EQ(run_launcher(p, {"install"}).status, 0);
  std::string says = "its interpreter line \"#!/no/such/interpreter -x \\x1b]0;pwned\\x07\"";
  RunResult host = run({p.venv + "/bin/brokentool"}, base_env(p), p.project);
  EXPECT_EQ(host.status, 127) << host.err;
  EXPECT_NE(host.err.find(says), std::string::npos) << host.err;
  // Inside, VENV/bin holds the real script, which a shell runs itself (and names in its own
  // words); a nested venv-exec call names the cause as the host does.
  RunResult nested = run_launcher(p, {"/bin/sh", "-c", launcher_path() + " brokentool"});
  EXPECT_EQ(nested.status, 127) << nested.err;
  EXPECT_NE(nested.err.find(says), std::string::npos) << nested.err;
  EXPECT_EQ(nested.err.find('\x1b'), std::string::npos);
}

// A nested `venv-exec [OPTION...] CMD` parses its options as a launch does, runs CMD in the
// sandbox it is already in, and says that the options do not apply there.
TEST(Entrypoint, ANestedCallWithOptionsRunsInPlaceAndSaysSo) {
  TempProject p = make_project(true);
  std::string inner = launcher_path() + " --unshare-net --setenv X 1 -- /bin/sh -c "
                      "'readlink /proc/self/ns/user; echo X=$X'";
  RunResult r = run_launcher(p, {"/bin/sh", "-c", "readlink /proc/self/ns/user; " + inner});
  ASSERT_EQ(r.status, 0) << r.err;
  // The same user namespace twice (no second sandbox), and the option not applied.
  std::string ns = r.out.substr(0, r.out.find('\n') + 1);
  ASSERT_NE(ns.find("user:["), std::string::npos) << r.out;
  EXPECT_EQ(r.out, ns + ns + "X=\n");
  EXPECT_NE(r.err.find("already inside a sandbox: the options are ignored"), std::string::npos)
      << r.err;
  // Without options, nothing is said.
  RunResult quiet = run_launcher(p, {"/bin/sh", "-c", launcher_path() + " /bin/true"});
  EXPECT_EQ(quiet.status, 0);
  EXPECT_EQ(quiet.err, "");
}

}  // namespace
}  // namespace vx::test
