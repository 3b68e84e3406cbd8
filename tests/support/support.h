// Test support: temporary projects with a planted secret, and running the built launcher.
// Used by the integration and hostile suites; never linked into venv-exec.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vx::test {

// The venv-exec binary under test: $VENV_EXEC, set by meson (or by as-nobody to its copy).
std::string launcher_path();

struct TempProject {
  std::string root;         // the temp dir holding everything below (removed by the destructor)
  std::string home;         // a HOME with .ssh/id_ed25519 planted
  std::string project;      // the project directory
  std::string venv;         // project/.venv, empty when made without one
  std::string secret_path;  // home/.ssh/id_ed25519
  std::string secret;       // its content
  ~TempProject();
};

// `name` is the project directory's name (spaces and non-ASCII welcome). `pip`: a venv with pip
// (slower); otherwise --without-pip.
TempProject make_project(bool with_venv, const std::string& name = "proj", bool pip = false);

struct RunResult {
  int status = -1;  // exit code, or 128+N when killed by signal N
  std::string out, err;
};

// The environment the launcher gets by default: PATH, HOME (the project's), LANG.
std::vector<std::string> base_env(const TempProject& p);

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::string& cwd, const std::string& stdin_data = "");

// `venv-exec ARGS...` in the project, with base_env plus `extra_env`.
RunResult run_launcher(const TempProject& p, const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env = {},
                       const std::string& stdin_data = "");

// A Python probe: the same code run on the host (the positive control) and in the sandbox.
// `kProbePrelude` defines attempt(fn): prints "OK <value>" or "ERR <errno name>".
extern const char* const kProbePrelude;
RunResult host_probe(const TempProject& p, const std::string& code,
                     const std::vector<std::string>& extra_env = {});
RunResult sandbox_probe(const TempProject& p, const std::string& code,
                        const std::vector<std::string>& options = {},
                        const std::vector<std::string>& extra_env = {});

// Runs `argv` with a new pseudo-terminal as its controlling terminal (and stdin/stdout), through
// a small Python driver on the host; `out` is what appeared on the terminal, CRs removed. With a
// `prompt`, the driver types `answer` and Enter once the prompt has appeared.
RunResult run_under_pty(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                        const std::string& cwd, const std::string& prompt = "",
                        const std::string& answer = "");

// A launcher started in the background, its stdout readable line by line.
struct Background {
  pid_t pid = -1;
  int out_fd = -1;
};
Background start_launcher(const TempProject& p, const std::vector<std::string>& args);
// Any program, with exactly `env`, stdin on /dev/null.
Background start_process(std::vector<std::string> argv, std::vector<std::string> env,
                         const std::string& cwd);
std::string read_line(int fd);  // "" at EOF
int wait_status(pid_t pid);     // exit code or 128+N

// Python code that runs each URL (a Python expression) through xdg-open inside and prints
// the exit statuses on one line.
std::string open_each(const std::vector<std::string>& urls);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& data, mode_t mode = 0644);
bool exists(const std::string& path);

// The entries of `dir` (not . and ..), sorted.
std::vector<std::string> dir_names(const std::string& dir);

// What in VENV/bin a host could run outside the sandbox, one "NAME: why" line each: anything
// but our wrapper (a link to the launcher whose VENV/venv-exec/real target exists) and the
// non-executable activate scripts. Empty when bin/ is as SPEC §7 wants it.
std::string bin_violations(const std::string& venv);

// Host processes whose command line contains `needle`.
std::vector<pid_t> processes_with_arg(const std::string& needle);

// A unique token for argv markers and file names.
std::string unique_token(const std::string& prefix);

// The kernel's Landlock ABI, -1 when Landlock is absent.
int landlock_abi();

// Whether VENV_EXEC_TEST_MUST_WORK is set (CI): a missing kernel feature then fails the test
// (STYLE §7; bubblewrap's BWRAP_MUST_WORK).
bool must_work();

}  // namespace vx::test

// Skips the test when the kernel lacks WHAT (COND false), with the reason; fails it instead
// under VENV_EXEC_TEST_MUST_WORK.
#define VX_REQUIRE_KERNEL(cond, what)                                   \
  do {                                                                  \
    if (!(cond)) {                                                      \
      if (::vx::test::must_work()) FAIL() << "kernel lacks " << (what); \
      GTEST_SKIP() << "kernel lacks " << (what);                        \
    }                                                                   \
  } while (0)
