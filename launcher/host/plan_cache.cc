#include "host/plan_cache.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "host/minimal_view.h"

namespace vx {

namespace {

std::string view_path(const Venv& v) { return venv_state_dir(v) + "/view"; }

std::string stamp_line(const std::string& path) {
  struct stat st;
  std::string id = "absent";
  if (stat(path.c_str(), &st) == 0)
    id = std::to_string(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) + " " +
         std::to_string(st.st_ino);
  return "# stamp " + escape_mount_path(path) + " " + id + "\n";
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
  std::ifstream f(view_path(venv));
  if (!f) return std::nullopt;
  std::stringstream s;
  s << f.rdbuf();
  std::string text = s.str();
  std::string stamp = view_stamp(venv, expose);
  if (!text.starts_with(stamp)) return std::nullopt;
  auto plan = parse_mount_plan(std::string_view(text).substr(stamp.size()), view_path(venv));
  if (!plan) return std::nullopt;
  return plan->ops;
}

Expected<std::vector<MountOp>> refresh_view(const Venv& venv,
                                            const std::vector<std::string>& expose) {
  std::string stamp = view_stamp(venv, expose);  // before computing: a change during it is seen
  TRY_ASSIGN(view,
             compute_minimal_view({venv.dir, venv.python_prefix, venv.python_version, expose}));
  for (const auto& w : view.warnings) warn("library not found for the minimal view: " + w);
  std::string tmp = view_path(venv) + ".tmp";
  if (mkdir(venv_state_dir(venv).c_str(), 0755) == 0 || errno == EEXIST) {
    std::ofstream out(tmp, std::ios::trunc);
    out << stamp << format_mount_plan({view.ops});
    out.close();
    if (!out || rename(tmp.c_str(), view_path(venv).c_str()) != 0) unlink(tmp.c_str());
  }
  return view.ops;
}

Expected<std::vector<MountOp>> load_view(const Venv& venv, const std::vector<std::string>& expose) {
  if (auto cached = read_cached_view(venv, expose)) return *cached;
  return refresh_view(venv, expose);
}

}  // namespace vx
