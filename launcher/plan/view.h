// The sandbox's view of the file system (SPEC §3) as a MountPlan. Pure.
// Order matters: every op is sorted so that a parent is mounted before what lies inside it.
#pragma once

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "plan/mount_plan.h"

namespace vx {

struct ViewInputs {
  std::string profile = "system";    // "system" or "minimal"
  std::vector<MountOp> system_view;  // the minimal profile's read-only closure (from the cache)
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
  std::string home;                       // HOME inside
  std::string home_backing;               // VENV/home; empty: a private tmpfs
  std::string cache_backing;              // VENV/cache; empty: none
  uid_t uid = 0;                          // the program's uid inside, for /run/user/UID
  uid_t outside_uid = 0;             // the caller: 0 needs /proc\'s machine-wide files read-only
  std::vector<MountOp> user_mounts;  // --bind & co, after ours
  std::string state_dir;             // host-side state: hidden when it lies in the project
  std::vector<std::string> other_venvs;     // registered venvs in the project: read-only
  std::vector<std::string> skip_protected;  // protected names that are links or FIFOs: left out
};

// Names inside the project that a host program later executes or trusts (SPEC §3).
const std::vector<std::string>& protected_project_names();

MountPlan plan_view(const ViewInputs& in);

// Where the launcher's marker file lives inside every sandbox (nested-call detection).
inline constexpr const char* kSandboxMarker = "/run/venv-exec/sandbox";

}  // namespace vx
