#include "plan/environ.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace vx {

namespace {

constexpr std::array<std::string_view, 25> kPassThrough = {
    "TERM",        "LANG",        "LANGUAGE",    "TZ",       "COLORTERM", "NO_COLOR",
    "FORCE_COLOR", "COLUMNS",     "LINES",       "USER",     "LOGNAME",   "HOSTNAME",
    "http_proxy",  "https_proxy", "no_proxy",    "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
    "NO_PROXY",    "ALL_PROXY",   "CC",          "CXX",      "CFLAGS",    "CXXFLAGS",
    "LDFLAGS",
};

// SPEC §3a.6: the caller's PATH names host directories (~/bin, ~/.local/bin) that are not in
// the view, or worse would be if a user mount showed them; inside, only the system's.
constexpr std::string_view kSystemPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";

void set_var(std::vector<EnvEntry>& env, const std::string& key, const std::string& value) {
  for (auto& e : env) {
    if (e.key == key) {
      e.value = value;
      return;
    }
  }
  env.push_back({key, value});
}

void unset_var(std::vector<EnvEntry>& env, const std::string& key) {
  std::erase_if(env, [&](const EnvEntry& e) { return e.key == key; });
}

}  // namespace

bool passes_allowlist(const std::string& key, bool pip) {
  if (std::find(kPassThrough.begin(), kPassThrough.end(), key) != kPassThrough.end()) return true;
  if (key.starts_with("LC_")) return true;
  return pip && key.starts_with("PIP_");
}

std::vector<std::string> plan_environment(const EnvInputs& in) {
  std::vector<EnvEntry> env;
  const std::string system_path(kSystemPath);
  if (in.host_environ != nullptr) {
    for (const auto& kv : *in.host_environ) {
      auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      std::string key = kv.substr(0, eq);
      if (!passes_allowlist(key, in.pip)) continue;
      set_var(env, key, kv.substr(eq + 1));
    }
  }
  set_var(env, "HOME", in.home);
  // The shim before the system's directories: `xdg-open` is ours even where /usr has one.
  std::string path = in.links_dir.empty() ? system_path : in.links_dir + ":" + system_path;
  if (!in.venv_dir.empty()) {
    set_var(env, "VIRTUAL_ENV", in.venv_dir);
    path = in.venv_dir + "/bin:" + path;
  }
  set_var(env, "PATH", path);
  if (!in.links_dir.empty()) set_var(env, "BROWSER", in.links_dir + "/xdg-open");
  set_var(env, "PS1", "(venv-exec) \\w \\$ ");
  for (const auto& e : in.git_identity) set_var(env, e.key, e.value);
  if (in.pip) {
    // pip may run with more than the venv's other entrypoints (the venv writable, --pip-net):
    // the project's .env and the user site in VENV/home (a usercustomize, with
    // --system-site-packages), which the other runs write, do not steer it (the working
    // directory: pip_module_argv).
    set_var(env, "PYTHONNOUSERSITE", "1");
  } else {
    for (const auto& e : in.dotenv) set_var(env, e.key, e.value);
  }
  for (const auto& c : in.changes) {
    if (c.value) {
      set_var(env, c.name, *c.value);
    } else {
      unset_var(env, c.name);
    }
  }
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& e : env) out.push_back(e.key + "=" + e.value);
  return out;
}

std::vector<std::string> path_entries(const std::vector<std::string>& env) {
  std::vector<std::string> dirs;
  for (const auto& kv : env) {
    if (!kv.starts_with("PATH=")) continue;
    std::string_view rest = std::string_view(kv).substr(5);
    while (true) {
      auto colon = rest.find(':');
      std::string_view d = rest.substr(0, colon);
      dirs.emplace_back(d.empty() ? "." : d);
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  return dirs;
}

}  // namespace vx
