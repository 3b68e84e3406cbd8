#include "host/project_files.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"
#include "plan/dotenv.h"
#include "plan/git_identity.h"
#include "plan/view.h"

namespace vx {

namespace {

bool has_name(const std::vector<std::string>& names, const char* name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A protected name (SPEC §3) that is a link, a FIFO or a device was most likely planted by an
// earlier run: it is neither followed nor opened, and it is left out of the read-only binds
// with a warning, rather than stopping this and every later launch (SPEC §3a.4). `present`
// gets every protected name that exists, for warn_new_protected after the run: the same lstat
// answers both.
std::vector<std::string> unprotectable_names(const std::string& project,
                                             std::vector<std::string>& present) {
  std::vector<std::string> out;
  for (const auto& name : protected_project_names()) {
    struct stat st;
    std::string path = project + "/" + name;
    if (lstat(path.c_str(), &st) != 0) continue;
    present.push_back(name);
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) continue;
    warn(path + " is " + (S_ISLNK(st.st_mode) ? "a symbolic link" : "not a regular file") +
         ", which a sandbox may have planted: it is not protected in this run; remove it, or "
         "replace it with the file it stands for");
    out.push_back(name);
  }
  return out;
}

// The project's .env feeds the program only: keys that steer the launcher are dropped.
// A .env the sandbox could have written (SPEC §3a.4) is read without following a link, without
// waiting on a FIFO and within a size cap; one it made unreadable or malformed is ignored with a
// warning, so that no file a sandbox writes can stop every later launch.
std::vector<EnvEntry> project_dotenv(const std::string& project) {
  std::string path = project + "/.env";
  auto text = read_untrusted_file(path);
  if (!text && text.error().sys_errno == ENOENT) return {};
  Expected<std::vector<DotenvEntry>> parsed = text ? parse_dotenv(*text, path) : fail(text.error());
  if (!parsed) {
    const Error& e = parsed.error();
    warn(printable(e.what) + ": " + printable(e.why.empty() ? std::strerror(e.sys_errno) : e.why) +
         "; .env is ignored for this run");
    return {};
  }
  std::vector<DotenvEntry>& entries = *parsed;
  std::vector<EnvEntry> env;
  for (auto& e : entries) {
    if (is_launcher_key(e.key)) {
      warn(project + "/.env:" + std::to_string(e.line) + ": " + e.key +
           " is ignored: .env feeds the program, it cannot change the sandbox");
      continue;
    }
    env.push_back({std::move(e.key), std::move(e.value)});
  }
  return env;
}

// SPEC §4: git inside knows the user's name and email. The files are parsed here, never by
// running git, and only user.name and user.email leave them: a gitconfig may hold credentials.
// The user's own files may be links (dotfile managers), so they are resolved first; the
// project's .git/config is sandbox-writable and is read without following one (§3a.4).
GitIdentity read_git_identity(const std::string& path, bool follow) {
  constexpr size_t kGitConfigCap = 256 << 10;
  std::string file = path;
  if (follow) {
    auto resolved = real_path(path);
    if (!resolved) return {};
    file = std::move(*resolved);
  }
  auto text = read_untrusted_file(file, kGitConfigCap);
  return text ? parse_git_identity(*text) : GitIdentity{};
}

void add_git_identity(const HostFacts& host, const Venv& venv, LaunchRequest& req) {
  if (has_name(req.protected_present, ".git"))
    req.git_local = read_git_identity(venv.project + "/.git/config", false);
  // git(1): GIT_CONFIG_GLOBAL names the file read instead of both user files.
  if (auto global = host_env(host, "GIT_CONFIG_GLOBAL"); global && !global->empty()) {
    req.git_user = read_git_identity(*global, true);
    return;
  }
  auto xdg = host_env(host, "XDG_CONFIG_HOME");
  std::string config =
      (xdg && !xdg->empty() && xdg->front() == '/') ? *xdg : host.home + "/.config";
  req.git_user = merge_git_identity(read_git_identity(config + "/git/config", true),
                                    read_git_identity(host.home + "/.gitconfig", true));
}

}  // namespace

void read_project_files(const HostFacts& host, const Venv& venv, LaunchRequest& req) {
  req.skip_protected = unprotectable_names(venv.project, req.protected_present);
  // The lstat of the protected names just said whether .env and .git exist: no open to learn
  // it again.
  if (has_name(req.protected_present, ".env")) req.dotenv = project_dotenv(venv.project);
  add_git_identity(host, venv, req);
}

}  // namespace vx
