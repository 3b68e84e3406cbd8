#include "host/minimal_view.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <set>

#include "base/path.h"
#include "base/real_path.h"
#include "host/closure.h"
#include "host/elf_reader.h"
#include "host/venv.h"

namespace vx {

namespace {

// Collects ops for paths that must be reachable under their host names: every symlink met on
// the way becomes a symlink op; the end of the chain is bound.
class ViewBuilder {
 public:
  explicit ViewBuilder(std::string skip) : skip_(std::move(skip)) {}

  // Resolves `path` component by component, recording the links; returns the real path.
  std::string follow(const std::string& path, int depth = 0) {
    std::vector<std::string> comps = split(path, '/');
    std::string cur;
    for (size_t i = 0; i < comps.size(); ++i) {
      const std::string& comp = comps[i];
      if (comp.empty() || comp == ".") continue;
      if (comp == "..") {
        cur = parent_dir(cur.empty() ? "/" : cur);
        if (cur == "/") cur.clear();
        continue;
      }
      std::string next = cur + "/" + comp;
      char buf[PATH_MAX];
      ssize_t n = readlink(next.c_str(), buf, sizeof buf - 1);
      if (n < 0 || depth > 32) {
        cur = next;
        continue;
      }
      std::string text(buf, static_cast<size_t>(n));
      ops_.push_back({MountKind::kSymlink, text, next});
      std::string target = text.front() == '/' ? text : cur + "/" + text;
      for (size_t j = i + 1; j < comps.size(); ++j) target += "/" + comps[j];
      return follow(target, depth + 1);
    }
    return cur.empty() ? "/" : cur;
  }

  void bind(const std::string& path, bool optional = true) {
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 && optional) return;
    std::string real = follow(path);
    if (!skip_.empty() && is_within(real, skip_)) return;
    ops_.push_back({MountKind::kRoBind, real, real, optional});
  }

  std::vector<MountOp>& ops() { return ops_; }

 private:
  std::string skip_;  // the project: already visible, never bound again
  std::vector<MountOp> ops_;
};

void find_shared_objects(const std::string& dir, std::vector<std::string>& out, int depth = 0) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr || depth > 24) {
    if (d != nullptr) closedir(d);
    return;
  }
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n == "." || n == "..") continue;
    std::string p = dir + "/" + n;
    if (e->d_type == DT_DIR) {
      // VENV/home and VENV/cache are the sandbox's own at every run, not only during pip.
      if (depth > 0 || (n != "home" && n != "cache")) find_shared_objects(p, out, depth + 1);
    } else if (e->d_type == DT_REG && is_library_name(n)) {
      out.push_back(p);
    }
  }
  closedir(d);
}

std::string real_or_self(const std::string& path) { return real_path(path).value_or(path); }

const std::vector<std::string>& tools() {
  static const std::vector<std::string> t = {"/bin/sh", "/bin/bash",  "/usr/bin/env",
                                             "/bin/ls", "/bin/uname", "/usr/bin/git"};
  return t;
}

// /etc files and data directories of SPEC §3: names, resolver, locale, time zones, terminfo
// for the REPL and shell, CA certificates for ssl.create_default_context(), and the service and
// protocol names of getservbyname()/getaddrinfo(host, "http").
const std::vector<std::string>& system_data() {
  static const std::vector<std::string> d = {"/etc/hosts",          "/etc/resolv.conf",
                                             "/etc/ld.so.cache",    "/etc/os-release",
                                             "/etc/nsswitch.conf",  "/etc/localtime",
                                             "/etc/alternatives",   "/etc/passwd",
                                             "/etc/group",          "/etc/ssl",
                                             "/usr/lib/ssl",        "/usr/share/ca-certificates",
                                             "/usr/lib/locale",     "/usr/share/locale",
                                             "/usr/share/zoneinfo", "/usr/share/terminfo",
                                             "/lib/terminfo",       "/etc/terminfo",
                                             "/usr/share/git-core", "/usr/lib/git-core",
                                             "/etc/services",       "/etc/protocols"};
  return d;
}

}  // namespace

bool is_library_name(const std::string& name) {
  if (name.size() > 3 && name.ends_with(".so")) return true;
  auto at = name.find(".so.");
  if (at == std::string::npos || at == 0) return false;
  std::string_view rest = std::string_view(name).substr(at + 4);
  if (rest.empty() || rest.back() == '.') return false;
  return std::all_of(rest.begin(), rest.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

std::vector<MountOp> fold_view(const std::vector<MountOp>& ops) {
  std::vector<std::string> dirs;
  for (const auto& op : ops) {
    struct stat st;
    if (op.kind == MountKind::kRoBind && op.src == op.dest && stat(op.src.c_str(), &st) == 0 &&
        S_ISDIR(st.st_mode))
      dirs.push_back(op.dest);
  }
  std::vector<MountOp> out;
  for (const auto& op : ops) {
    bool inside = std::any_of(dirs.begin(), dirs.end(), [&](const std::string& d) {
      return op.dest != d && is_within(op.dest, d);
    });
    if (inside || std::find(out.begin(), out.end(), op) != out.end()) continue;
    out.push_back(op);
  }
  return out;
}

Expected<MinimalView> compute_minimal_view(const MinimalInputs& in) {
  ViewBuilder b(in.venv_dir.empty() ? "" : parent_dir(in.venv_dir));
  std::vector<std::string> roots;
  std::string py = in.python_prefix + "/bin/python" + in.python_version;
  if (in.python_prefix.empty()) {
    // An unregistered venv's interpreter outside the system paths is not exposed (SPEC §3a.3).
  } else if (in.python_prefix == "/usr") {
    b.bind(in.python_prefix + "/lib/python" + in.python_version, false);
    b.bind(py, false);
    b.follow("/usr/bin/python3");
  } else {
    b.bind(in.python_prefix, false);
    // The stdlib may itself be reached through a link out of the prefix.
    b.bind(in.python_prefix + "/lib/python" + in.python_version);
  }
  if (!in.python_prefix.empty()) {
    roots.push_back(py);
    find_shared_objects(in.python_prefix + "/lib/python" + in.python_version + "/lib-dynload",
                        roots);
  }
  // /usr/bin holds nothing private: one directory bind instead of a bind per tool (SPEC §9).
  // The tools of SPEC §3 are closure roots, so their libraries are in the view for certain.
  b.bind("/usr/bin", false);
  for (const auto& t : tools()) {
    b.follow(t);
    roots.push_back(t);
  }
  find_shared_objects("/usr/lib/git-core", roots);
  for (const auto& x : in.expose) {
    b.bind(x, false);
    roots.push_back(x);
  }
  if (!in.venv_dir.empty()) find_shared_objects(in.venv_dir, roots);
  for (const auto& d : system_data()) b.bind(d);
  TRY_ASSIGN(cache, read_ld_cache("/etc/ld.so.cache"));
  TRY_ASSIGN(closure, library_closure(roots, cache));
  std::set<std::string> root_set(roots.begin(), roots.end());
  std::set<std::string> unexposed;
  std::vector<std::string> trusted_roots = {in.python_prefix};
  if (!in.venv_dir.empty()) trusted_roots.push_back(parent_dir(in.venv_dir));
  for (const auto& x : in.expose) trusted_roots.push_back(real_or_self(x));
  for (const auto& f : closure.files) {
    // Roots are bound as files above (or lie in the venv or a bound directory); only the
    // libraries and loaders they need bring their directory with them.
    if (root_set.count(f) != 0 || f.starts_with(in.venv_dir + "/")) continue;
    // SPEC §3a.3: the venv's ELF files are the sandbox's writing; where their NEEDED, RUNPATH
    // and PT_INTERP lead is bound only inside the system paths, the recorded prefix and the
    // project. The check is made on the very directory that is bound: its real path, which
    // must exist (a missing PT_INTERP spelled "/usr/../home/u/.ssh/x" is a string "in /usr").
    auto real_dir = real_path(parent_dir(f));
    if (!real_dir) continue;
    std::string dir = std::move(*real_dir);
    bool trusted = is_system_path(dir) || std::any_of(trusted_roots.begin(), trusted_roots.end(),
                                                      [&](const std::string& r) {
                                                        return !r.empty() && is_within(dir, r);
                                                      });
    if (!trusted) {
      unexposed.insert(dir);
      continue;
    }
    // The links on the way are recorded; a path that resolves elsewhere now (a link changed
    // since real_path) is not bound.
    if (b.follow(parent_dir(f)) != dir) continue;
    b.bind(dir);
    b.follow(f);  // the loader's own name may be a chain of links (/lib64/ld-linux...)
  }
  MinimalView view;
  // Nothing is planned inside the project: it is bound read-write as it is, and a link the
  // scan met there (a RUNPATH through a project directory) is the sandbox's to change; planned
  // again on top of the project it could make every later launch fail.
  std::vector<MountOp> ops = b.ops();
  if (!in.venv_dir.empty())
    std::erase_if(ops, [&](const MountOp& op) { return is_within(op.dest, parent_dir(in.venv_dir)); });
  view.ops = fold_view(ops);
  view.warnings = closure.missing;
  view.unexposed.assign(unexposed.begin(), unexposed.end());
  return view;
}

}  // namespace vx
