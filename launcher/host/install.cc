#include "host/install.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "base/path.h"
#include "base/real_path.h"
#include "host/file_read.h"
#include "host/plan_cache.h"
#include "host/state.h"
#include "host/venv.h"
#include "host/venv_lock.h"
#include "host/wrap.h"
#include "plan/cli.h"
#include "sandbox/nested.h"

namespace vx {

namespace {

// Where a build before SPEC §3a kept the options: inside the venv, where a sandbox could
// write them. Read only by an install the user runs, never by a launch.
std::string legacy_options_path(const std::string& venv) { return venv + "/venv-exec/options"; }

// The option words this install stores: the ones given; else those already registered; else
// those an earlier build left in the venv, adopted because the user ran install on it.
Expected<std::vector<std::string>> options_to_store(const std::string& state, const Venv& venv,
                                                    const std::vector<std::string>& given) {
  if (!given.empty()) return given;
  if (auto reg = find_registration(state, venv.dir)) return reg->options;
  auto legacy = read_untrusted_file(legacy_options_path(venv.dir));
  if (!legacy) return std::vector<std::string>{};
  std::vector<std::string> words = split(*legacy, '\n');
  TRY(parse_sandbox_args(words, false, legacy_options_path(venv.dir)));
  std::string shown;
  for (const auto& w : words) shown += " " + printable(w);
  warn("adopting the options an earlier venv-exec stored in the venv:" +
       (shown.empty() ? std::string(" (none)") : shown));
  return words;
}

Expected<Venv> venv_to_wrap(const std::string& dir) {
  struct stat st;
  if (stat((dir + "/pyvenv.cfg").c_str(), &st) != 0)
    return fail(Error::make("install into " + dir, "it is not a venv (no pyvenv.cfg)",
                            "create one with 'python3 -m venv " + dir + "', then run this again"));
  return load_venv(dir, "to install into");
}

int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
  return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

// Depth first, never following links or leaving the file system (FTW_PHYS, FTW_MOUNT).
Expected<void> remove_tree(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) return {};
  if (nftw(path.c_str(), remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
    return fail(Error::from_errno("remove " + path));
  return {};
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : " ") + n;
  return out;
}

Expected<int> install(const HostFacts& host, const std::vector<std::string>& args) {
  if (inside_sandbox())
    return fail(Error::make("install", "refused inside a sandbox", "run it on the host"));
  TRY_ASSIGN(parsed, parse_install_args(args));
  const std::vector<std::string>& rest = parsed.option_words;
  TRY_ASSIGN(venv, venv_to_wrap(parsed.venv));
  if (host.self_exe.starts_with(venv.dir + "/"))
    return fail(
        Error::make("install into " + venv.dir, "venv-exec itself lies inside the venv",
                    "install venv-exec outside it (meson install puts it in /usr/local/bin)"));
  for (const auto& w : rest)
    if (w.find('\n') != std::string::npos)
      return fail(Error::make("store the install options", "'" + w + "' contains a newline",
                              "options stored at install cannot contain newlines"));
  TRY_ASSIGN(lock, lock_venv(state_root(host), venv.dir));
  TRY(prepare_venv_dirs(venv, host.home));
  TRY_ASSIGN(report, wrap_entrypoints(venv.dir, host.self_exe));
  // A second install without options keeps the stored defaults.
  std::string state = state_root(host);
  TRY_ASSIGN(words, options_to_store(state, venv, rest));
  TRY_ASSIGN(stored, parse_sandbox_args(words, false, "venv-exec install"));
  TRY_ASSIGN(reg, register_venv(state, venv.dir, venv.python_prefix, words));
  unlink(legacy_options_path(venv.dir).c_str());
  venv.registration = reg.dir;
  TRY(refresh_view(venv, stored.options.expose));
  std::printf("venv-exec: %s: %zu entrypoints wrapped%s%s\n", venv.dir.c_str(),
              report.wrapped.size(), report.wrapped.empty() ? "" : ": ",
              joined(report.wrapped).c_str());
  return 0;
}

Expected<int> uninstall(const HostFacts& host, const std::vector<std::string>& args) {
  if (inside_sandbox())
    return fail(Error::make("uninstall", "refused inside a sandbox", "run it on the host"));
  TRY_ASSIGN(parsed, parse_uninstall_args(args));
  std::string dir = parsed.venv;
  struct stat st;
  if (stat((dir + "/venv-exec").c_str(), &st) != 0) {
    std::printf("venv-exec: %s is not wrapped; nothing to do\n", dir.c_str());
    return 0;
  }
  TRY_ASSIGN(lock, lock_venv(state_root(host), dir));
  TRY_ASSIGN(restored, unwrap_entrypoints(dir, host.self_exe));
  TRY(remove_tree(dir + "/venv-exec"));
  if (auto real = real_path(dir)) TRY(unregister_venv(state_root(host), *real));
  if (parsed.purge) {
    TRY(remove_tree(dir + "/home"));
    TRY(remove_tree(dir + "/cache"));
  }
  std::printf("venv-exec: %s: %zu entrypoints restored\n", dir.c_str(), restored.size());
  return 0;
}

}  // namespace

Expected<SandboxOptions> trusted_defaults(Venv& venv, const Registry& registry) {
  if (venv.dir.empty()) return SandboxOptions{};
  if (auto reg = registry.find(venv.dir)) {
    venv.registration = reg->dir;
    venv.python_prefix = reg->python_prefix;
    TRY_ASSIGN(parsed, parse_sandbox_args(reg->options, false, reg->dir + "/options"));
    return parsed.options;
  }
  if (venv.wrapped)
    warn(venv.dir +
         " is wrapped but not registered (an earlier venv-exec, or a sandbox, made "
         "it): it runs with the default options; 'venv-exec install " +
         venv.dir +
         "' registers it and adopts the options in its venv-exec/options: review them first");
  if (!is_system_path(venv.python_prefix)) {
    warn("the interpreter prefix " + printable(venv.python_prefix) + " that " + venv.dir +
         "/pyvenv.cfg names is not exposed (the venv is not registered); 'venv-exec install " +
         venv.dir + "' records it, or add --ro-bind PREFIX PREFIX");
    venv.python_prefix.clear();
  }
  return SandboxOptions{};
}

int run_install(const HostFacts& host, const std::vector<std::string>& args) {
  auto r = install(host, args);
  if (!r) return report(r.error()), r.error().exit_code;
  return *r;
}

int run_uninstall(const HostFacts& host, const std::vector<std::string>& args) {
  auto r = uninstall(host, args);
  if (!r) return report(r.error()), r.error().exit_code;
  return *r;
}

}  // namespace vx
