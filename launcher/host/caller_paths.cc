#include "host/caller_paths.h"

#include "base/path.h"
#include "base/real_path.h"
#include "host/sandbox_writable.h"

namespace vx {

// bubblewrap's semantics for user mounts: a relative SRC is relative to the working directory,
// a symlink is followed (the caller named it and trusts it; the executor never follows one, so
// it is resolved here), and a missing SRC of a non-try bind is an error naming the option.
// But not a link in the project that leads out of it: a sandbox may have made it (stored
// `--ro-bind proj/models /models`, then `models -> ~/.ssh`), so that is an error, or for a
// -try bind a warning and no bind.
Expected<std::vector<MountOp>> check_user_mounts(const std::vector<MountOp>& mounts,
                                                 const std::string& cwd,
                                                 const std::string& project) {
  std::vector<MountOp> out;
  for (MountOp op : mounts) {
    bool bind = op.kind == MountKind::kBind || op.kind == MountKind::kRoBind ||
                op.kind == MountKind::kDevBind;
    if (!bind) {
      out.push_back(std::move(op));
      continue;
    }
    if (!op.src.empty() && op.src.front() != '/') op.src = cwd + "/" + op.src;
    std::string flag = "--" + std::string(mount_keyword(op.kind)) + (op.optional ? "-try" : "");
    auto resolved = real_path(op.src);
    if (!resolved) {
      // A missing -try source stays in the plan; the executor skips it.
      if (op.optional) {
        out.push_back(std::move(op));
        continue;
      }
      Error e = resolved.error();
      e.what = flag + " " + op.src + " " + op.dest;
      e.hint = "use " + flag + "-try for a source that may be missing";
      return fail(e);
    }
    if (!is_within(*resolved, project)) {
      if (auto link = link_planted_on_way(op.src, {project}); !link.empty()) {
        Error e = Error::make(
            flag + " " + op.src + " " + op.dest,
            "it leaves the project through the link " + link + ", which a sandbox may have made",
            "name the link's target as the source if you made the link");
        if (!op.optional) return fail(e);
        warn(e.what + ": " + e.why + "; not bound");
        continue;
      }
    }
    op.src = std::move(*resolved);
    out.push_back(std::move(op));
  }
  return out;
}

// --expose EXE outside the minimal view: the executable's real path (its libraries are in
// /usr, which those views show), relative to the working directory as a bind source is.
Expected<std::vector<std::string>> resolve_exposed(const std::vector<std::string>& exes,
                                                   const std::string& cwd,
                                                   const std::string& project) {
  std::vector<std::string> out;
  for (const auto& exe : exes) {
    std::string path = exe.front() == '/' ? exe : cwd + "/" + exe;
    auto real = real_path(path);
    if (!real) {
      Error e = real.error();
      e.what = "--expose " + exe;
      e.hint = "name an existing executable";
      return fail(e);
    }
    // As for a bind source: a link in the project that leads out of it is not followed.
    if (auto link = link_planted_on_way(path, {project});
        !link.empty() && !is_within(*real, project))
      return fail(Error::make(
          "--expose " + exe,
          "it leaves the project through the link " + link + ", which a sandbox may have made",
          "name the link's target if you made the link"));
    out.push_back(std::move(*real));
  }
  return out;
}

}  // namespace vx
