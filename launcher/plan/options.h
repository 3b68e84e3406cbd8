// SandboxOptions: the bubblewrap-compatible option set (SPEC §2) as a plain value. Pure.
// Parsed in cli.cc from the command line, VENV_EXEC_ARGS/BWRAP_ARGS and the install defaults.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "plan/limits.h"
#include "plan/mount_plan.h"

namespace vx {

struct EnvChange {
  std::string name;
  std::optional<std::string> value;  // nullopt: --unsetenv
  bool operator==(const EnvChange&) const = default;
};

struct CapChange {
  bool add = false;
  std::string name;  // as given: "cap_net_bind_service", "CAP_NET_RAW", "ALL"
  bool operator==(const CapChange&) const = default;
};

// The network (SPEC §2): the host's (the default), loopback only, or the internet through a
// user-mode network stack (pasta) with no route to the host's loopback services.
enum class NetMode { kHost, kNone, kInternet };
const char* net_mode_name(NetMode mode);
std::optional<NetMode> parse_net_mode(const std::string& word);

struct SandboxOptions {
  std::vector<MountOp> mounts;  // in the order given; applied after the profile's view
  std::vector<EnvChange> env;
  std::vector<CapChange> caps;
  std::vector<std::string> expose;
  std::vector<int> pass_fds;  // --pass-fd: descriptors beyond 0-2 the program keeps
  std::optional<std::string> chdir, hostname, profile, venv;
  std::optional<std::string> isolation;  // "namespaces" or "landlock"; unset: automatic
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<NetMode> net;      // --net, --share-net, --unshare-net
  std::optional<NetMode> pip_net;  // --pip-net: pip's runs (an install-time default, usually)
  std::optional<bool> open_links;  // --open / --no-open: the link channel (on by default)
  LimitOptions limits;
  bool verbose = false;
  bool operator==(const SandboxOptions&) const = default;
};

// `later` wins: lists are appended, scalars replaced when `later` sets them.
void merge_options(SandboxOptions& base, const SandboxOptions& later);

// The argument list that parses back to `opts` (stored as the install-time defaults).
std::vector<std::string> format_options(const SandboxOptions& opts);

}  // namespace vx
