#include "host/system_etc.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"

namespace vx {

namespace {

// kCopy: a file too big to carry in the plan (ld.so.cache) that pid 1 copies from the host.
enum class Take { kSkip, kBind, kCopy, kRead };

// What the view takes of a file of type and size `st` at `inside`.
Take take_for(const std::string& inside, const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return Take::kBind;
  if (!S_ISREG(st.st_mode)) return Take::kSkip;
  // The accounts are always read: the view holds only their reduced lines.
  bool accounts = inside == "/etc/passwd" || inside == "/etc/group";
  if (!accounts && static_cast<size_t>(st.st_size) > kEtcCopyMax) return Take::kCopy;
  return Take::kRead;
}

std::optional<EtcEntry> content_entry(const std::string& inside, const std::string& real,
                                      Expected<std::string> text) {
  if (!text) {
    const Error& e = text.error();
    warn(real + " is left out of the sandbox's /etc: " +
         (e.why.empty() ? std::string(std::strerror(e.sys_errno)) : e.why));
    return std::nullopt;
  }
  return EtcEntry{EtcEntry::Kind::kContent, inside, std::move(*text)};
}

// A regular file or a directory at `path` (of type and size `st`) as an entry at `inside`;
// `read` gives a file's text when the view carries it (by path, or from an open descriptor).
template <class Read>
std::optional<EtcEntry> entry_of(const std::string& inside, const std::string& path,
                                 const struct stat& st, Read read) {
  switch (take_for(inside, st)) {
    case Take::kSkip:
      return std::nullopt;
    case Take::kBind:
      return EtcEntry{EtcEntry::Kind::kBind, inside, path};
    case Take::kCopy:
      return EtcEntry{EtcEntry::Kind::kCopy, inside, path};
    case Take::kRead:
      return content_entry(inside, path, read());
  }
  return std::nullopt;
}

// A regular file or a directory at `real` (a path without links) as an entry at `inside`.
std::optional<EtcEntry> entry_for(const std::string& inside, const std::string& real,
                                  const struct stat& st) {
  return entry_of(inside, real, st, [&] { return read_untrusted_file(real, kEtcFileCap); });
}

// The entry for a link at `path`. A link into /usr resolves the same way inside, where /usr
// is the host's: the link is kept. Any other is replaced by what it leads to; a dangling one
// is left out.
std::optional<EtcEntry> link_entry(const std::string& inside, const std::string& path,
                                   const std::string& root) {
  auto real = real_path(path);
  if (!real) return std::nullopt;
  auto target = read_link(path);
  if (target && is_within(*real, root + "/usr"))
    return EtcEntry{EtcEntry::Kind::kLink, inside, *target};
  struct stat st;
  if (stat(real->c_str(), &st) != 0) return std::nullopt;
  return entry_for(inside, *real, st);
}

// The entry for ROOT/etc/NAME judged on its lstat: a directory is bound without being opened.
std::optional<EtcEntry> entry_by_lstat(const std::string& inside, const std::string& path,
                                       const std::string& root) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return std::nullopt;
  if (S_ISLNK(st.st_mode)) return link_entry(inside, path, root);
  return entry_for(inside, path, st);
}

// The names that are usually directories or copied by pid 1 (ld.so.cache is above
// kEtcCopyMax): an lstat answers for them in one call where an open costs three. Only the cost
// depends on it.
bool judged_by_lstat(const std::string& name) {
  return name == "alternatives" || name == "ssl" || name == "ld.so.cache" || name == "xdg/pip";
}

// A file to copy costs open, fstat, pread and close: no stat before the open (a link is ELOOP
// there, and then resolved).
std::optional<EtcEntry> entry_by_open(const std::string& inside, const std::string& path,
                                      const std::string& root) {
  auto file = open_untrusted(path);
  if (!file) {
    int err = file.error().sys_errno;
    if (err == ELOOP) return link_entry(inside, path, root);
    if (err == ENOENT || err == ENOTDIR) return std::nullopt;
    // Not opened for another reason (EACCES): judged on lstat, as a directory that cannot be
    // read is still bound, and an unreadable file gets its warning.
    return entry_by_lstat(inside, path, root);
  }
  return entry_of(inside, path, file->st,
                  [&] { return read_open_file(*file, path, kEtcFileCap); });
}

}  // namespace

std::vector<EtcEntry> read_standard_etc(const std::string& root) {
  std::vector<EtcEntry> out;
  for (const auto& name : standard_etc_names()) {
    std::string path = root + "/etc/" + name;
    std::string inside = "/etc/" + name;
    auto entry = judged_by_lstat(name) ? entry_by_lstat(inside, path, root)
                                     : entry_by_open(inside, path, root);
    if (entry) out.push_back(std::move(*entry));
  }
  return out;
}

}  // namespace vx
