#include "plan/options.h"

#include <iterator>

namespace vx {

// Indexed by NetMode, in its order (the last one bounds the table).
constexpr const char* kNetModeNames[] = {"host", "none", "internet"};
static_assert(std::size(kNetModeNames) == static_cast<size_t>(NetMode::kInternet) + 1);

const char* net_mode_name(NetMode mode) { return kNetModeNames[static_cast<size_t>(mode)]; }

std::optional<NetMode> parse_net_mode(const std::string& word) {
  for (NetMode m : {NetMode::kHost, NetMode::kNone, NetMode::kInternet})
    if (word == net_mode_name(m)) return m;
  return std::nullopt;
}

void merge_options(SandboxOptions& base, const SandboxOptions& later) {
  base.mounts.insert(base.mounts.end(), later.mounts.begin(), later.mounts.end());
  base.env.insert(base.env.end(), later.env.begin(), later.env.end());
  base.caps.insert(base.caps.end(), later.caps.begin(), later.caps.end());
  base.expose.insert(base.expose.end(), later.expose.begin(), later.expose.end());
  base.pass_fds.insert(base.pass_fds.end(), later.pass_fds.begin(), later.pass_fds.end());
  if (later.chdir) base.chdir = later.chdir;
  if (later.hostname) base.hostname = later.hostname;
  if (later.profile) base.profile = later.profile;
  if (later.venv) base.venv = later.venv;
  if (later.isolation) base.isolation = later.isolation;
  if (later.uid) base.uid = later.uid;
  if (later.gid) base.gid = later.gid;
  // A later --net is for every run, pip's too, unless the same layer names pip's own.
  if (later.net) base.pip_net = later.pip_net;
  if (later.net) base.net = later.net;
  if (later.pip_net) base.pip_net = later.pip_net;
  if (later.open_links) base.open_links = later.open_links;
  merge_limits(base.limits, later.limits);
  base.verbose = base.verbose || later.verbose;
}

static void push_mount(std::vector<std::string>& out, const MountOp& op) {
  std::string flag = "--" + std::string(mount_keyword(op.kind));
  if (op.optional) flag += "-try";
  out.push_back(flag);
  if (mount_kind_has_source(op.kind)) out.push_back(op.src);
  out.push_back(op.dest);
}

std::vector<std::string> format_options(const SandboxOptions& o) {
  std::vector<std::string> out;
  for (const auto& op : o.mounts) push_mount(out, op);
  for (const auto& e : o.env) {
    if (e.value) {
      out.insert(out.end(), {"--setenv", e.name, *e.value});
    } else {
      out.insert(out.end(), {"--unsetenv", e.name});
    }
  }
  for (const auto& c : o.caps) out.insert(out.end(), {c.add ? "--cap-add" : "--cap-drop", c.name});
  for (const auto& x : o.expose) out.insert(out.end(), {"--expose", x});
  for (int fd : o.pass_fds) out.insert(out.end(), {"--pass-fd", std::to_string(fd)});
  if (o.chdir) out.insert(out.end(), {"--chdir", *o.chdir});
  if (o.hostname) out.insert(out.end(), {"--hostname", *o.hostname});
  if (o.profile) out.insert(out.end(), {"--profile", *o.profile});
  if (o.venv) out.insert(out.end(), {"--venv", *o.venv});
  if (o.isolation) out.insert(out.end(), {"--isolation", *o.isolation});
  if (o.uid) out.insert(out.end(), {"--uid", std::to_string(*o.uid)});
  if (o.gid) out.insert(out.end(), {"--gid", std::to_string(*o.gid)});
  if (o.net) out.insert(out.end(), {"--net", net_mode_name(*o.net)});
  if (o.pip_net) out.insert(out.end(), {"--pip-net", net_mode_name(*o.pip_net)});
  if (o.open_links) out.push_back(*o.open_links ? "--open" : "--no-open");
  for (auto& word : format_limits(o.limits)) out.push_back(std::move(word));
  if (o.verbose) out.push_back("--verbose");
  return out;
}

}  // namespace vx
