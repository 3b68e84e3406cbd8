#include "sandbox/caps.h"

#include <sys/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace vx {

namespace {

struct CapFree {
  void operator()(void* p) const { cap_free(p); }
};
using CapPtr = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

bool keeps(const std::vector<int>& keep, int cap) {
  return std::find(keep.begin(), keep.end(), cap) != keep.end();
}

bool has_effective(cap_value_t cap) {
  CapPtr caps(cap_get_proc());
  cap_flag_value_t v = CAP_CLEAR;
  return caps && cap_get_flag(caps.get(), cap, CAP_EFFECTIVE, &v) == 0 && v == CAP_SET;
}

}  // namespace

Expected<std::vector<int>> resolve_caps(const std::vector<CapChange>& changes) {
  std::vector<int> keep;
  const int last = static_cast<int>(cap_max_bits()) - 1;
  for (const auto& c : changes) {
    std::string name = c.name;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    std::vector<int> these;
    if (name == "all") {
      for (int i = 0; i <= last; ++i) these.push_back(i);
    } else {
      if (!name.starts_with("cap_")) name = "cap_" + name;
      cap_value_t value;
      if (cap_from_name(name.c_str(), &value) != 0)
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
  const int last = static_cast<int>(cap_max_bits()) - 1;
  // The bounding set first: it needs CAP_SETPCAP, which the next step may remove. An empty
  // bounding set is what keeps a uid-0 program from regaining every capability at execve.
  // One prctl per capability, without asking first: dropping one already gone is no error.
  for (int c = 0; c <= last; ++c) {
    if (keeps(keep, c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) != 0) {
      // An unprivileged caller's Landlock-only sandbox has no user namespace to grant
      // CAP_SETPCAP: the bounding set stays, and grants nothing, since no_new_privs below makes
      // execve ignore set-id bits and file capabilities.
      if (errno == EPERM && !has_effective(CAP_SETPCAP)) break;
      return fail(
          Error::from_errno("drop capability " + std::to_string(c) + " from the bounding set"));
    }
  }
  CapPtr caps(cap_init());
  if (!caps) return fail(Error::from_errno("allocate a capability set"));
  std::vector<cap_value_t> values(keep.begin(), keep.end());
  if (!values.empty()) {
    int n = static_cast<int>(values.size());
    for (cap_flag_t flag : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE})
      if (cap_set_flag(caps.get(), flag, n, values.data(), CAP_SET) != 0)
        return fail(Error::from_errno("build the kept capability set"));
  }
  if (cap_set_proc(caps.get()) != 0) return fail(Error::from_errno("set the capability sets"));
  // Ambient: the only way a kept capability survives execve of an ordinary file.
  if (cap_reset_ambient() != 0) return fail(Error::from_errno("clear the ambient capabilities"));
  for (int c : keep)
    if (cap_set_ambient(c, CAP_SET) != 0)
      return fail(Error::from_errno("raise ambient capability " + std::to_string(c)));
  // no_new_privs before seccomp: it lets an unprivileged process load a filter, and makes
  // set-id bits and file capabilities inert for everything the program executes.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
    return fail(Error::from_errno("set no_new_privs"));
  return {};
}

}  // namespace vx
