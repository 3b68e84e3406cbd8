#include "host/state.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "base/fd.h"
#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"

namespace vx {

namespace {

struct Entry {
  dev_t dev = 0;
  ino_t ino = 0;
  std::string path;
};

constexpr size_t kRegistryCap = 4 << 20;

void skip_blanks(std::string_view& text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
}

// Blanks, then a decimal number, taken off the front of `text`.
bool take_number(std::string_view& text, unsigned long long& value) {
  skip_blanks(text);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{}) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

// One line "DEV INO PATH". Read by hand rather than by sscanf, whose scanner (vfscanf's code
// and tables) every launch would otherwise fault in for this file alone.
std::optional<Entry> parse_registry_line(std::string_view line) {
  unsigned long long dev = 0, ino = 0;
  if (!take_number(line, dev) || !take_number(line, ino)) return std::nullopt;
  skip_blanks(line);
  if (line.empty() || line.front() != '/') return std::nullopt;
  return Entry{static_cast<dev_t>(dev), static_cast<ino_t>(ino), std::string(line)};
}

std::vector<Entry> read_registry(const std::string& root) {
  std::vector<Entry> out;
  auto text = read_untrusted_file(root + "/registry", kRegistryCap);
  if (!text) return out;
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t eol = std::min(rest.find('\n'), rest.size());
    if (auto entry = parse_registry_line(rest.substr(0, eol))) out.push_back(std::move(*entry));
    rest.remove_prefix(std::min(eol + 1, rest.size()));
  }
  return out;
}

std::string entry_dir(const std::string& root, dev_t dev, ino_t ino) {
  return root + "/venvs/" + std::to_string(dev) + "-" + std::to_string(ino);
}

bool same_inode(const std::string& path, dev_t dev, ino_t ino) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_dev == dev &&
         st.st_ino == ino;
}

Expected<void> make_dirs(const std::string& path) {
  if (path.empty() || path == "/") return {};
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return {};
  TRY(make_dirs(parent_dir(path)));
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(Error::from_errno("create " + path, "check that your home is writable"));
  return {};
}

Expected<void> write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd || !write_all(fd.get(), text) || fsync(fd.get()) != 0)
    return fail(Error::from_errno("write " + tmp));
  fd.reset();
  if (rename(tmp.c_str(), path.c_str()) != 0) return fail(Error::from_errno("write " + path));
  return {};
}

// Installs and uninstalls serialise on STATE/lock; launches read the registry without it (it
// is only ever replaced whole, by rename).
Expected<UniqueFd> lock_state(const std::string& root) {
  TRY(make_dirs(root));
  UniqueFd fd(open((root + "/lock").c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd || retry_eintr([&] { return flock(fd.get(), LOCK_EX); }) != 0)
    return fail(Error::from_errno("lock " + root + "/lock"));
  return fd;
}

Expected<void> write_registry(const std::string& root, const std::vector<Entry>& entries) {
  std::string text;
  for (const auto& e : entries)
    text += std::to_string(e.dev) + " " + std::to_string(e.ino) + " " + e.path + "\n";
  return write_file(root + "/registry", text);
}

// The walk of real_state_root when a link is on the way: each link outside the project is the
// user's (a dotfiles ~/.local) and followed; one inside it refuses the launch.
Expected<std::string> walk_state_root(const std::string& root, const std::string& project) {
  std::string resolved = "/";
  for (const auto& comp : split(root, '/')) {
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      resolved = parent_dir(resolved);
      continue;
    }
    std::string next = resolved == "/" ? "/" + comp : resolved + "/" + comp;
    struct stat st;
    if (lstat(next.c_str(), &st) != 0) return std::string();  // no state yet: nothing to hide
    if (!S_ISLNK(st.st_mode)) {
      resolved = std::move(next);
      continue;
    }
    if (is_within(next, project))
      return fail(Error::make(
          "use the state directory " + root,
          next + " on the way to it is a symbolic link inside the project " + project +
              ", which a sandbox of that project could point at a state directory of its own",
          "set XDG_STATE_HOME to a directory outside the project, or replace the link with the "
          "directory it points to"));
    auto real = real_path(next);
    if (!real) return std::string();
    resolved = std::move(*real);
  }
  return resolved;
}

}  // namespace

Expected<std::string> real_state_root(const std::string& root, const std::string& project) {
  // The common case has no link on the way: one openat2(2) with RESOLVE_NO_SYMLINKS proves it
  // and gives the real path, at the cost of the open that resolving it needed anyway.
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  UniqueFd fd(static_cast<int>(syscall(SYS_openat2, AT_FDCWD, root.c_str(), &how, sizeof how)));
  if (!fd && (errno == ENOENT || errno == ENOTDIR || errno == EACCES)) return std::string();
  if (!fd) return walk_state_root(root, project);  // ELOOP: a link; ENOSYS: no openat2
  char link[32];
  format_proc_fd(fd.get(), link);
  char buf[4096];
  ssize_t n = readlink(link, buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf || buf[0] != '/')
    return real_path(root).value_or(std::string());
  return std::string(buf, static_cast<size_t>(n));
}

std::string state_root(const HostFacts& host) {
  auto xdg = host_env(host, "XDG_STATE_HOME");
  std::string base =
      xdg && !xdg->empty() && xdg->front() == '/' ? *xdg : host.home + "/.local/state";
  return base + "/venv-exec";
}

Registry::Registry(std::string root) : root_(std::move(root)) {
  for (auto& e : read_registry(root_)) entries_.push_back({e.dev, e.ino, std::move(e.path), {}});
}

bool Registry::current(const Entry& e) const {
  if (!e.current) e.current = same_inode(e.path, e.dev, e.ino);
  return *e.current;
}

std::optional<Registration> Registry::find(const std::string& venv) const {
  for (const auto& e : entries_) {
    if (e.path != venv || !current(e)) continue;
    Registration r;
    r.venv = venv;
    r.dir = entry_dir(root_, e.dev, e.ino);
    auto prefix = read_untrusted_file(r.dir + "/prefix", 1 << 16);
    if (!prefix || prefix->empty()) return std::nullopt;
    r.python_prefix = split(*prefix, '\n').front();
    if (auto opts = read_untrusted_file(r.dir + "/options")) r.options = split(*opts, '\n');
    return r;
  }
  return std::nullopt;
}

std::optional<std::string> Registry::venv_above(const std::string& cwd) const {
  std::optional<std::string> best;
  size_t best_len = 0;
  for (const auto& e : entries_) {
    std::string project = parent_dir(e.path);
    if (!is_within(cwd, project) || project.size() < best_len) continue;
    if (!current(e)) continue;
    best = e.path;
    best_len = project.size();
  }
  return best;
}

std::vector<std::string> Registry::venvs_within(const std::string& project) const {
  std::vector<std::string> out;
  for (const auto& e : entries_)
    if (is_within(e.path, project) && e.path != project && current(e)) out.push_back(e.path);
  return out;
}

Expected<Registration> register_venv(const std::string& root, const std::string& venv,
                                     const std::string& python_prefix,
                                     const std::vector<std::string>& options) {
  if (venv.find('\n') != std::string::npos || python_prefix.find('\n') != std::string::npos)
    return fail(Error::make("register " + venv, "the path contains a newline",
                            "move the venv to a path without one"));
  TRY_ASSIGN(lock, lock_state(root));
  struct stat st;
  if (stat(venv.c_str(), &st) != 0) return fail(Error::from_errno("register " + venv));
  std::vector<Entry> entries;
  for (auto& e : read_registry(root))
    if (e.path != venv && !(e.dev == st.st_dev && e.ino == st.st_ino)) entries.push_back(e);
  entries.push_back({st.st_dev, st.st_ino, venv});
  Registration r{venv, entry_dir(root, st.st_dev, st.st_ino), python_prefix, options};
  TRY(make_dirs(r.dir));
  std::string words;
  for (const auto& w : options) words += w + "\n";
  TRY(write_file(r.dir + "/options", words));
  TRY(write_file(r.dir + "/prefix", python_prefix + "\n"));
  unlink(cached_view_path(r).c_str());  // a new view is computed for the new options
  TRY(write_registry(root, entries));
  return r;
}

Expected<std::string> make_venv_entry_dir(const std::string& root, const std::string& venv) {
  struct stat st;
  if (stat(venv.c_str(), &st) != 0) return fail(Error::from_errno("look at " + venv));
  std::string dir = entry_dir(root, st.st_dev, st.st_ino);
  TRY(make_dirs(dir));
  return dir;
}

Expected<void> unregister_venv(const std::string& root, const std::string& venv) {
  struct stat st;
  if (stat((root + "/registry").c_str(), &st) != 0) return {};
  TRY_ASSIGN(lock, lock_state(root));
  std::vector<Entry> keep;
  for (auto& e : read_registry(root)) {
    if (e.path != venv) {
      keep.push_back(e);
      continue;
    }
    std::string dir = entry_dir(root, e.dev, e.ino);
    // The lock file stays (and so the directory): the uninstall that runs this holds it, and
    // a launcher waiting on it must keep waiting on the file the next one will open.
    for (const char* f : {"/options", "/prefix", "/view"}) unlink((dir + f).c_str());
    rmdir(dir.c_str());
  }
  return write_registry(root, keep);
}

}  // namespace vx
