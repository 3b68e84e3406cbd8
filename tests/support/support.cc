#include "support.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace vx::test {

namespace {

std::string tmp_base() {
  const char* t = getenv("TMPDIR");
  return t != nullptr && t[0] == '/' ? t : "/tmp";
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what + ": " + std::strerror(errno));
}

void remove_tree(const std::string& path) {
  // Only directories this file created (mkdtemp) and marked are removed.
  if (path.empty() || !exists(path + "/.vx-test-root")) return;
  run({"/bin/rm", "-rf", "--one-file-system", path}, {"PATH=/usr/bin:/bin"}, "/");
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

}  // namespace

std::string launcher_path() {
  const char* p = getenv("VENV_EXEC");
  if (p == nullptr)
    throw std::runtime_error("VENV_EXEC is not set (run the tests with meson test)");
  return p;
}

std::string unique_token(const std::string& prefix) {
  std::random_device rd;
  return prefix + std::to_string(getpid()) + "x" + std::to_string(rd() % 1000000000u);
}

int landlock_abi() {
  constexpr unsigned kVersion = 1;  // LANDLOCK_CREATE_RULESET_VERSION
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, kVersion);
  return abi < 0 ? -1 : static_cast<int>(abi);
}

bool must_work() {
  const char* v = getenv("VENV_EXEC_TEST_MUST_WORK");
  return v != nullptr && v[0] != '\0';
}

TempProject::~TempProject() { remove_tree(root); }

TempProject make_project(bool with_venv, const std::string& name, bool pip) {
  TempProject p;
  std::string tmpl = tmp_base() + "/vx-test-XXXXXX";
  check(mkdtemp(tmpl.data()) != nullptr, "mkdtemp");
  p.root = tmpl;
  write_file(p.root + "/.vx-test-root", "");
  p.home = p.root + "/home";
  p.project = p.root + "/" + name;
  check(mkdir(p.home.c_str(), 0700) == 0 && mkdir((p.home + "/.ssh").c_str(), 0700) == 0, "mkdir");
  check(mkdir(p.project.c_str(), 0755) == 0, "mkdir project");
  p.secret_path = p.home + "/.ssh/id_ed25519";
  p.secret = unique_token("SECRET-KEY-");
  write_file(p.secret_path, p.secret + "\n", 0600);
  if (with_venv) {
    p.venv = p.project + "/.venv";
    std::vector<std::string> argv = {"/usr/bin/python3", "-m", "venv"};
    if (!pip) argv.push_back("--without-pip");
    argv.push_back(p.venv);
    RunResult r = run(argv, {"PATH=/usr/bin:/bin", "HOME=" + p.home}, p.project);
    if (r.status != 0) throw std::runtime_error("python3 -m venv failed: " + r.err);
  }
  return p;
}

std::vector<std::string> base_env(const TempProject& p) {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=" + p.home, "LANG=C.UTF-8"};
}

int wait_status(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

RunResult run(const std::vector<std::string>& argv_in, const std::vector<std::string>& env_in,
              const std::string& cwd, const std::string& stdin_data) {
  int in[2], out[2], err[2];
  check(pipe2(in, O_CLOEXEC) == 0 && pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0,
        "pipe");
  std::vector<std::string> argv = argv_in, env = env_in;
  pid_t pid = fork();
  check(pid >= 0, "fork");
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    if (chdir(cwd.c_str()) != 0) _exit(121);
    auto a = c_strings(argv), e = c_strings(env);
    execve(a[0], a.data(), e.data());
    _exit(122);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (!stdin_data.empty()) (void)!write(in[1], stdin_data.data(), stdin_data.size());
  close(in[1]);
  RunResult r;
  struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0 && errno == EINTR) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  r.status = wait_status(pid);
  return r;
}

RunResult run_launcher(const TempProject& p, const std::vector<std::string>& args,
                       const std::vector<std::string>& extra_env, const std::string& stdin_data) {
  std::vector<std::string> argv = {launcher_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = base_env(p);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return run(argv, env, p.project, stdin_data);
}

const char* const kProbePrelude =
    "import errno, os, sys\n"
    "def attempt(fn):\n"
    "    try:\n"
    "        r = fn()\n"
    "        print('OK', '' if r is None else r, flush=True)\n"
    "    except OSError as e:\n"
    "        print('ERR', errno.errorcode.get(e.errno, e.errno), flush=True)\n";

RunResult host_probe(const TempProject& p, const std::string& code,
                     const std::vector<std::string>& extra_env) {
  std::vector<std::string> env = base_env(p);
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return run({"/usr/bin/python3", "-c", std::string(kProbePrelude) + code}, env, p.project);
}

RunResult sandbox_probe(const TempProject& p, const std::string& code,
                        const std::vector<std::string>& options,
                        const std::vector<std::string>& extra_env) {
  std::vector<std::string> args = options;
  args.insert(args.end(), {"/usr/bin/python3", "-c", std::string(kProbePrelude) + code});
  return run_launcher(p, args, extra_env);
}

RunResult run_under_pty(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                        const std::string& cwd, const std::string& prompt,
                        const std::string& answer) {
  static const char* const kDriver =
      "import os, pty, sys\n"
      "prompt, answer = sys.argv[1].encode(), sys.argv[2].encode()\n"
      "pid, fd = pty.fork()\n"
      "if pid == 0:\n"
      "    os.execv(sys.argv[3], sys.argv[3:])\n"
      "out, typed = b'', False\n"
      "while True:\n"
      "    try:\n"
      "        chunk = os.read(fd, 1024)\n"
      "    except OSError:\n"
      "        break\n"
      "    if not chunk:\n"
      "        break\n"
      "    out += chunk\n"
      "    if prompt and not typed and prompt in out:\n"
      "        os.write(fd, answer + b'\\n')\n"
      "        typed = True\n"
      "os.waitpid(pid, 0)\n"
      "print(out.decode(errors='replace').replace('\\r', '').strip())\n";
  std::vector<std::string> full = {"/usr/bin/python3", "-c", kDriver, prompt, answer};
  full.insert(full.end(), argv.begin(), argv.end());
  return run(full, env, cwd);
}

Background start_process(std::vector<std::string> argv, std::vector<std::string> env,
                         const std::string& cwd) {
  int out[2];
  check(pipe2(out, O_CLOEXEC) == 0, "pipe");
  pid_t pid = fork();
  check(pid >= 0, "fork");
  if (pid == 0) {
    dup2(out[1], 1);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (chdir(cwd.c_str()) != 0) _exit(121);
    auto a = c_strings(argv), e = c_strings(env);
    execve(a[0], a.data(), e.data());
    _exit(122);
  }
  close(out[1]);
  return {pid, out[0]};
}

Background start_launcher(const TempProject& p, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {launcher_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return start_process(argv, base_env(p), p.project);
}

std::string read_line(int fd) {
  std::string line;
  char c;
  while (read(fd, &c, 1) == 1) {
    if (c == '\n') return line;
    line += c;
  }
  return line;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& data, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  check(fd >= 0, "open " + path);
  check(write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()), "write " + path);
  fchmod(fd, mode);
  close(fd);
}

bool exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::vector<std::string> dir_names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (struct dirent* e = readdir(d))
      if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
        names.push_back(e->d_name);
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string bin_violations(const std::string& venv) {
  std::string out;
  for (const auto& name : dir_names(venv + "/bin")) {
    std::string path = venv + "/bin/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    char buf[4096];
    ssize_t n = S_ISLNK(st.st_mode) ? readlink(path.c_str(), buf, sizeof buf) : -1;
    std::string text = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    if (S_ISLNK(st.st_mode) && text != launcher_path()) {
      out += name + ": a link to " + text + "\n";
    } else if (S_ISLNK(st.st_mode)) {
      // A temp wrapper of a killed publish names nothing; the next publish removes it.
      if (name != "shell" && !name.ends_with(".venv-exec-tmp") &&
          !exists(venv + "/venv-exec/real/" + name))
        out += name + ": a wrapper without its real target\n";
    } else if (!S_ISREG(st.st_mode) || (st.st_mode & 0111)) {
      out += name + ": not a wrapper\n";
    } else if (!name.starts_with("activate") && name != "Activate.ps1") {
      out += name + ": a plain file a shell might source\n";
    }
  }
  return out;
}

std::vector<pid_t> processes_with_arg(const std::string& needle) {
  std::vector<pid_t> found;
  DIR* d = opendir("/proc");
  if (d == nullptr) return found;
  while (struct dirent* e = readdir(d)) {
    char* end;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    std::string cmd = read_file("/proc/" + std::string(e->d_name) + "/cmdline");
    if (cmd.find(needle) != std::string::npos) found.push_back(static_cast<pid_t>(pid));
  }
  closedir(d);
  return found;
}

std::string open_each(const std::vector<std::string>& urls) {
  std::string list;
  for (const auto& u : urls) list += "    " + u + ",\n";
  return "import subprocess\n"
         "urls = [\n" +
         list +
         "]\n"
         "print(' '.join(str(subprocess.run(['xdg-open', u]).returncode) for u in urls))\n";
}

}  // namespace vx::test
