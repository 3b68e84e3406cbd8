#include "host/plan_cache.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "base/fd.h"
#include "base/path.h"
#include "host/file_read.h"
#include "host/minimal_view.h"

namespace vx {

namespace {

std::string view_path(const Venv& v) { return v.registration + "/view"; }

std::string stamp_line(const std::string& path) {
  struct stat st;
  std::string id = "absent";
  if (stat(path.c_str(), &st) == 0)
    id = std::to_string(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_ino);
  return "# stamp " + escape_mount_path(path) + " " + id + "\n";
}

constexpr std::string_view kUnexposed = "# unexposed ";

// One line per launch at most (SPEC §3a.3): what the view left out and how to show it.
void warn_unexposed(const std::vector<std::string>& dirs) {
  if (dirs.empty()) return;
  std::string list, opts;
  for (const auto& d : dirs) {
    list += (list.empty() ? "" : ", ") + printable(d);
    opts += " --ro-bind " + printable(d) + " " + printable(d);
  }
  warn("libraries of the venv point outside the system, the interpreter and the project, and "
       "are not exposed: " + list + "; to show them, add" + opts);
}

std::vector<std::string> unexposed_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = text.find(kUnexposed, pos)) != std::string_view::npos) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(pos + kUnexposed.size(), end - pos - kUnexposed.size()));
    pos = end;
  }
  return out;
}

}  // namespace

std::string view_stamp(const Venv& venv, const std::vector<std::string>& expose) {
  std::string out = "# venv-exec view 1\n";
  out += stamp_line(venv.dir + "/pyvenv.cfg");
  out += stamp_line(venv.python_prefix + "/bin/python" + venv.python_version);
  for (const char* lib : {"/lib", "/lib64"}) {
    std::string base = venv.dir + lib;
    if (DIR* d = opendir(base.c_str())) {
      while (struct dirent* e = readdir(d)) {
        std::string n = e->d_name;
        if (n.starts_with("python")) out += stamp_line(base + "/" + n + "/site-packages");
      }
      closedir(d);
    }
  }
  out += stamp_line("/etc/ld.so.cache");
  // The launcher itself: a new venv-exec may compute a different view.
  out += stamp_line("/proc/self/exe");
  for (const auto& x : expose) out += "# expose " + escape_mount_path(x) + "\n";
  return out;
}

std::optional<std::vector<MountOp>> read_cached_view(const Venv& venv,
                                                     const std::vector<std::string>& expose) {
  if (venv.registration.empty()) return std::nullopt;
  auto read = read_untrusted_file(view_path(venv), 16 << 20);
  if (!read) return std::nullopt;
  const std::string& text = *read;
  std::string stamp = view_stamp(venv, expose);
  if (!text.starts_with(stamp)) return std::nullopt;
  auto plan = parse_mount_plan(std::string_view(text).substr(stamp.size()), view_path(venv));
  if (!plan) return std::nullopt;
  warn_unexposed(unexposed_lines(text));
  return plan->ops;
}

Expected<std::vector<MountOp>> refresh_view(const Venv& venv,
                                            const std::vector<std::string>& expose) {
  std::string stamp = view_stamp(venv, expose);  // before computing: a change during it is seen
  TRY_ASSIGN(view,
             compute_minimal_view({venv.dir, venv.python_prefix, venv.python_version, expose}));
  for (const auto& w : view.warnings) warn("minimal view: " + printable(w));
  warn_unexposed(view.unexposed);
  if (venv.registration.empty()) return view.ops;
  for (const auto& d : view.unexposed)
    if (d.find('\n') == std::string::npos) stamp += std::string(kUnexposed) + d + "\n";
  std::string tmp = view_path(venv) + ".tmp";
  UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd || !write_all(fd.get(), stamp + format_mount_plan({view.ops})) ||
      rename(tmp.c_str(), view_path(venv).c_str()) != 0)
    unlink(tmp.c_str());
  return view.ops;
}

Expected<std::vector<MountOp>> load_view(const Venv& venv, const std::vector<std::string>& expose) {
  if (auto cached = read_cached_view(venv, expose)) return *cached;
  return refresh_view(venv, expose);
}

}  // namespace vx
