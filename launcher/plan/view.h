// The sandbox's view of the file system (SPEC §3) as a MountPlan. Pure.
// Order matters: every op is sorted so that a parent is mounted before what lies inside it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plan/mount_plan.h"

namespace vx {

// One entry of profile `standard`'s curated /etc, as the host side found it (host/system_etc).
struct EtcEntry {
  enum class Kind {
    kContent,  // a regular file (or a link to one outside /usr): its bytes, copied in
    kBind,     // a directory: bound read-only from `data`, its real path
    kLink,     // a link whose target lies in /usr, which the view shows: the same link
    kCopy,     // a large regular file (ld.so.cache): copied from `data`, its real path, by pid 1
  };
  Kind kind = Kind::kContent;
  std::string path;  // where it appears, /etc/NAME
  std::string data;
  bool operator==(const EtcEntry&) const = default;
};

// The names below /etc that profile `standard` shows (SPEC §3), each only if the host has it.
const std::vector<std::string>& standard_etc_names();

// The lines of an /etc/passwd or /etc/group text whose id (third field) is one of `ids`.
std::string reduce_id_file(std::string_view text, const std::vector<unsigned>& ids);

// Where things are, as the view needs them: found by the host side once (the LaunchRequest is
// one) and handed to plan_view as they are.
struct ViewPlaces {
  std::vector<MountOp> system_view;  // the minimal profile's read-only closure (from the cache)
  std::vector<std::string> expose;  // --expose EXE (real paths) for the profiles but minimal
  std::vector<std::pair<std::string, std::string>> root_links;  // HostFacts::root_links
  std::string self_exe;                   // the venv-exec binary, needed for nested calls
  std::string project;                    // read-write
  std::string venv_dir;                   // read-only; empty without a venv
  bool pip = false;                       // venv writable except the files the host trusts
  // What VENV/bin shows inside (SPEC §7): the real entrypoints, VENV/venv-exec/real (read-only),
  // or for pip the staging copy of them (read-write). Empty: VENV/bin itself (an unwrapped venv).
  std::string venv_bin;
  std::vector<std::string> venv_trusted;  // for pip: files inside the venv kept read-only
  std::string python_prefix;              // the base interpreter's real prefix
  std::string state_dir;                  // host-side state: hidden when it lies in the project
  std::vector<std::string> other_venvs;     // registered venvs in the project: read-only
  std::vector<std::string> skip_protected;  // protected names that are links or FIFOs: left out
};

struct ViewInputs : ViewPlaces {
  std::string profile = "system";    // "standard", "minimal" or "system"
  const std::vector<EtcEntry>* etc = nullptr;  // the standard profile's /etc (not copied: ~60 KiB)
  std::string home;                       // HOME inside
  std::string home_backing;               // VENV/home; empty: a private tmpfs
  std::string cache_backing;              // VENV/cache; empty: none
  uid_t uid = 0;                          // the program's uid inside, for /run/user/UID
  uid_t outside_uid = 0;  // the caller: 0 needs /proc's machine-wide files read-only
  gid_t gid = 0;          // the program's gid inside
  gid_t outside_gid = 0;
  std::vector<MountOp> user_mounts;  // --bind & co, after ours
  // --net internet with a resolver on the host's loopback: the sandbox's /etc/resolv.conf
  // (plan/dns_forward.h), and the real path of the host's (a link into /run for systemd-resolved).
  const std::string* resolv_conf = nullptr;
  std::string resolv_conf_real;
};

// Names inside the project that a host program later executes or trusts (SPEC §3).
const std::vector<std::string>& protected_project_names();

MountPlan plan_view(const ViewInputs& in);

// Where the launcher's marker file lives inside every sandbox (nested-call detection).
inline constexpr const char* kSandboxMarker = "/run/venv-exec/sandbox";

}  // namespace vx
