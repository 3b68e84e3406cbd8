#include "host/request.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "host/file_read.h"
#include "host/plan_cache.h"
#include "host/system_etc.h"
#include "plan/cli.h"
#include "plan/dotenv.h"
#include "sandbox/caps.h"

namespace vx {

namespace {

Expected<void> merge_variable(const HostFacts& host, const char* name, SandboxOptions& into) {
  auto value = host_env(host, name);
  if (!value || value->empty()) return {};
  TRY_ASSIGN(parsed, parse_sandbox_args(split_args_variable(*value), false, name));
  merge_options(into, parsed.options);
  return {};
}

bool exists_nofollow(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// A command that names a wrapped entrypoint runs its real target directly: the same outcome
// as a nested call, without a second execve of venv-exec inside.
std::optional<std::string> wrapped_name(const Venv& venv, const std::string& cmd) {
  if (venv.dir.empty() || !venv.wrapped) return std::nullopt;
  std::string name = cmd;
  if (cmd.find('/') != std::string::npos) {
    auto slash = cmd.rfind('/');
    char dir[PATH_MAX];
    std::string parent = slash == 0 ? "/" : cmd.substr(0, slash);
    if (realpath(parent.c_str(), dir) == nullptr || std::string(dir) != venv.dir + "/bin")
      return std::nullopt;
    name = cmd.substr(slash + 1);
  }
  if (!exists_nofollow(venv_real_dir(venv) + "/" + name)) return std::nullopt;
  return name;
}

// Files in the venv that the host trusts and pip must not change (SPEC §7).
std::vector<std::string> venv_trusted_files(const Venv& venv) {
  std::vector<std::string> files = {venv.dir + "/pyvenv.cfg", venv_state_dir(venv),
                                    venv.dir + "/home", venv.dir + "/cache"};
  if (DIR* d = opendir((venv.dir + "/bin").c_str())) {
    while (struct dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.starts_with("activate") || n == "Activate.ps1") files.push_back(venv.dir + "/bin/" + n);
    }
    closedir(d);
  }
  return files;
}

Expected<void> set_target(const Venv& venv, const Target& t, LaunchRequest& req) {
  if (t.shell) {
    req.exec_file = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
    req.argv = {req.exec_file};
    req.argv.insert(req.argv.end(), t.words.begin(), t.words.end());
    return {};
  }
  std::optional<std::string> name;
  std::optional<std::string> real;
  if (!t.entrypoint.empty()) {
    name = t.entrypoint;
    real = real_entry(venv.dir, *name);
    if (!real) {
      Error e = Error::make(
          "run " + venv.dir + "/bin/" + *name,
          "it links to venv-exec, but " + venv_real_dir(venv) + "/" + *name + " is missing",
          "run 'venv-exec install " + venv.dir + "' again");
      e.exit_code = kExitNotFound;
      return fail(e);
    }
  } else {
    name = wrapped_name(venv, t.words.front());
    if (name) real = real_entry(venv.dir, *name);
  }
  req.argv = t.words;
  if (name && real) {
    req.exec_file = *real;
    // argv[0] is the venv path, so that Python finds pyvenv.cfg and sys.prefix is the venv.
    if (req.argv.empty()) req.argv.emplace_back();
    req.argv[0] = venv.dir + "/bin/" + *name;
  } else {
    req.exec_file = t.words.front();
  }
  return {};
}

// bubblewrap's semantics for user mounts: a relative SRC is relative to the working directory,
// a symlink is followed (the caller named it and trusts it; the executor never follows one, so
// it is resolved here), and a missing SRC of a non-try bind is an error naming the option.
Expected<std::vector<MountOp>> check_user_mounts(const std::vector<MountOp>& mounts,
                                                 const std::string& cwd) {
  std::vector<MountOp> out = mounts;
  for (auto& op : out) {
    bool bind = op.kind == MountKind::kBind || op.kind == MountKind::kRoBind ||
                op.kind == MountKind::kDevBind;
    if (!bind) continue;
    if (!op.src.empty() && op.src.front() != '/') op.src = cwd + "/" + op.src;
    char resolved[PATH_MAX];
    if (realpath(op.src.c_str(), resolved) != nullptr) {
      op.src = resolved;
      continue;
    }
    if (op.optional) continue;
    std::string flag = "--" + std::string(mount_keyword(op.kind));
    return fail(Error::from_errno(flag + " " + op.src + " " + op.dest,
                                  "use " + flag + "-try for a source that may be missing"));
  }
  return out;
}

// --expose EXE outside the minimal view: the executable's real path (its libraries are in
// /usr, which those views show), relative to the working directory as a bind source is.
Expected<std::vector<std::string>> resolve_exposed(const std::vector<std::string>& exes,
                                                   const std::string& cwd) {
  std::vector<std::string> out;
  for (const auto& exe : exes) {
    std::string path = exe.front() == '/' ? exe : cwd + "/" + exe;
    char real[PATH_MAX];
    if (realpath(path.c_str(), real) == nullptr)
      return fail(Error::from_errno("--expose " + exe, "name an existing executable"));
    out.emplace_back(real);
  }
  return out;
}

// SANDBOX_USE_PIP_CACHE (SPEC §3): the host's pip cache, opt-in because a sandboxed pip can
// poison what the host's pip later installs from it.
std::optional<std::string> host_pip_cache(const HostFacts& host, const Venv& venv) {
  if (venv.dir.empty() || !host_env(host, "SANDBOX_USE_PIP_CACHE")) return std::nullopt;
  auto xdg = host_env(host, "XDG_CACHE_HOME");
  std::string cache = (xdg && !xdg->empty() && xdg->front() == '/') ? *xdg : host.home + "/.cache";
  std::string pip = cache + "/pip";
  mkdir(cache.c_str(), 0700);
  mkdir(pip.c_str(), 0700);
  return pip;
}

// The project's .env feeds the program only: keys that steer the launcher are dropped.
// A .env the sandbox could have written (SPEC §3a.4) is read without following a link and
// within a size cap.
Expected<std::vector<EnvEntry>> project_dotenv(const std::string& project) {
  std::string path = project + "/.env";
  auto text = read_untrusted_file(path);
  if (!text && text.error().sys_errno == ENOENT) return std::vector<EnvEntry>{};
  if (!text) return fail(text.error());
  TRY_ASSIGN(entries, parse_dotenv(*text, path));
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

}  // namespace

Expected<SandboxOptions> gather_options(const HostFacts& host, const SandboxOptions& defaults,
                                        const SandboxOptions& command_line) {
  SandboxOptions merged = defaults;
  TRY(merge_variable(host, "BWRAP_ARGS", merged));
  TRY(merge_variable(host, "VENV_EXEC_ARGS", merged));
  merge_options(merged, command_line);
  if (auto v = host_env(host, "VERBOSE"); v && !v->empty() && *v != "0") merged.verbose = true;
  return merged;
}

Expected<LaunchRequest> build_request(const HostFacts& host, const Venv& venv,
                                      const SandboxOptions& options, const Target& target) {
  LaunchRequest req;
  req.host_environ = &host.environ;
  req.host_uid = host.uid;
  req.host_gid = host.gid;
  req.home = host.home;
  req.cwd = host.cwd;
  req.stdin_tty = host.stdin_tty;
  req.root_links = host.root_links;
  req.self_exe = host.self_exe;
  req.project = venv.project;
  req.venv_dir = venv.dir;
  req.python_prefix = venv.python_prefix;
  req.options = options;
  TRY_ASSIGN(mounts, check_user_mounts(options.mounts, host.cwd));
  req.options.mounts = mounts;
  req.pip_cache = host_pip_cache(host, venv);
  TRY_ASSIGN(dotenv, project_dotenv(venv.project));
  req.dotenv = std::move(dotenv);
  std::string profile = options.profile.value_or("standard");
  if (profile == "minimal" && venv.dir.empty())
    return fail(Error::make("--profile minimal", "needs a venv to compute the view from",
                            "name one with --venv, or use the default profile"));
  req.options.profile = profile;
  if (profile == "minimal") {
    TRY_ASSIGN(view, load_view(venv, options.expose));
    req.system_view = std::move(view);
  }
  if (profile == "standard") req.etc = read_standard_etc();
  if (profile != "minimal") {
    TRY_ASSIGN(exposed, resolve_exposed(options.expose, host.cwd));
    req.expose = std::move(exposed);
  }
  TRY(set_target(venv, target, req));
  std::string name = target.entrypoint.empty() ? req.exec_file : target.entrypoint;
  req.pip = !venv.dir.empty() && is_pip_command(name, req.argv);
  if (req.pip) req.venv_trusted = venv_trusted_files(venv);
  TRY_ASSIGN(caps, resolve_caps(options.caps));
  req.keep_caps = caps;
  req.seccomp_allow = host_env(host, "SANDBOX_SECCOMP_ALLOW");
  req.timing = host.timing;
  return req;
}

}  // namespace vx
