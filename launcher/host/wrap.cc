#include "host/wrap.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>

#include "base/fd.h"
#include "host/file_read.h"
#include "host/staging.h"

namespace vx {

namespace {

constexpr const char* kTmpSuffix = ".venv-exec-tmp";

// The sorted names in `dir` (none when it cannot be opened): one listing for install, the
// publish after pip and uninstall (host/staging.h).
std::vector<std::string> list_dir(const std::string& dir) {
  UniqueFd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  return fd ? dir_entry_names(fd.get()) : std::vector<std::string>{};
}

// What bin/ holds that a host could run: an executable file, whatever its name (a sandboxed
// pip may drop ".x" or "activate-x"), or any symlink, whatever it points at now (its target
// may be a project file that a later run makes executable). activate* stays as it is because
// it is not executable, not because of its name.
bool is_runnable_entry(const std::string& bin, const std::string& name) {
  if (name.ends_with(kTmpSuffix)) return false;
  struct stat st;
  if (lstat((bin + "/" + name).c_str(), &st) != 0) return false;
  if (S_ISLNK(st.st_mode)) return true;
  return S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

// Atomically makes `dest` a symlink with text `target` (a temp name, then rename(2)).
Expected<void> put_symlink(const std::string& target, const std::string& dest) {
  std::string tmp = dest + kTmpSuffix;
  unlink(tmp.c_str());
  if (symlink(target.c_str(), tmp.c_str()) != 0 || rename(tmp.c_str(), dest.c_str()) != 0)
    return fail(Error::from_errno("create the link " + dest + " -> " + target));
  return {};
}

// real/NAME becomes a copy of bin/NAME: the same link text, or a hard link of the file (a copy
// if the file system refuses), through a temp name so a crash leaves no half-made entry.
Expected<void> preserve_original(const std::string& src, const std::string& dest) {
  if (auto text = read_link(src)) return put_symlink(*text, dest);
  std::string tmp = dest + kTmpSuffix;
  unlink(tmp.c_str());
  if (link(src.c_str(), tmp.c_str()) != 0) {
    UniqueFd in(open(src.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!in || fstat(in.get(), &st) != 0) return fail(Error::from_errno("read " + src));
    UniqueFd out(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777));
    if (!out) return fail(Error::from_errno("create " + tmp));
    char buf[65536];
    ssize_t n;
    while ((n = read(in.get(), buf, sizeof buf)) > 0)
      if (!write_all(out.get(), buf, static_cast<size_t>(n)))
        return fail(Error::from_errno("copy " + src));
    if (n < 0 || fsync(out.get()) != 0) return fail(Error::from_errno("copy " + src));
  }
  if (rename(tmp.c_str(), dest.c_str()) != 0) return fail(Error::from_errno("store " + dest));
  return {};
}

// Leftovers of an interrupted run: temp names are never an entrypoint.
void remove_temporaries(const std::string& dir) {
  for (const auto& n : list_dir(dir))
    if (n.ends_with(kTmpSuffix)) unlink((dir + "/" + n).c_str());
}

Expected<std::string> quarantine(const std::string& venv, const std::string& name) {
  std::string dir = venv + "/venv-exec/quarantine";
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return fail(Error::from_errno("create " + dir));
  for (int i = 1;; ++i) {
    std::string dest = dir + "/" + name + "." + std::to_string(i);
    struct stat st;
    if (lstat(dest.c_str(), &st) == 0) continue;
    // A second name for the impostor (link(2) does not follow a symlink), not a rename: the
    // wrapper then replaces bin/NAME atomically, so a launcher killed in between never leaves
    // the interpreter name missing (it did: the next `bin/python` failed in execve).
    if (link((venv + "/bin/" + name).c_str(), dest.c_str()) != 0)
      return fail(Error::from_errno("keep the replaced " + name + " aside"));
    return dest;
  }
}

// Whether two names hold the same entry: one inode, or links with the same text.
bool same_entry(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (lstat(a.c_str(), &sa) != 0 || lstat(b.c_str(), &sb) != 0) return false;
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino) return true;
  auto ta = read_link(a), tb = read_link(b);
  return ta && tb && *ta == *tb;
}

// Entries in an order that keeps real/ consistent at every instant: a relative link
// (python -> python3) only after the entry it names, so that real/python never dangles.
std::vector<std::string> wrap_order(const std::string& bin) {
  std::vector<std::string> first, relative;
  for (const auto& name : list_dir(bin)) {
    auto text = read_link(bin + "/" + name);
    bool bare = text && !text->empty() && text->find('/') == std::string::npos;
    (bare ? relative : first).push_back(name);
  }
  for (size_t round = 0; !relative.empty() && round < 16; ++round) {
    std::vector<std::string> later;
    for (const auto& name : relative) {
      std::string target = *read_link(bin + "/" + name);
      bool pending = std::find(relative.begin(), relative.end(), target) != relative.end() &&
                     std::find(first.begin(), first.end(), target) == first.end();
      (pending ? later : first).push_back(name);
    }
    if (later.size() == relative.size()) break;  // a cycle of links: no order helps
    relative = std::move(later);
  }
  first.insert(first.end(), relative.begin(), relative.end());
  return first;
}

}  // namespace

bool is_interpreter_name(const std::string& name) {
  if (name == "python" || name == "python3") return true;
  return name.starts_with("python3.") && name.size() > 8 &&
         std::all_of(name.begin() + 8, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_wrapper(const std::string& path, const std::string& self_exe) {
  auto text = read_link(path);
  return text && *text == self_exe;
}

Expected<WrapReport> wrap_entrypoints(const std::string& venv, const std::string& self_exe) {
  std::string bin = venv + "/bin", real = venv + "/venv-exec/real";
  if (mkdir((venv + "/venv-exec").c_str(), 0755) != 0 && errno != EEXIST)
    return fail(Error::from_errno("create " + venv + "/venv-exec"));
  if (mkdir(real.c_str(), 0755) != 0 && errno != EEXIST)
    return fail(Error::from_errno("create " + real));
  remove_temporaries(bin);
  remove_temporaries(real);
  WrapReport report;
  struct stat st;
  for (const auto& name : wrap_order(bin)) {
    std::string entry = bin + "/" + name;
    if (is_wrapper(entry, self_exe)) continue;
    bool known = lstat((real + "/" + name).c_str(), &st) == 0;
    // The interpreter links and our shell entry are never adopted: whatever replaced them is
    // moved aside and the wrapper restored.
    if (known && same_entry(entry, real + "/" + name)) {
      // Already preserved by an install killed before it put the wrapper in place.
    } else if ((known && is_interpreter_name(name)) || name == "shell") {
      TRY_ASSIGN(moved, quarantine(venv, name));
      report.quarantined.push_back(moved);
      report.restored.push_back(name);
    } else {
      if (!is_runnable_entry(bin, name)) continue;
      TRY(preserve_original(entry, real + "/" + name));
      report.wrapped.push_back(name);
    }
    TRY(put_symlink(self_exe, entry));
  }
  // A wrapped name whose bin entry is gone (removed by a sandboxed run) gets its wrapper back.
  for (const auto& name : list_dir(real)) {
    if (lstat((bin + "/" + name).c_str(), &st) == 0) continue;
    TRY(put_symlink(self_exe, bin + "/" + name));
    report.restored.push_back(name);
  }
  if (!is_wrapper(bin + "/shell", self_exe) && lstat((bin + "/shell").c_str(), &st) != 0)
    TRY(put_symlink(self_exe, bin + "/shell"));
  return report;
}

Expected<std::vector<std::string>> unwrap_entrypoints(const std::string& venv,
                                                      const std::string& self_exe) {
  std::string bin = venv + "/bin", real = venv + "/venv-exec/real";
  remove_temporaries(bin);
  remove_temporaries(real);
  std::vector<std::string> restored;
  for (const auto& name : list_dir(real)) {
    // rename(2) replaces the wrapper atomically: the entry is never missing.
    if (rename((real + "/" + name).c_str(), (bin + "/" + name).c_str()) != 0)
      return fail(Error::from_errno("restore " + bin + "/" + name));
    restored.push_back(name);
  }
  if (is_wrapper(bin + "/shell", self_exe) ||
      read_link(bin + "/shell").value_or("").ends_with("/venv-exec"))
    unlink((bin + "/shell").c_str());
  return restored;
}

}  // namespace vx
