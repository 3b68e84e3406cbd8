#include "plan/sandbox_plan.h"

#include <sched.h>

namespace vx {

namespace {

std::string namespaces_text(int flags) {
  struct Flag {
    int bit;
    const char* name;
  };
  static constexpr Flag kFlags[] = {{CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mount"},
                                    {CLONE_NEWPID, "pid"},   {CLONE_NEWIPC, "ipc"},
                                    {CLONE_NEWUTS, "uts"},   {CLONE_NEWCGROUP, "cgroup"},
                                    {CLONE_NEWNET, "net"}};
  std::string out;
  for (const auto& f : kFlags)
    if (flags & f.bit) out += (out.empty() ? "" : " ") + std::string(f.name);
  return out;
}

std::string seccomp_text(const SeccompPlan& s) {
  switch (s.mode) {
    case SeccompPlan::Mode::kEmbedded:
      return s.no_unix_sockets ? "embedded default policy, no AF_UNIX socket()"
                               : "embedded default policy";
    case SeccompPlan::Mode::kCustom:
      return "SANDBOX_SECCOMP_ALLOW (" + std::to_string(s.allow.size()) + " syscalls)";
    case SeccompPlan::Mode::kOff:
      return "off (SANDBOX_SECCOMP_ALLOW is empty); new session";
  }
  return "";
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string format_sandbox_plan(const SandboxPlan& plan) {
  std::string out = "namespaces: " +
                    (plan.landlock_only ? std::string("none (Landlock only)")
                                        : namespaces_text(plan.clone_flags)) +
                    "\n";
  out += "uid_map: " + std::to_string(plan.ids.inside_uid) + " " +
         std::to_string(plan.ids.outside_uid) + " 1\n";
  out += "gid_map: " + std::to_string(plan.ids.inside_gid) + " " +
         std::to_string(plan.ids.outside_gid) + " 1\n";
  out += "network: " + std::string(net_mode_name(plan.net));
  if (!plan.user_net_argv.empty()) out += " (" + plan.user_net_argv.front() + ")";
  out += "\n";
  if (!plan.hostname.empty()) out += "hostname: " + plan.hostname + "\n";
  if (!plan.landlock_only) {
    out += "mounts:\n  tmpfs /\n";
    for (const auto& op : plan.mounts.ops) out += "  " + format_mount_op(op) + "\n";
    out += "  remount-ro /\n";
  }
  out += "links: " +
         (plan.links_socket.empty() ? std::string("off (--no-open)")
                                    : "checked, through " + plan.links_socket) +
         "\n";
  out += "seccomp: " + seccomp_text(plan.seccomp) + "\n";
  out += format_limit_plan(plan.limits);
  out += format_landlock_plan(plan.landlock);
  out += "capabilities: ";
  if (plan.keep_caps.empty()) out += "none";
  for (int c : plan.keep_caps) out += std::to_string(c) + " ";
  out += "\ndescriptors: 0 1 2";
  for (int fd : plan.pass_fds) out += " " + std::to_string(fd);
  out += "\nchdir: " + plan.cwd + "\nenv:\n";
  for (const auto& kv : plan.env) out += "  " + kv + "\n";
  out += "exec: " + plan.exec_file + "\nargv:";
  for (const auto& a : plan.argv) out += " " + quoted(a);
  return out + "\n";
}

}  // namespace vx
