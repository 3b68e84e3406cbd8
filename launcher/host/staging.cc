#include "host/staging.h"

#include <dirent.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>

namespace vx {

namespace {

constexpr int kOpenDir = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

}  // namespace

std::vector<std::string> dir_entry_names(int dir_fd) {
  std::vector<std::string> names;
  int dup_fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) return names;
  DIR* d = fdopendir(dup_fd);
  if (d == nullptr) {
    close(dup_fd);
    return names;
  }
  rewinddir(d);
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

namespace {

// Empties a directory the sandbox filled: a link is removed, never followed; a directory is
// entered through O_NOFOLLOW and made writable first (the sandbox may have chmod'ed it 0500).
bool clear_dir(int dir_fd, int depth) {
  if (depth > 32) return false;
  bool ok = true;
  for (const auto& name : dir_entry_names(dir_fd)) {
    if (unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) continue;
    UniqueFd sub(openat(dir_fd, name.c_str(), kOpenDir));
    if (!sub) {
      ok = false;
      continue;
    }
    fchmod(sub.get(), 0700);
    ok = clear_dir(sub.get(), depth + 1) && ok;
    if (unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) ok = false;
  }
  return ok;
}

Expected<void> remove_dir_at(int parent_fd, const std::string& name, const std::string& path) {
  UniqueFd dir(openat(parent_fd, name.c_str(), kOpenDir));
  if (!dir) return fail(Error::from_errno("open " + path));
  fchmod(dir.get(), 0700);
  if (!clear_dir(dir.get(), 0) || unlinkat(parent_fd, name.c_str(), AT_REMOVEDIR) != 0)
    return fail(Error::from_errno("remove " + path));
  return {};
}

// A staging dir nobody holds locked was left by a killed launcher. Its content is not
// published: pip was interrupted, and nothing says what of it is complete.
void remove_leftovers(int state_fd, const std::string& state) {
  for (const auto& name : dir_entry_names(state_fd)) {
    if (!name.starts_with("staging.")) continue;
    UniqueFd dir(openat(state_fd, name.c_str(), kOpenDir));
    if (!dir || flock(dir.get(), LOCK_EX | LOCK_NB) != 0) continue;  // a live pip run
    if (auto r = remove_dir_at(state_fd, name, state + "/" + printable_name(name)); !r) {
      report(r.error());
      continue;
    }
    warn("removed " + state + "/" + printable_name(name) +
         ", left by an interrupted pip run: its changes to bin/ were not published; "
         "run that pip command again");
  }
}

// Copies the regular file real/NAME into the staging dir with its mode.
Expected<void> copy_entry(int real_fd, int stage_fd, const std::string& name, mode_t mode,
                          const std::string& what) {
  UniqueFd in(openat(real_fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  struct stat st;
  if (!in || fstat(in.get(), &st) != 0) return fail(Error::from_errno(what));
  if (!S_ISREG(st.st_mode)) return fail(Error::make(what, "not a regular file"));
  UniqueFd out(openat(stage_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0600));
  if (!out) return fail(Error::from_errno(what));
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = copy_file_range(in.get(), nullptr, out.get(), nullptr,
                                static_cast<size_t>(std::min<off_t>(left, 1 << 30)), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL)) {
      char buf[65536];
      n = read(in.get(), buf, sizeof buf);
      if (n > 0 && !write_all(out.get(), buf, static_cast<size_t>(n))) n = -1;
    }
    if (n < 0) return fail(Error::from_errno(what));
    if (n == 0) break;
    left -= n;
  }
  // The original's times: a write by pip sets mtime to now, which differs even when it lands
  // in the same clock tick as this copy (ctime alone could not tell).
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (fchmod(out.get(), mode & 07777) != 0 || futimens(out.get(), times) != 0)
    return fail(Error::from_errno(what));
  return {};
}

Expected<void> stage_real_entries(int state_fd, const std::string& venv, Staging& s) {
  UniqueFd real(openat(state_fd, "real", kOpenDir));
  if (!real) return fail(Error::from_errno("open " + venv + "/venv-exec/real"));
  for (const auto& name : dir_entry_names(real.get())) {
    std::string what = "copy " + venv + "/venv-exec/real/" + printable_name(name) + " to " + s.path;
    struct stat st;
    if (fstatat(real.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISLNK(st.st_mode)) {
      char text[PATH_MAX];
      ssize_t n = readlinkat(real.get(), name.c_str(), text, sizeof text - 1);
      if (n < 0) return fail(Error::from_errno(what));
      text[n] = '\0';
      if (symlinkat(text, s.dir.get(), name.c_str()) != 0) return fail(Error::from_errno(what));
    } else if (S_ISREG(st.st_mode) && st.st_size <= kMaxEntrySize) {
      TRY(copy_entry(real.get(), s.dir.get(), name, st.st_mode, what));
    } else {
      continue;  // not offered to pip, so never taken for removed by it
    }
    struct stat staged;
    if (fstatat(s.dir.get(), name.c_str(), &staged, AT_SYMLINK_NOFOLLOW) != 0)
      return fail(Error::from_errno(what));
    s.offered.push_back({name, staged.st_ino, staged.st_ctim, staged.st_mtim});
  }
  return {};
}

}  // namespace

bool is_trusted_bin_name(const std::string& name) {
  return name.starts_with("activate") || name == "Activate.ps1";
}

std::string printable_name(const std::string& name) {
  std::string out;
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

Expected<Staging> prepare_staging(const std::string& venv) {
  std::string state = venv + "/venv-exec";
  UniqueFd state_fd(open(state.c_str(), kOpenDir));
  if (!state_fd) return fail(Error::from_errno("open " + state));
  remove_leftovers(state_fd.get(), state);
  Staging s;
  s.venv = venv;
  s.name = "staging." + std::to_string(getpid());
  s.path = state + "/" + s.name;
  if (mkdirat(state_fd.get(), s.name.c_str(), 0755) != 0)
    return fail(Error::from_errno("create " + s.path));
  s.dir = UniqueFd(openat(state_fd.get(), s.name.c_str(), kOpenDir));
  if (!s.dir || flock(s.dir.get(), LOCK_EX | LOCK_NB) != 0)
    return fail(Error::from_errno("lock " + s.path));
  TRY(stage_real_entries(state_fd.get(), venv, s));
  // The trusted files are bound read-only over these placeholders for pip's run.
  UniqueFd bin(open((venv + "/bin").c_str(), kOpenDir));
  if (!bin) return fail(Error::from_errno("open " + venv + "/bin"));
  for (const auto& name : dir_entry_names(bin.get())) {
    struct stat st;
    if (!is_trusted_bin_name(name) || fstatat(bin.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        !S_ISREG(st.st_mode))
      continue;
    UniqueFd f(openat(s.dir.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      0644));
    if (!f) return fail(Error::from_errno("create " + s.path + "/" + printable_name(name)));
    s.placeholders.push_back(name);
  }
  return s;
}

Expected<void> remove_staging(Staging& s) {
  std::string state = s.venv + "/venv-exec";
  UniqueFd state_fd(open(state.c_str(), kOpenDir));
  if (!state_fd) return fail(Error::from_errno("open " + state));
  auto r = remove_dir_at(state_fd.get(), s.name, s.path);
  s.dir.reset();
  return r;
}

}  // namespace vx
