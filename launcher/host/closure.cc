#include "host/closure.h"

#include <elf.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <set>

#include "base/path.h"
#include "base/real_path.h"
#include "host/elf_reader.h"

namespace vx {

namespace {

std::string real(const std::string& path) { return real_path(path).value_or(path); }

std::string expand(std::string dir, const std::string& origin, const ElfInfo& e) {
  const std::string lib = e.elf_class == ELFCLASS64 ? "lib64" : "lib";
  const std::string platform = e.machine == EM_X86_64    ? "x86_64"
                               : e.machine == EM_AARCH64 ? "aarch64"
                                                         : "i686";
  for (const auto& [token, value] : {std::pair<std::string, std::string>{"$ORIGIN", origin},
                                     {"${ORIGIN}", origin},
                                     {"$LIB", lib},
                                     {"${LIB}", lib},
                                     {"$PLATFORM", platform},
                                     {"${PLATFORM}", platform}}) {
    size_t pos;
    while ((pos = dir.find(token)) != std::string::npos) dir.replace(pos, token.size(), value);
  }
  return dir;
}

class Resolver {
 public:
  explicit Resolver(const LdCache& cache) : cache_(cache) {}

  Expected<Closure> run(const std::vector<std::string>& roots) {
    for (const auto& root : roots) TRY(visit(root, true));
    while (!queue_.empty() && lookups_ < kMaxLookups) {
      auto [path, info] = queue_.front();
      queue_.pop_front();
      size_t n = std::min(info.needed.size(), kMaxNeeded);
      for (size_t i = 0; i < n; ++i) {
        const std::string& name = info.needed[i];
        auto found = find(name, path, info);
        if (!found) {
          out_.missing.push_back(name + " (needed by " + path + ")");
          continue;
        }
        TRY(visit(*found, false));
      }
    }
    if (lookups_ >= kMaxLookups)
      out_.missing.push_back("the library scan stopped after " + std::to_string(kMaxLookups) +
                             " lookups (a venv file names too many libraries or directories)");
    out_.files.assign(files_.begin(), files_.end());
    out_.real_files.assign(real_files_.begin(), real_files_.end());
    return out_;
  }

 private:
  // A candidate counts only if it is an ELF object of the requester's class and machine, as
  // ld.so skips a library of the wrong architecture and keeps searching.
  // The scan runs on the host over files a sandbox wrote: its work is bounded, so that an ELF
  // with thousands of NEEDED entries and RUNPATH directories cannot stall every launch.
  static constexpr size_t kMaxLookups = 100000;
  static constexpr size_t kMaxNeeded = 256;
  static constexpr size_t kMaxSearchDirs = 64;
  size_t lookups_ = 0;

  std::optional<std::string> matching(const std::string& candidate, const ElfInfo& req) {
    if (++lookups_ > kMaxLookups) return std::nullopt;
    auto it = info_.find(real(candidate));
    ElfInfo e;
    if (it != info_.end()) {
      e = it->second;
    } else {
      auto r = read_elf(candidate);
      if (!r || !r->is_elf) return std::nullopt;
      e = *r;
    }
    if (e.elf_class != req.elf_class || e.machine != req.machine) return std::nullopt;
    return candidate;
  }

  std::optional<std::string> search(const std::vector<std::string>& dirs, const std::string& name,
                                    const std::string& origin, const ElfInfo& req) {
    for (size_t i = 0; i < dirs.size() && i < kMaxSearchDirs; ++i) {
      const std::string& d = dirs[i];
      // A relative RUNPATH would resolve against the host's working directory: ignored.
      std::string dir = expand(d, origin, req);
      if (dir.empty() || dir.front() != '/') continue;
      if (auto m = matching(dir + "/" + name, req)) return m;
    }
    return std::nullopt;
  }

  std::optional<std::string> find(const std::string& name, const std::string& from,
                                  const ElfInfo& req) {
    // SPEC §3a.3: a NEEDED entry with a '/' names a path of the sandbox's choosing (absolute,
    // or relative to the host's working directory): never followed.
    if (name.find('/') != std::string::npos) return std::nullopt;
    std::string origin = parent_dir(real(from));
    if (req.runpath.empty())
      if (auto m = search(req.rpath, name, origin, req)) return m;
    if (auto m = search(req.runpath, name, origin, req)) return m;
    int32_t flags = ld_cache_flags(req.elf_class, req.machine);
    auto it = cache_.entries.find({name, flags});
    if (it != cache_.entries.end())
      if (auto m = matching(it->second, req)) return m;
    static const std::vector<std::string> k64 = {"/lib/x86_64-linux-gnu",
                                                 "/usr/lib/x86_64-linux-gnu",
                                                 "/lib64",
                                                 "/usr/lib64",
                                                 "/lib",
                                                 "/usr/lib"};
    static const std::vector<std::string> k32 = {"/lib/i386-linux-gnu",
                                                 "/usr/lib/i386-linux-gnu",
                                                 "/lib32",
                                                 "/usr/lib32",
                                                 "/lib",
                                                 "/usr/lib"};
    return search(req.elf_class == ELFCLASS64 ? k64 : k32, name, origin, req);
  }

  Expected<void> visit(const std::string& path, bool root) {
    std::string r = real(path);
    if (!files_.insert(path).second && !root) return {};
    if (info_.count(r) != 0) return {};
    // A file that cannot be read as ELF (half written, a FIFO, garbage a sandbox left) is
    // skipped with a note, never an error on every later launch (SPEC §3a.4).
    auto read = read_elf(path);
    if (!read) {
      files_.erase(path);
      out_.missing.push_back("unreadable: " + path + ": " + read.error().why);
      return {};
    }
    ElfInfo e = *read;
    if (!e.is_elf) {
      files_.erase(path);
      return {};
    }
    info_.emplace(r, e);
    real_files_.insert(r);
    if (!e.interp.empty()) {
      files_.insert(e.interp);
      real_files_.insert(real(e.interp));
    }
    queue_.emplace_back(path, e);
    return {};
  }

  const LdCache& cache_;
  std::map<std::string, ElfInfo> info_;  // by real path: each object parsed once
  std::set<std::string> files_, real_files_;
  std::deque<std::pair<std::string, ElfInfo>> queue_;
  Closure out_;
};

}  // namespace

Expected<Closure> library_closure(const std::vector<std::string>& roots, const LdCache& cache) {
  return Resolver(cache).run(roots);
}

}  // namespace vx
