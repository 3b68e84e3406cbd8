#include "wheels.h"

#include <sys/stat.h>

namespace vx::test {

void write_package(const std::string& dir, const std::string& name, const std::string& version,
                   const std::string& init_py, const std::vector<std::string>& scripts) {
  mkdir(dir.c_str(), 0755);
  mkdir((dir + "/" + name).c_str(), 0755);
  std::string entry;
  for (const auto& s : scripts) entry += "'" + s + "', ";
  write_file(dir + "/setup.py", "from setuptools import setup\nsetup(name='" + name +
                                    "', version='" + version + "', packages=['" + name +
                                    "'], entry_points={'console_scripts': [" + entry + "]})\n");
  write_file(dir + "/" + name + "/__init__.py", init_py);
}

RunResult build_wheel_into(const TempProject& p, const std::string& src,
                           const std::string& out_dir, const std::string& cwd) {
  return run({"/usr/bin/python3", "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
              "--no-index", "-w", out_dir, src},
             base_env(p), cwd);
}

}  // namespace vx::test
