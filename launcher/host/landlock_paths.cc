#include "host/landlock_paths.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/path.h"
#include "base/real_path.h"
#include "plan/view.h"

namespace vx {

namespace {

// The curated /etc of SPEC §3, plus files that exist on the host and that programs treat as
// fatal when unreadable (the namespaced view simply lacks them): Debian's sitecustomize in
// /etc/python3.X, git's system config, the shell's startup files, the service names.
const std::vector<std::string>& etc_files() {
  static const std::vector<std::string> files = {
      "/etc/hosts",         "/etc/resolv.conf", "/etc/ld.so.cache",  "/etc/os-release",
      "/etc/nsswitch.conf", "/etc/localtime",   "/etc/alternatives", "/etc/ssl",
      "/etc/passwd",        "/etc/group",       "/etc/pip.conf",     "/etc/xdg/pip",
      "/etc/gai.conf",      "/etc/host.conf",   "/etc/mime.types",   "/etc/terminfo",
      "/etc/gitconfig",     "/etc/bash.bashrc", "/etc/profile",      "/etc/profile.d",
      "/etc/inputrc",       "/etc/services",    "/etc/protocols"};
  return files;
}

// Landlock checks the file a path ends at, so a rule goes on the link's target
// (/etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf). Missing paths are left out.
void add_resolved(const std::string& path, std::vector<std::string>& out) {
  if (auto real = real_path(path)) out.push_back(std::move(*real));
}

void add_python_etc(std::vector<std::string>& out) {
  DIR* d = opendir("/etc");
  if (d == nullptr) return;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.starts_with("python3")) add_resolved("/etc/" + n, out);
  }
  closedir(d);
}

// The project's entries but its links: a link needs no rule (open follows it to a target that
// has its own rules, or none), and the executor refuses a rule on a link. One that appears
// between this listing and the launch stops the launch (125), never widens it.
std::vector<std::string> directory_names(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = opendir(dir.c_str())) {
    while (struct dirent* e = readdir(d))
      if (e->d_type != DT_LNK) names.push_back(e->d_name);
    closedir(d);
  }
  return names;
}

// A path the namespaced view protects, when it lies strictly inside the project; and the
// project's listing and each directory's between it and the path (the planner grants each
// listed name on its own, never the way to the path).
void add_carved(const std::string& project, const std::string& path, std::vector<std::string>& into,
                LandlockOnlyInputs& in) {
  if (path.empty() || path == project || !is_within(path, project)) return;
  into.push_back(path);
  for (std::string dir = parent_dir(path); is_within(dir, project); dir = parent_dir(dir)) {
    if (!in.listings.contains(dir)) in.listings[dir] = directory_names(dir);
    if (dir == project) break;
  }
}

}  // namespace

LandlockOnlyInputs landlock_only_inputs(const HostFacts& host, const Venv& venv,
                                        const ViewPlaces& places) {
  LandlockOnlyInputs in;
  in.system_paths.push_back("/usr");
  for (const auto& [path, target] : host.root_links)
    if (target.empty()) add_resolved(path, in.system_paths);
  for (const auto& f : etc_files()) add_resolved(f, in.system_paths);
  add_python_etc(in.system_paths);
  if (!venv.python_prefix.empty() && !is_within(venv.python_prefix, "/usr"))
    add_resolved(venv.python_prefix, in.system_paths);
  add_resolved(host.self_exe, in.system_paths);
  for (const char* dev :
       {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"})
    in.devices.push_back(dev);
  // The caller's terminal, under its own path; no other terminal of the user.
  for (int fd = 0; fd <= 2; ++fd)
    if (const char* tty = isatty(fd) ? ttyname(fd) : nullptr) add_resolved(tty, in.devices);
  in.project = venv.project;
  in.listings[venv.project] = directory_names(venv.project);
  // What plan_view keeps read-only or hides (SPEC §3, §3a.1), at the same real paths: the
  // registry's venvs and the state directory are real paths, and so is the venv's.
  for (const auto& name : protected_project_names())
    add_carved(venv.project, venv.project + "/" + name, in.read_only, in);
  add_carved(venv.project, venv.dir, in.read_only, in);
  for (const auto& v : places.other_venvs) add_carved(venv.project, v, in.read_only, in);
  add_carved(venv.project, places.state_dir, in.hidden, in);
  if (!venv.dir.empty()) {
    in.writable = {venv.dir + "/home", venv.dir + "/cache"};
    // TMPDIR inside: the host's /tmp is not writable there.
    mkdir((venv.dir + "/cache/tmp").c_str(), 0700);
  }
  return in;
}

}  // namespace vx
