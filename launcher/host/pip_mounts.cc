#include "host/pip_mounts.h"

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "base/path.h"
#include "base/real_path.h"
#include "host/sandbox_writable.h"
#include "plan/pip_args.h"

namespace vx {

namespace {

// The real path of an existing file or directory; nullopt when it does not exist (pip then
// says so itself, naming the path as the user typed it).
std::optional<std::string> resolved(const std::string& path) {
  auto real = real_path(path);
  if (!real) return std::nullopt;
  return std::move(*real);
}

// A mount point under $HOME is made in VENV/home, which sandboxes write: a link or a file
// planted in its way would make every later pip launch fail, so such a bind is left out.
bool way_is_clear(const HostFacts& host, const Venv& venv, const std::string& dest) {
  if (!is_within(dest, host.home) || dest == host.home) return true;
  std::string path = venv.dir + "/home";
  std::string rest = dest.substr(host.home.size() + 1);
  while (!rest.empty()) {
    auto slash = rest.find('/');
    bool last = slash == std::string::npos;
    path += "/" + rest.substr(0, slash);
    rest = last ? "" : rest.substr(slash + 1);
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) return errno == ENOENT;
    if (last ? S_ISLNK(st.st_mode) : !S_ISDIR(st.st_mode)) {
      warn(dest + " is not shown to pip: " + path + " is in the way (a sandbox may have made it)");
      return false;
    }
  }
  return true;
}

void add_config_files(const HostFacts& host, const Venv& venv, std::vector<MountOp>& out) {
  auto xdg = host_env(host, "XDG_CONFIG_HOME");
  std::string config = xdg && !xdg->empty() && xdg->front() == '/' ? *xdg : host.home + "/.config";
  // Inside, XDG_CONFIG_HOME is unset: pip reads $HOME/.config/pip/pip.conf.
  std::vector<std::pair<std::string, std::string>> files = {
      {"/etc/pip.conf", "/etc/pip.conf"},
      {"/etc/xdg/pip/pip.conf", "/etc/xdg/pip/pip.conf"},
      {config + "/pip/pip.conf", host.home + "/.config/pip/pip.conf"},
      {host.home + "/.pip/pip.conf", host.home + "/.pip/pip.conf"},
  };
  // PIP_CONFIG_FILE reaches pip (PIP_* pass for pip only): so must the file it names.
  if (auto named = host_env(host, "PIP_CONFIG_FILE"); named && !named->empty()) {
    std::string p = named->front() == '/' ? *named : host.cwd + "/" + *named;
    files.emplace_back(p, p);
  }
  for (const auto& [src, dest] : files) {
    if (auto link = link_planted_on_way(src, {venv.project}); !link.empty()) {
      warn("pip: " + src + " is not shown to pip: it leads through the link " + link +
           " in the project, which a sandbox may have made");
      continue;
    }
    auto real = resolved(src);
    struct stat st;
    if (!real || stat(real->c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (way_is_clear(host, venv, dest)) out.push_back({MountKind::kRoBind, *real, dest});
  }
}

void add_command_line_paths(const HostFacts& host, const Venv& venv,
                            const std::vector<std::string>& argv, std::vector<MountOp>& out) {
  for (std::string typed : pip_local_paths(pip_arguments(argv))) {
    if (typed == "~" || typed.starts_with("~/")) typed = host.home + typed.substr(1);
    if (typed.front() != '/') typed = host.cwd + "/" + typed;
    auto real = resolved(typed);
    // Bound at its real path: pip resolves `..` from its working directory physically.
    if (!real || is_within(*real, venv.project)) continue;
    // A link in the project that leads out of it may be a sandbox's (`libs/foo -> ~/.ssh`).
    if (auto link = link_planted_on_way(typed, {venv.project}); !link.empty()) {
      warn("pip: " + typed + " is not shown to pip: it leaves the project through the link " +
           link + ", which a sandbox may have made; bind the target yourself with --ro-bind");
      continue;
    }
    if (is_within(host.home, *real)) {
      warn("pip: " + typed + " is not shown to pip: it is / or holds your home directory; " +
           "name a directory inside it, or bind it yourself with --ro-bind");
      continue;
    }
    if (is_within(*real, "/usr") || is_within(*real, "/proc") || is_within(*real, "/dev"))
      continue;
    if (way_is_clear(host, venv, *real)) out.push_back({MountKind::kRoBind, *real, *real});
  }
}

}  // namespace

std::vector<MountOp> pip_mounts(const HostFacts& host, const Venv& venv,
                                const std::vector<std::string>& argv) {
  std::vector<MountOp> out;
  add_config_files(host, venv, out);
  add_command_line_paths(host, venv, argv, out);
  return out;
}

}  // namespace vx
