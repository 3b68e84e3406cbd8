#include "host/request.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/real_path.h"
#include "host/caller_paths.h"
#include "host/cgroup.h"
#include "host/file_read.h"
#include "host/landlock_paths.h"
#include "host/pasta.h"
#include "host/pip_mounts.h"
#include "host/plan_cache.h"
#include "host/project_files.h"
#include "host/state.h"
#include "host/system_etc.h"
#include "plan/cli.h"
#include "plan/dns_forward.h"
#include "plan/links.h"
#include "plan/view.h"
#include "sandbox/caps.h"
#include "sandbox/landlock.h"

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
    auto dir = real_path(slash == 0 ? "/" : cmd.substr(0, slash));
    if (!dir || *dir != venv.dir + "/bin") return std::nullopt;
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

}  // namespace

Expected<ResolvedTarget> resolve_target(const Venv& venv, const Target& t) {
  ResolvedTarget r;
  if (t.shell) {
    r.exec_file = access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh";
    r.argv = {r.exec_file};
    r.argv.insert(r.argv.end(), t.words.begin(), t.words.end());
    return r;
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
  r.argv = t.words;
  if (name && real) {
    r.exec_file = *real;
    // argv[0] is the venv path, so that Python finds pyvenv.cfg and sys.prefix is the venv.
    // It names the entry whose real target was found: inside, VENV/bin shows real/, where an
    // interrupted install may not have put `python` yet while `python3` is there.
    if (r.argv.empty()) r.argv.emplace_back();
    r.argv[0] = venv.dir + "/bin/" + real->substr(real->rfind('/') + 1);
  } else {
    r.exec_file = t.words.front();
  }
  return r;
}

namespace {

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

// --net internet: the resolver pasta will forward to when it is on the host's loopback. /etc is
// trusted (SPEC §3a.1): its link (systemd-resolved's, into /run) is followed, the file itself
// read as any other, capped. Nothing read: the sandbox sees what the view shows, as before.
void read_resolv_conf(LaunchRequest& req) {
  auto real = real_path("/etc/resolv.conf");
  if (!real) return;
  auto text = read_untrusted_file(*real, kResolvConfCap);
  if (!text) return;
  req.resolv_conf = std::move(*text);
  req.resolv_conf_real = std::move(*real);
}

// What the host and the venv already say, copied as they are.
LaunchRequest request_from_facts(const HostFacts& host, const Venv& venv,
                                 const SandboxOptions& options) {
  LaunchRequest req;
  req.host_environ = &host.environ;
  req.host_uid = host.uid;
  req.host_gid = host.gid;
  req.home = host.home;
  req.cwd = host.cwd;
  req.stdin_tty = host.stdin_tty;
  req.terminals = host.terminals;
  req.root_links = host.root_links;
  req.self_exe = host.self_exe;
  req.project = venv.project;
  req.venv_dir = venv.dir;
  req.python_prefix = venv.python_prefix;
  req.options = options;
  return req;
}

// The view's profile and what it needs read from the host.
Expected<void> add_profile(const HostFacts& host, const Venv& venv, const SandboxOptions& options,
                           LaunchRequest& req) {
  // pip gets the system profile unless the options name one: compilers and headers for the
  // C extensions it builds (SPEC §7); everything else the standard view (SPEC §3).
  std::string profile = options.profile.value_or(req.pip ? "system" : "standard");
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
    TRY_ASSIGN(exposed, resolve_exposed(options.expose, host.cwd, venv.project));
    req.expose = std::move(exposed);
  }
  return {};
}

}  // namespace

Expected<SandboxOptions> caller_options(const HostFacts& host, const SandboxOptions& command_line) {
  SandboxOptions merged;
  TRY(merge_variable(host, "BWRAP_ARGS", merged));
  TRY(merge_variable(host, "VENV_EXEC_ARGS", merged));
  merge_options(merged, command_line);
  if (auto v = host_env(host, "VERBOSE"); v && !v->empty() && *v != "0") merged.verbose = true;
  return merged;
}

Expected<LaunchRequest> build_request(const HostFacts& host, const Venv& venv,
                                      const Registry& registry, const SandboxOptions& options,
                                      const Target& target) {
  LaunchRequest req = request_from_facts(host, venv, options);
  for (int fd : options.pass_fds)
    if (fcntl(fd, F_GETFD) == -1)
      return fail(
          Error::make("--pass-fd " + std::to_string(fd), "that descriptor is not open",
                      "open it in the calling shell, e.g. 'venv-exec --pass-fd 3 CMD 3<FILE'"));
  TRY_ASSIGN(mounts, check_user_mounts(options.mounts, host.cwd, venv.project));
  req.options.mounts = mounts;
  req.pip_cache = host_pip_cache(host, venv);
  // Its real path: reached through a link (a dotfiles ~/.local), it may lie in the project.
  TRY_ASSIGN(real_state, real_state_root(registry.root(), venv.project));
  req.state_dir = std::move(real_state);
  req.other_venvs = registry.venvs_within(venv.project);
  read_project_files(host, venv, req);
  TRY_ASSIGN(resolved, resolve_target(venv, target));
  req.exec_file = std::move(resolved.exec_file);
  req.argv = std::move(resolved.argv);
  std::string name = target.entrypoint.empty() ? req.exec_file : target.entrypoint;
  req.pip = !venv.dir.empty() && is_pip_command(name, req.argv);
  if (req.pip) pip_module_argv(req.argv, name, venv.python_version);
  if (effective_net(options, req.pip) == NetMode::kInternet) {
    req.pasta = find_pasta(host_env(host, "PATH").value_or(""), {venv.project, venv.dir});
    read_resolv_conf(req);
  }
  TRY(add_profile(host, venv, options, req));
  // Where the view shows it, the host's xdg-open is covered by the shim (a file bind needs it
  // to exist).
  struct stat st;
  req.host_xdg_open = lstat(kHostXdgOpen, &st) == 0 && S_ISREG(st.st_mode);
  if (req.pip) {
    req.venv_trusted = venv_trusted_files(venv);
    // Before the user's own mounts, which may still cover them.
    auto extra = pip_mounts(host, venv, req.argv);
    req.options.mounts.insert(req.options.mounts.begin(), extra.begin(), extra.end());
  }
  // pip's runs get the staging dir instead (main.cc, host/staging.h).
  if (venv.wrapped && !req.pip) req.venv_bin = venv_real_dir(venv);
  TRY_ASSIGN(caps, resolve_caps(options.caps));
  req.keep_caps = caps;
  req.seccomp_allow = host_env(host, "SANDBOX_SECCOMP_ALLOW");
  req.timing = host.timing;
  // /proc/self/cgroup and mountinfo are read only when a limit needs a cgroup: no launch cost
  // otherwise.
  req.limit_facts.uid = host.uid;
  if (wants_cgroup(options.limits)) req.limit_facts = probe_host_limit_facts(host.uid);
  req.landlock_abi = probe_landlock_abi();
  req.landlock_only = options.isolation == "landlock";
  if (req.landlock_only) req.landlock_paths = landlock_only_inputs(host, venv, req);
  return req;
}

}  // namespace vx
