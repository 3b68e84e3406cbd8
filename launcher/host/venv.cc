#include "host/venv.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <iterator>

#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"
#include "host/state.h"
#include "sandbox/mount_ops.h"

namespace vx {

namespace {

bool is_dir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "3.11.2" or "3.11.7.final.0" -> "3.11".
std::string major_minor(const std::string& version) {
  auto first = version.find('.');
  if (first == std::string::npos) return version;
  auto second = version.find('.', first + 1);
  return version.substr(0, second);
}

// The base interpreter's real prefix: resolve HOME/pythonX.Y (or python3) through every
// symlink, then go up from bin/. Bound read-only whatever its location (pyenv, uv, /opt).
Expected<std::string> interpreter_prefix(const PyvenvCfg& cfg, const std::string& mm) {
  for (const std::string& name : {"python" + mm, std::string("python3"), std::string("python")}) {
    if (auto real = real_path(cfg.home + "/" + name)) return parent_dir(parent_dir(*real));
  }
  return fail(Error::make("find the base interpreter of the venv",
                          "no python" + mm + " or python3 in " + cfg.home,
                          "the interpreter this venv was made from is gone; recreate the venv"));
}

}  // namespace

Expected<PyvenvCfg> parse_pyvenv_cfg(std::string_view text, const std::string& file) {
  PyvenvCfg cfg;
  // Plain buffer parsing: a string stream would initialise the C++ locale at every launch.
  while (!text.empty()) {
    size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = trim_blanks(line.substr(0, eq));
    std::string_view value = trim_blanks(line.substr(eq + 1));
    if (key == "home") cfg.home = value;
    if (key == "version" || (key == "version_info" && cfg.version.empty())) cfg.version = value;
  }
  if (cfg.home.empty() || cfg.home.front() != '/')
    return fail(Error::make("read " + file, "no absolute 'home = ...' line",
                            "recreate the venv with python3 -m venv"));
  return cfg;
}

Expected<Venv> load_venv(const std::string& dir, const std::string& how) {
  Venv venv;
  auto resolved = real_path(dir);
  if (!resolved) {
    Error e = resolved.error();
    e.what = "find the venv " + how + " " + dir;
    e.hint = "create it with 'python3 -m venv " + dir + "' or name another with --venv";
    return fail(e);
  }
  venv.dir = *resolved;
  std::string cfg_path = venv.dir + "/pyvenv.cfg";
  // pyvenv.cfg is sandbox-writable during pip, and a planted venv's is the sandbox's own
  // (SPEC §3a.4): no link followed, no FIFO waited on, at most 64 KiB.
  auto text = read_untrusted_file(cfg_path, 64 << 10);
  if (!text && text.error().sys_errno == ENOENT)
    return fail(Error::make("use " + venv.dir + " as a venv (" + how + ")", "it has no pyvenv.cfg",
                            "create a venv with 'python3 -m venv " + dir + "'"));
  if (!text) return fail(text.error());
  TRY_ASSIGN(cfg, parse_pyvenv_cfg(*text, cfg_path));
  venv.python_version = major_minor(cfg.version);
  TRY_ASSIGN(prefix, interpreter_prefix(cfg, venv.python_version));
  venv.python_prefix = prefix;
  venv.project = parent_dir(venv.dir);
  venv.wrapped = is_dir(venv_real_dir(venv));
  return venv;
}

Expected<Venv> find_venv(const std::optional<std::string>& named, const HostFacts& host,
                         const Registry& registry) {
  if (named) return load_venv(*named, "named by --venv");
  if (auto active = host_env(host, "VIRTUAL_ENV"); active && !active->empty())
    return load_venv(*active, "named by $VIRTUAL_ENV");
  if (auto registered = registry.venv_above(host.cwd))
    return load_venv(*registered, "registered by venv-exec install");
  std::string local = host.cwd + "/.venv";
  if (is_dir(local)) return load_venv(local, "./.venv");
  Venv none;
  none.project = host.cwd;
  return none;
}

bool is_system_path(const std::string& path) {
  for (const char* root : {"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/etc"})
    if (is_within(path, root)) return true;
  return false;
}

Expected<void> check_project(const std::string& project, const std::string& home) {
  static const char* const kTopLevel[] = {"/",     "/home", "/root", "/tmp",   "/var",
                                          "/opt",  "/srv",  "/mnt",  "/media", "/run",
                                          "/boot", "/dev",  "/proc", "/sys"};
  std::string why;
  if (is_within(home, project)) {
    why = project == home ? "it is your home directory" : "it contains your home directory";
  } else if (is_system_path(project) ||
             std::find(std::begin(kTopLevel), std::end(kTopLevel), project) !=
                 std::end(kTopLevel) ||
             is_within(project, "/proc") || is_within(project, "/sys") ||
             is_within(project, "/dev") || is_within(project, "/boot")) {
    why = "it is a system directory";
  }
  if (why.empty()) return {};
  return fail(Error::make("use " + project + " as the project",
                          why + ": the sandbox could write all of it",
                          "cd into a project directory (one that holds its venv), or name a venv "
                          "with --venv"));
}

Expected<Venv> venv_for_entrypoint(const std::string& entry) {
  std::string bin = parent_dir(entry);
  return load_venv(parent_dir(bin), "holding " + entry);
}

std::optional<std::string> real_entry(const std::string& venv_dir, const std::string& name) {
  std::string current = name;
  for (int hops = 0; hops < 8; ++hops) {
    std::string real = venv_dir + "/venv-exec/real/" + current;
    struct stat st;
    if (lstat(real.c_str(), &st) == 0) return real;
    char buf[PATH_MAX];
    ssize_t n = readlink((venv_dir + "/bin/" + current).c_str(), buf, sizeof buf - 1);
    if (n <= 0) return std::nullopt;
    std::string text(buf, static_cast<size_t>(n));
    if (text.find('/') != std::string::npos) return std::nullopt;  // not a link within bin/
    current = text;
  }
  return std::nullopt;
}

namespace {

// `name` as the caller's shell found it: as given when it has a '/', else the first executable
// of that name in the caller's PATH. nullopt when there is none.
std::optional<std::string> search_path(const HostFacts& host, const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos)
    return name.front() == '/' ? name : host.cwd + "/" + name;
  std::string path = host_env(host, "PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  for (std::string d : split(path, ':')) {
    if (d.empty()) d = ".";
    std::string candidate = d + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0)
      return candidate.front() == '/' ? candidate : host.cwd + "/" + candidate;
  }
  return std::nullopt;
}

// Follows `path` link by link (~/bin/tool -> proj/.venv/bin/tool -> venv-exec) to the link that
// points at this binary: the last link on the way that sits in a venv's bin/ (so a tool linked
// into another venv's bin/, as pipx does, still names its own venv). That link names the
// entrypoint; nullopt when `path` does not lead to this binary or passes no such link.
std::optional<std::string> wrapper_link(const std::string& path, const std::string& self_exe) {
  std::optional<std::string> found;
  std::string cur = path;
  for (int hops = 0; hops < 40; ++hops) {
    char buf[PATH_MAX];
    ssize_t n = readlink(cur.c_str(), buf, sizeof buf - 1);
    if (n <= 0) {
      // The end of the walk. Each step replaced a link by its target in place, so `path`
      // leads where `cur` does: a file that is not a link and is named exactly self_exe (the
      // kernel's canonical name) is this binary, with no resolution needed; anything else is
      // resolved and compared.
      bool a_file = n < 0 && errno == EINVAL;
      if (self_exe.empty() || (a_file && cur == self_exe)) return found;
      auto real = real_path(path);
      return real && *real == self_exe ? found : std::nullopt;
    }
    std::string dir = parent_dir(cur);
    struct stat st;
    if (stat((parent_dir(dir) + "/pyvenv.cfg").c_str(), &st) == 0 &&
        !base_name(cur).starts_with("venv-exec"))
      found = cur;
    std::string target(buf, static_cast<size_t>(n));
    cur = target.front() == '/' ? target : dir + "/" + target;
  }
  return std::nullopt;
}

}  // namespace

Expected<std::string> locate_argv0(const HostFacts& host) {
  // argv[0] first: a #! line names the wrapper there while execve's file is the script. Then
  // the file execve was given (AT_EXECFN): Popen(["name"], executable=VENV/bin/python).
  for (const std::string& name : {host.argv0, host.execfn}) {
    auto located = search_path(host, name);
    if (!located) continue;
    if (auto link = wrapper_link(*located, host.self_exe)) return *link;
  }
  std::string shown = printable(host.argv0);
  if (!host.execfn.empty() && host.execfn != host.argv0)
    shown += "' (file '" + printable(host.execfn) + "')";
  else
    shown += "'";
  return fail(Error::make("find which entrypoint to run",
                          "venv-exec was started as '" + shown +
                              ", which is not a link to venv-exec in a venv's bin/, nor leads "
                              "to one, so nothing names the entrypoint",
                          "call the entrypoint by its path (VENV/bin/NAME), or run "
                          "'venv-exec CMD' to run CMD sandboxed"));
}

namespace {

// A name for an entry moved aside that no one can guess ahead: a run may plant every name it
// can predict (attack review: all the pids, in 0.8 s).
std::string aside_name(const std::string& name) {
  unsigned char bytes[8] = {};
  if (getrandom(bytes, sizeof bytes, 0) != sizeof bytes) return name + ".moved-by-venv-exec";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = name + ".moved-by-venv-exec-";
  for (unsigned char b : bytes) (out += kHex[b >> 4]) += kHex[b & 15];
  return out;
}

// The directory NAME below `dir` (PATH in messages), made with `mode` when missing, in a place a
// sandbox may write (VENV/home, VENV/cache; the venv itself during pip). What a run may have
// left there must not fail every later launch (SPEC §3a.4; attack review, finding 9 and the
// review of its fix): a link or a file in the way is renamed aside, never followed; a directory
// made unsearchable (chmod 0) gets its owner's rights back. Each with a warning.
Expected<UniqueFd> sandbox_dir(int dir, const std::string& name, const std::string& path,
                               mode_t mode) {
  if (mkdirat(dir, name.c_str(), mode) != 0 && errno != EEXIST)
    return fail(Error::from_errno("create " + path, "check that the venv is writable"));
  auto next = open_dir_entry(dir, name, path, false);
  struct stat st;
  for (int attempt = 0; !next && attempt < 4; ++attempt) {
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || S_ISDIR(st.st_mode)) break;
    std::string aside = aside_name(name);
    if (renameat2(dir, name.c_str(), dir, aside.c_str(), RENAME_NOREPLACE) != 0) continue;
    warn(printable(path) + " was a link or a file where a directory is needed (a sandbox may "
         "have put it there); it is now " + printable(aside));
    if (mkdirat(dir, name.c_str(), mode) != 0 && errno != EEXIST)
      return fail(Error::from_errno("create " + path));
    next = open_dir_entry(dir, name, path, false);
  }
  if (!next) return fail(next.error());
  // The descriptor is O_PATH: chmod(2) through its /proc/self/fd link changes this very
  // directory, wherever a run has moved it since.
  if (fstat(next->get(), &st) == 0 && (st.st_mode & 0700) != 0700) {
    char self[32];
    format_proc_fd(next->get(), self);
    if (chmod(self, (st.st_mode & 07777) | 0700) == 0)
      warn(printable(path) + " had lost its owner's rights (a sandbox may have changed them); "
           "they are back");
  }
  return next;
}

}  // namespace

Expected<void> prepare_venv_dirs(const Venv& venv, const std::string& home) {
  if (venv.dir.empty()) return {};
  UniqueFd venv_fd(open(venv.dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!venv_fd) return fail(Error::from_errno("open " + venv.dir));
  TRY_ASSIGN(home_fd, sandbox_dir(venv_fd.get(), "home", venv.dir + "/home", 0700));
  TRY(sandbox_dir(venv_fd.get(), "cache", venv.dir + "/cache", 0700));
  // home/.cache is where the cache is mounted: the sandbox would otherwise create that mount
  // point in VENV/home, on the venv's disk, at each launch.
  TRY(sandbox_dir(home_fd.get(), ".cache", venv.dir + "/home/.cache", 0755));
  // So is the project's path below HOME, one component at a time, never through a link.
  if (home.empty() || !venv.project.starts_with(home + "/")) return {};
  UniqueFd dir = std::move(home_fd);
  std::string path = venv.dir + "/home", below = venv.project.substr(home.size() + 1);
  for (size_t pos = 0; pos < below.size();) {
    size_t slash = std::min(below.find('/', pos), below.size());
    std::string name = below.substr(pos, slash - pos);
    pos = slash + 1;
    if (name.empty() || name == "." || name == "..") continue;
    path += "/" + name;
    TRY_ASSIGN(next, sandbox_dir(dir.get(), name, path, 0755));
    dir = std::move(next);
  }
  return {};
}

}  // namespace vx
