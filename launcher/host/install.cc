#include "host/install.h"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "plan/cli.h"
#include "sandbox/nested.h"
#include "host/plan_cache.h"
#include "host/venv.h"
#include "host/wrap.h"

namespace vx {

namespace {

std::string options_path(const std::string& venv) { return venv + "/venv-exec/options"; }

// One argument per line, written to a temp file and renamed into place.
Expected<void> store_options(const std::string& venv, const SandboxOptions& opts) {
  std::string text;
  for (const auto& arg : format_options(opts)) {
    if (arg.find('\n') != std::string::npos)
      return fail(Error::make("store the install options", "'" + arg + "' contains a newline",
                              "options stored at install cannot contain newlines"));
    text += arg + "\n";
  }
  std::string tmp = options_path(venv) + ".tmp";
  std::ofstream f(tmp, std::ios::trunc);
  f << text;
  f.close();
  if (!f || rename(tmp.c_str(), options_path(venv).c_str()) != 0)
    return fail(Error::from_errno("write " + options_path(venv)));
  return {};
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
  std::string dir = ".venv";
  std::vector<std::string> rest = args;
  if (!rest.empty() && !rest.front().starts_with("-")) {
    dir = rest.front();
    rest.erase(rest.begin());
  }
  TRY_ASSIGN(parsed, parse_sandbox_args(rest, false, "venv-exec install"));
  TRY_ASSIGN(venv, venv_to_wrap(dir));
  if (host.self_exe.starts_with(venv.dir + "/"))
    return fail(
        Error::make("install into " + venv.dir, "venv-exec itself lies inside the venv",
                    "install venv-exec outside it (meson install puts it in /usr/local/bin)"));
  TRY_ASSIGN(report, wrap_entrypoints(venv.dir, host.self_exe));
  // A second install without options keeps the stored defaults.
  struct stat st;
  if (!rest.empty() || stat(options_path(venv.dir).c_str(), &st) != 0)
    TRY(store_options(venv.dir, parsed.options));
  TRY(refresh_view(venv, parsed.options.expose));
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
  TRY_ASSIGN(restored, unwrap_entrypoints(dir, host.self_exe));
  TRY(remove_tree(dir + "/venv-exec"));
  if (parsed.purge) {
    TRY(remove_tree(dir + "/home"));
    TRY(remove_tree(dir + "/cache"));
  }
  std::printf("venv-exec: %s: %zu entrypoints restored\n", dir.c_str(), restored.size());
  return 0;
}

}  // namespace

Expected<SandboxOptions> read_install_defaults(const std::string& venv) {
  if (venv.empty()) return SandboxOptions{};
  std::ifstream f(options_path(venv));
  if (!f) return SandboxOptions{};
  std::vector<std::string> args;
  std::string line;
  while (std::getline(f, line)) args.push_back(line);
  TRY_ASSIGN(parsed, parse_sandbox_args(args, false, options_path(venv)));
  return parsed.options;
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
