#include "sandbox/caps.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <string_view>

namespace vx {

namespace {

// capabilities(7), by number.
constexpr std::array<std::string_view, 41> kCapNames = {"chown",
                                                        "dac_override",
                                                        "dac_read_search",
                                                        "fowner",
                                                        "fsetid",
                                                        "kill",
                                                        "setgid",
                                                        "setuid",
                                                        "setpcap",
                                                        "linux_immutable",
                                                        "net_bind_service",
                                                        "net_broadcast",
                                                        "net_admin",
                                                        "net_raw",
                                                        "ipc_lock",
                                                        "ipc_owner",
                                                        "sys_module",
                                                        "sys_rawio",
                                                        "sys_chroot",
                                                        "sys_ptrace",
                                                        "sys_pacct",
                                                        "sys_admin",
                                                        "sys_boot",
                                                        "sys_nice",
                                                        "sys_resource",
                                                        "sys_time",
                                                        "sys_tty_config",
                                                        "mknod",
                                                        "lease",
                                                        "audit_write",
                                                        "audit_control",
                                                        "setfcap",
                                                        "mac_override",
                                                        "mac_admin",
                                                        "syslog",
                                                        "wake_alarm",
                                                        "block_suspend",
                                                        "audit_read",
                                                        "perfmon",
                                                        "bpf",
                                                        "checkpoint_restore"};

// The highest capability this kernel knows: the bounding set answers EINVAL beyond it.
int last_capability() {
  for (int c = 63; c > 0; --c)
    if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0) return c;
  return CAP_LAST_CAP;
}

// A lower-case name ("net_raw", "cap_net_raw") or a number; -1 when it is neither.
int capability_number(std::string name) {
  if (name.starts_with("cap_")) name.erase(0, 4);
  for (size_t i = 0; i < kCapNames.size(); ++i)
    if (kCapNames[i] == name) return static_cast<int>(i);
  if (name.empty() || name.size() > 2 ||
      !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return -1;
  int n = std::stoi(name);
  return n <= last_capability() ? n : -1;
}

bool has_effective_setpcap() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &header, data) != 0) return false;
  return (data[CAP_SETPCAP / 32].effective & (1u << (CAP_SETPCAP % 32))) != 0;
}

bool keeps(const std::vector<int>& keep, int cap) {
  return std::find(keep.begin(), keep.end(), cap) != keep.end();
}

}  // namespace

Expected<std::vector<int>> resolve_caps(const std::vector<CapChange>& changes) {
  std::vector<int> keep;
  for (const auto& c : changes) {
    std::string name = c.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::vector<int> these;
    if (name == "all") {
      for (int i = 0, last = last_capability(); i <= last; ++i) these.push_back(i);
    } else {
      int value = capability_number(name);
      if (value < 0)
        return fail(Error::make(std::string(c.add ? "--cap-add " : "--cap-drop ") + c.name,
                                "unknown capability", "names are listed in capabilities(7)"));
      these.push_back(value);
    }
    for (int v : these) {
      std::erase(keep, v);
      if (c.add) keep.push_back(v);
    }
  }
  std::sort(keep.begin(), keep.end());
  return keep;
}

Expected<void> drop_privileges(const std::vector<int>& keep) {
  // The bounding set first: it needs CAP_SETPCAP, which the next step may remove. An empty
  // bounding set is what keeps a uid-0 program from regaining every capability at execve.
  // One prctl per capability, without asking first: dropping one already gone is no error;
  // EINVAL marks the end of what this kernel knows.
  for (int c = 0; c < 64; ++c) {
    if (keeps(keep, c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0) continue;
    if (errno == EINVAL && c > 0) break;
    // An unprivileged caller's Landlock-only sandbox has no user namespace to grant
    // CAP_SETPCAP: the bounding set stays, and grants nothing, since no_new_privs below makes
    // execve ignore set-id bits and file capabilities.
    if (errno == EPERM && !has_effective_setpcap()) break;
    return fail(
        Error::from_errno("drop capability " + std::to_string(c) + " from the bounding set"));
  }
  // capset(2), version 3: two 32-bit words per set.
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  for (int c : keep) {
    auto bit = 1u << (c % 32);
    data[c / 32].permitted |= bit;
    data[c / 32].effective |= bit;
    data[c / 32].inheritable |= bit;
  }
  if (syscall(SYS_capset, &header, data) != 0)
    return fail(Error::from_errno("set the capability sets"));
  // Ambient: the only way a kept capability survives execve of an ordinary file.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return fail(Error::from_errno("clear the ambient capabilities"));
  for (int c : keep)
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) != 0)
      return fail(Error::from_errno("raise ambient capability " + std::to_string(c)));
  // no_new_privs before seccomp: it lets an unprivileged process load a filter, and makes
  // set-id bits and file capabilities inert for everything the program executes.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
    return fail(Error::from_errno("set no_new_privs"));
  return {};
}

}  // namespace vx
