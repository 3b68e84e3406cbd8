#include "host/host.h"

#include <pwd.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>

namespace vx {

std::optional<std::string> host_env(const HostFacts& facts, std::string_view name) {
  for (const auto& kv : facts.environ) {
    if (kv.size() > name.size() && kv.compare(0, name.size(), name) == 0 && kv[name.size()] == '=')
      return kv.substr(name.size() + 1);
  }
  return std::nullopt;
}

static Expected<std::string> resolve_home(const HostFacts& facts) {
  auto home = host_env(facts, "HOME");
  if (home && !home->empty() && home->front() == '/') return *home;
  struct passwd* pw = getpwuid(facts.uid);
  if (pw != nullptr && pw->pw_dir != nullptr && pw->pw_dir[0] == '/')
    return std::string(pw->pw_dir);
  return fail(
      Error::make("find the home directory",
                  "HOME is unset and uid " + std::to_string(facts.uid) + " has no passwd entry",
                  "set HOME to an absolute path"));
}

Expected<HostFacts> read_host_facts(const char* argv0, char** envp, int64_t started_ns) {
  HostFacts facts;
  facts.uid = getuid();
  facts.gid = getgid();
  facts.argv0 = argv0 != nullptr ? argv0 : "venv-exec";
  if (auto* fn = reinterpret_cast<const char*>(getauxval(AT_EXECFN))) facts.execfn = fn;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) facts.environ.emplace_back(*e);

  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr)
    return fail(Error::from_errno("read the current directory",
                                  "cd into an existing directory and try again"));
  facts.cwd = buf;
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) return fail(Error::from_errno("readlink /proc/self/exe", "mount /proc"));
  facts.self_exe.assign(buf, static_cast<size_t>(n));
  TRY_ASSIGN(home, resolve_home(facts));
  facts.home = home;
  for (int fd = 0; fd <= 2; ++fd) {
    // One TCGETS per descriptor: ttyname_r repeats it, but only for a terminal.
    bool tty = isatty(fd) == 1;
    if (fd == STDIN_FILENO) facts.stdin_tty = tty;
    char name[PATH_MAX];
    if (!tty || ttyname_r(fd, name, sizeof name) != 0) continue;
    if (std::find(facts.terminals.begin(), facts.terminals.end(), name) == facts.terminals.end())
      facts.terminals.emplace_back(name);
  }
  auto timing = host_env(facts, "VENV_EXEC_TIMING");
  facts.timing = {timing && !timing->empty() && *timing != "0", started_ns};
  for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
    std::string path = std::string("/") + name;
    ssize_t len = readlink(path.c_str(), buf, sizeof buf - 1);
    if (len >= 0) {
      facts.root_links.emplace_back(path, std::string(buf, static_cast<size_t>(len)));
    } else if (errno == EINVAL) {
      facts.root_links.emplace_back(path, "");
    }
  }
  return facts;
}

}  // namespace vx
