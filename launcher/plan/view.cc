#include "plan/view.h"

#include <algorithm>

#include "base/path.h"

namespace vx {

namespace {

size_t depth(const std::string& path) {
  return static_cast<size_t>(std::count(path.begin(), path.end(), '/')) - (path == "/" ? 1 : 0);
}

MountOp ro_self(const std::string& path, bool optional = false) {
  return {MountKind::kRoBind, path, path, optional};
}

// The merged-usr links of the host (/bin -> usr/bin), or its real directories, bound.
void add_root_links(const ViewInputs& in, std::vector<MountOp>& ops) {
  for (const auto& [path, target] : in.root_links) {
    if (target.empty()) {
      ops.push_back(ro_self(path));
    } else {
      ops.push_back({MountKind::kSymlink, target, path});
    }
  }
}

// The broad read-only view of profile `system`: /usr, /etc and the merged-usr links.
void add_system_profile(const ViewInputs& in, std::vector<MountOp>& ops) {
  ops.push_back(ro_self("/usr"));
  ops.push_back(ro_self("/etc"));
  add_root_links(in, ops);
}

// Profile `standard` (SPEC §3): all of /usr in one bind, the root links, and a curated /etc
// whose small files are copied into the root tmpfs (a bind costs ~35 µs, a copy a few; a large
// one, ld.so.cache, is copied by pid 1 from the host rather than carried in the plan) and whose
// account files name only root, the caller, the program's ids and nobody.
void add_standard_profile(const ViewInputs& in, std::vector<MountOp>& ops) {
  constexpr unsigned kNobody = 65534;
  ops.push_back(ro_self("/usr"));
  add_root_links(in, ops);
  if (in.etc == nullptr) return;
  for (const auto& e : *in.etc) {
    switch (e.kind) {
      case EtcEntry::Kind::kContent: {
        std::string content = e.data;
        if (e.path == "/etc/passwd")
          content = reduce_id_file(e.data, {0, in.uid, in.outside_uid, kNobody});
        if (e.path == "/etc/group")
          content = reduce_id_file(e.data, {0, in.gid, in.outside_gid, kNobody});
        ops.push_back({MountKind::kFile, std::move(content), e.path});
        break;
      }
      case EtcEntry::Kind::kBind:
        ops.push_back({MountKind::kRoBind, e.data, e.path, true});
        break;
      case EtcEntry::Kind::kLink:
        ops.push_back({MountKind::kSymlink, e.data, e.path});
        break;
      case EtcEntry::Kind::kCopy:
        ops.push_back({MountKind::kCopy, e.data, e.path, true});
        break;
    }
  }
}

// The sandbox's own /etc/resolv.conf (--net internet, a resolver on the host's loopback). The
// standard and minimal profiles place /etc/resolv.conf themselves (a copy, a bind, a link): a
// file on the root tmpfs takes its place. The system profile binds /etc: the file goes where
// the host's really lies, over it when that is inside a mount (never written into a bound
// tree, which is the host's), else on the root tmpfs, where the bound link (systemd-resolved's,
// into /run) finds it.
void add_resolv_conf(const ViewInputs& in, std::vector<MountOp>& ops) {
  if (in.resolv_conf == nullptr) return;
  const std::string path = "/etc/resolv.conf";
  auto at = std::find_if(ops.begin(), ops.end(), [&](const MountOp& o) { return o.dest == path; });
  if (at != ops.end()) {
    *at = {MountKind::kFile, *in.resolv_conf, path};
    return;
  }
  std::string real = in.resolv_conf_real.empty() ? path : in.resolv_conf_real;
  bool mounted = std::any_of(ops.begin(), ops.end(), [&](const MountOp& o) {
    bool mount = o.kind == MountKind::kBind || o.kind == MountKind::kRoBind ||
                 o.kind == MountKind::kDevBind || o.kind == MountKind::kTmpfs ||
                 o.kind == MountKind::kProc || o.kind == MountKind::kDev;
    return mount && is_within(real, o.dest);
  });
  ops.push_back({mounted ? MountKind::kFileOver : MountKind::kFile, *in.resolv_conf, real});
}

// Read-only paths the profile must show even when they lie outside it.
void add_outside_paths(const ViewInputs& in, std::vector<MountOp>& ops) {
  auto covered = [&](const std::string& path) {
    return std::any_of(ops.begin(), ops.end(), [&](const MountOp& op) {
      return op.kind == MountKind::kRoBind && op.src == op.dest && is_within(path, op.dest);
    });
  };
  // The minimal view already holds what the interpreter needs.
  if (in.profile != "minimal" && !in.python_prefix.empty() && !covered(in.python_prefix))
    ops.push_back(ro_self(in.python_prefix));
  if (!in.self_exe.empty() && !covered(in.self_exe)) ops.push_back(ro_self(in.self_exe));
  // The minimal view computed --expose into its closure already.
  if (in.profile != "minimal")
    for (const auto& exe : in.expose)
      if (!covered(exe)) ops.push_back(ro_self(exe));
}

// A mount point cannot be renamed or removed (rename(2), rmdir(2): EBUSY) in the namespace it is
// mounted in; a plain directory of the read-write project can. A read-only bind of P/tools/.venv
// keeps that entry, not its parents: a sandbox renamed P/tools away and made a fake
// P/tools/.venv/bin/python that the user then ran unsandboxed (attack review, finding 1), or
// renamed the parent of a state directory inside the project so that the next launch found no
// state to hide and the sandbox wrote stored options (finding 4). So each directory strictly
// between the project and a protected entry is bound onto itself, read-write as the project is:
// still writable, no longer movable. The depth sort mounts it before the entry below it. Directly
// under the project (P/.venv, P/.git) nothing is added: the project is a mount point already.
void pin_parents(const std::string& project, const std::string& path, std::vector<MountOp>& ops) {
  for (std::string dir = parent_dir(path); dir != project && is_within(dir, project);
       dir = parent_dir(dir)) {
    bool pinned = std::any_of(ops.begin(), ops.end(), [&](const MountOp& o) {
      return o.kind == MountKind::kBind && o.dest == dir;
    });
    // Optional: the entry below is optional too, and a directory that is gone holds nothing.
    if (!pinned) ops.push_back({MountKind::kBind, dir, dir, true});
  }
}

void add_project(const ViewInputs& in, std::vector<MountOp>& ops) {
  ops.push_back({MountKind::kBind, in.project, in.project});
  if (!in.venv_dir.empty()) {
    pin_parents(in.project, in.venv_dir, ops);
    std::string bin = in.venv_dir + "/bin";
    if (in.pip) {
      ops.push_back({MountKind::kBind, in.venv_dir, in.venv_dir});
      // bin/ is a mount point of its own, so pip can write in it but cannot rename or remove
      // the directory (EBUSY) and put a bin/ with another activate in its place. In a wrapped
      // venv it is the staging copy: the host's bin/ is never writable by a sandbox.
      ops.push_back({MountKind::kBind, in.venv_bin.empty() ? bin : in.venv_bin, bin});
      for (const auto& f : in.venv_trusted) ops.push_back(ro_self(f, true));
    } else {
      ops.push_back(ro_self(in.venv_dir));
      // The real entrypoints, not the wrappers: a nested call runs its target directly, and
      // sys._base_executable is the real interpreter, so a venv made inside works.
      if (!in.venv_bin.empty()) ops.push_back({MountKind::kRoBind, in.venv_bin, bin});
    }
  }
  for (const auto& name : protected_project_names())
    if (std::find(in.skip_protected.begin(), in.skip_protected.end(), name) ==
        in.skip_protected.end())
      ops.push_back(ro_self(in.project + "/" + name, true));
  // Another registered venv of the project is as trusted by the host as this one: a wrapper a
  // sandbox replaced there would run unsandboxed when the user calls it (SPEC §3).
  for (const auto& v : in.other_venvs) {
    if (v == in.venv_dir) continue;
    pin_parents(in.project, v, ops);
    ops.push_back(ro_self(v, true));
  }
  // SPEC §3a.1: the registry and the stored options are policy; a sandbox must not read or
  // write them, even when the project holds them (XDG_STATE_HOME inside it).
  if (!in.state_dir.empty() && is_within(in.state_dir, in.project)) {
    pin_parents(in.project, in.state_dir, ops);
    ops.push_back({MountKind::kTmpfs, "", in.state_dir});
  }
}

void add_home(const ViewInputs& in, std::vector<MountOp>& ops) {
  if (in.home_backing.empty()) {
    ops.push_back({MountKind::kTmpfs, "", in.home});
  } else {
    ops.push_back({MountKind::kBind, in.home_backing, in.home});
  }
  if (!in.cache_backing.empty())
    ops.push_back({MountKind::kBind, in.cache_backing, in.home + "/.cache"});
}

// A user mount meets the view's own links (/lib -> usr/lib in the minimal view): at the same
// place, the user's mount replaces the link; below it, the destination is taken through it, as
// bubblewrap would see it on a host with that link. The executor never follows a link itself.
// Files and links of the view below a user mount are left out: written there, they would land in
// the user's tree, which may be the host's.
void apply_user_mounts(const std::vector<MountOp>& user, std::vector<MountOp>& ops) {
  for (MountOp op : user) {
    std::erase_if(ops, [&](const MountOp& o) {
      return (o.kind == MountKind::kFile || o.kind == MountKind::kFileOver ||
              o.kind == MountKind::kCopy || o.kind == MountKind::kSymlink) &&
             o.dest != op.dest && is_within(o.dest, op.dest);
    });
    for (int hops = 0; hops < 8; ++hops) {
      auto link = std::find_if(ops.begin(), ops.end(), [&](const MountOp& o) {
        return o.kind == MountKind::kSymlink && is_within(op.dest, o.dest);
      });
      if (link == ops.end()) break;
      if (link->dest == op.dest) {
        ops.erase(link);
        break;
      }
      std::string base = link->src.front() == '/'
                             ? link->src
                             : link->dest.substr(0, link->dest.rfind('/') + 1) + link->src;
      op.dest = base + op.dest.substr(link->dest.size());
    }
    ops.push_back(std::move(op));
  }
}

}  // namespace

const std::vector<std::string>& standard_etc_names() {
  // Names and addresses, the resolver, the loader's cache, time zone, services for getaddrinfo,
  // the alternatives links of /usr/bin, CA certificates, pip's configuration, the accounts.
  static const std::vector<std::string> names = {
      "hosts",    "resolv.conf", "ld.so.cache", "os-release", "nsswitch.conf", "localtime",
      "services", "protocols",   "host.conf",   "gai.conf",   "alternatives",  "ssl",
      "pip.conf", "xdg/pip",     "passwd",      "group"};
  return names;
}

std::string reduce_id_file(std::string_view text, const std::vector<unsigned>& ids) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line = text.substr(pos, end - pos);
    pos = end;
    // name:password:ID:...
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    size_t c = b == std::string_view::npos ? b : line.find(':', b + 1);
    if (c == std::string_view::npos || c == b + 1) continue;
    unsigned id = 0;
    bool digits = true;
    for (char ch : line.substr(b + 1, c - b - 1)) {
      if (ch < '0' || ch > '9' || id > 429496729) digits = false;
      id = id * 10 + static_cast<unsigned>(ch - '0');
    }
    if (!digits || std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    out += line;
    if (out.back() != '\n') out += '\n';
  }
  return out;
}

const std::vector<std::string>& protected_project_names() {
  static const std::vector<std::string> names = {".git",   ".hg",     ".env",
                                                 ".envrc", ".vscode", ".idea"};
  return names;
}

MountPlan plan_view(const ViewInputs& in) {
  std::vector<MountOp> ops;
  if (in.profile == "minimal") {
    ops = in.system_view;
  } else if (in.profile == "system") {
    add_system_profile(in, ops);
  } else {
    add_standard_profile(in, ops);
  }
  add_outside_paths(in, ops);
  ops.push_back({MountKind::kProc, "", "/proc"});
  // A root caller's sandbox runs as global uid 0, which the permission checks of /proc/sys and
  // sysrq-trigger trust even without capabilities; for anyone else they already refuse.
  if (in.outside_uid == 0)
    for (const char* name : {"sys", "sysrq-trigger", "irq", "bus"})
      ops.push_back({MountKind::kRemountRo, "", std::string("/proc/") + name, true});
  ops.push_back({MountKind::kDev, "", "/dev"});
  ops.push_back({MountKind::kTmpfs, "", "/tmp"});
  ops.push_back({MountKind::kTmpfs, "", "/run/user/" + std::to_string(in.uid)});
  add_home(in, ops);
  add_project(in, ops);
  add_resolv_conf(in, ops);
  apply_user_mounts(in.user_mounts, ops);
  // A parent before anything mounted inside it; equal depths keep their order, so a later
  // option still covers an earlier one at the same place.
  // Each depth is counted once, not at every comparison: (depth, index) pairs sort stably.
  std::vector<std::pair<size_t, size_t>> order;
  order.reserve(ops.size());
  for (size_t i = 0; i < ops.size(); ++i) order.emplace_back(depth(ops[i].dest), i);
  std::sort(order.begin(), order.end());
  MountPlan plan;
  plan.ops.reserve(ops.size());
  for (const auto& [d, i] : order) plan.ops.push_back(std::move(ops[i]));
  return plan;
}

}  // namespace vx
