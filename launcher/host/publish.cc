#include "host/publish.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>

#include "base/fd.h"
#include "host/wrap.h"

namespace vx {

namespace {

constexpr int kOpenDir = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr const char* kTmpSuffix = ".venv-exec-tmp";  // as wrap.cc: install removes leftovers
constexpr size_t kMaxName = 200;                      // room for the suffix within NAME_MAX

struct Dirs {
  UniqueFd stage, real, bin;
  std::string venv;
};

std::optional<std::string> link_text(int dir_fd, const std::string& name) {
  char buf[PATH_MAX];
  ssize_t n = readlinkat(dir_fd, name.c_str(), buf, sizeof buf);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> names_in(int dir_fd) {
  std::vector<std::string> names = dir_entry_names(dir_fd);
  // A bare relative link (python -> python3) after the entry it names, so that a link moved
  // into real/ does not dangle even for an instant.
  std::stable_partition(names.begin(), names.end(), [&](const std::string& n) {
    auto text = link_text(dir_fd, n);
    return !(text && !text->empty() && text->find('/') == std::string::npos);
  });
  return names;
}

// bin/NAME becomes our wrapper, atomically (a temp link, then renameat).
Expected<void> put_wrapper(const Dirs& d, const std::string& name, const std::string& self_exe) {
  if (link_text(d.bin.get(), name) == self_exe) return {};
  // A new name is created in one step; an existing entry is replaced through a temp name.
  if (symlinkat(self_exe.c_str(), d.bin.get(), name.c_str()) == 0) return {};
  std::string tmp = name + kTmpSuffix;
  unlinkat(d.bin.get(), tmp.c_str(), 0);
  if (symlinkat(self_exe.c_str(), d.bin.get(), tmp.c_str()) != 0 ||
      renameat(d.bin.get(), tmp.c_str(), d.bin.get(), name.c_str()) != 0)
    return fail(Error::from_errno("wrap " + d.venv + "/bin/" + printable_name(name)));
  return {};
}

const StagedEntry* offered(const Staging& s, const std::string& name) {
  auto it = std::find_if(s.offered.begin(), s.offered.end(),
                         [&](const StagedEntry& e) { return e.name == name; });
  return it == s.offered.end() ? nullptr : &*it;
}

bool unchanged(const StagedEntry* before, const struct stat& st) {
  auto same = [](const struct timespec& a, const struct timespec& b) {
    return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
  };
  return before && before->ino == st.st_ino && same(before->ctime, st.st_ctim) &&
         same(before->mtime, st.st_mtim);
}

// Why a staged entry is not published, or "" when it is an executable file or a link of a
// sane size and name. Only lstat data: nothing is opened, no link is followed.
std::string refusal(const std::string& name, const struct stat& st) {
  if (name.size() > kMaxName) return "its name is too long";
  if (name.ends_with(kTmpSuffix)) return "a temporary name of venv-exec";
  if (S_ISLNK(st.st_mode)) return "";
  if (!S_ISREG(st.st_mode)) return "not a regular file or a link";
  if (!(st.st_mode & 0111)) return "not executable";
  if (st.st_size > kMaxEntrySize) return "larger than " + std::to_string(kMaxEntrySize) + " bytes";
  return "";
}

Expected<void> publish_new_and_changed(const Staging& s, const Dirs& d,
                                       const std::string& self_exe, PublishReport& report) {
  for (const auto& name : names_in(d.stage.get())) {
    struct stat st;
    if (fstatat(d.stage.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const StagedEntry* before = offered(s, name);
    if (unchanged(before, st)) continue;
    // The trusted files were bound read-only over these: the host's own files are untouched.
    // A new activate script is refused below for not being executable, like any plain file a
    // shell might source.
    if (std::find(s.placeholders.begin(), s.placeholders.end(), name) != s.placeholders.end())
      continue;
    std::string shown = printable_name(name);
    if (std::string why = refusal(name, st); !why.empty()) {
      report.skipped.push_back(shown + ": " + why);
      continue;
    }
    if (name == "shell") {
      report.skipped.push_back(shown + ": venv-exec's own entry");
      continue;
    }
    if (before && is_interpreter_name(name)) {
      report.restored.push_back(shown);
      continue;
    }
    // rename(2) replaces real/NAME atomically and never follows the link it moves.
    if (renameat(d.stage.get(), name.c_str(), d.real.get(), name.c_str()) != 0)
      return fail(Error::from_errno("publish " + d.venv + "/bin/" + shown));
    TRY(put_wrapper(d, name, self_exe));
    report.wrapped.push_back(shown);
  }
  return {};
}

// What pip removed loses its wrapper first, then its real/ copy: never a dangling wrapper.
Expected<void> unpublish_removed(const Staging& s, const Dirs& d, const std::string& self_exe,
                                 PublishReport& report) {
  for (const auto& entry : s.offered) {
    struct stat st;
    if (fstatat(d.stage.get(), entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
    std::string shown = printable_name(entry.name);
    if (is_interpreter_name(entry.name)) {
      report.restored.push_back(shown);
      continue;
    }
    if (link_text(d.bin.get(), entry.name) == self_exe &&
        unlinkat(d.bin.get(), entry.name.c_str(), 0) != 0 && errno != ENOENT)
      return fail(Error::from_errno("remove " + d.venv + "/bin/" + shown));
    if (unlinkat(d.real.get(), entry.name.c_str(), 0) != 0 && errno != ENOENT)
      return fail(Error::from_errno("remove " + d.venv + "/venv-exec/real/" + shown));
    report.removed.push_back(shown);
  }
  return {};
}

}  // namespace

Expected<PublishReport> publish_staging(const Staging& s, const std::string& self_exe) {
  Dirs d;
  d.venv = s.venv;
  d.stage = UniqueFd(fcntl(s.dir.get(), F_DUPFD_CLOEXEC, 0));
  d.real = UniqueFd(open((s.venv + "/venv-exec/real").c_str(), kOpenDir));
  d.bin = UniqueFd(open((s.venv + "/bin").c_str(), kOpenDir));
  if (!d.stage || !d.real || !d.bin)
    return fail(Error::from_errno("publish what pip changed in " + s.venv + "/bin"));
  // A temp wrapper left by a killed publish (put_wrapper) names nothing.
  for (const auto& name : dir_entry_names(d.bin.get()))
    if (name.ends_with(kTmpSuffix) && link_text(d.bin.get(), name) == self_exe)
      unlinkat(d.bin.get(), name.c_str(), 0);
  PublishReport report;
  // Removals first: an entry published below has left the staging dir too.
  TRY(unpublish_removed(s, d, self_exe, report));
  TRY(publish_new_and_changed(s, d, self_exe, report));
  return report;
}

}  // namespace vx
