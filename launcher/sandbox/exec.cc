#include "sandbox/exec.h"

#include <unistd.h>

#include <cerrno>

namespace vx {

ExecArgs prepare_exec(const SandboxPlan& plan) {
  ExecArgs a;
  for (const auto& s : plan.argv) a.argv.push_back(const_cast<char*>(s.c_str()));
  a.argv.push_back(nullptr);
  for (const auto& s : plan.env) a.envp.push_back(const_cast<char*>(s.c_str()));
  a.envp.push_back(nullptr);
  if (plan.exec_file.find('/') != std::string::npos) {
    a.candidates.push_back(plan.exec_file);
  } else {
    for (const auto& dir : plan.path) a.candidates.push_back(dir + "/" + plan.exec_file);
  }
  return a;
}

Error exec_program(const SandboxPlan& plan, ExecArgs& args) {
  // As execvp(3): a file found but not executable (EACCES) wins over later "not found"s, and
  // is what gets reported if nothing else runs.
  int first_serious = 0;
  for (const auto& path : args.candidates) {
    execve(path.c_str(), args.argv.data(), args.envp.data());
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) continue;
    if (first_serious == 0) first_serious = err;
    if (err != EACCES) break;
  }
  if (first_serious == 0) {
    Error e = Error::make("run " + plan.exec_file, "command not found in the sandbox",
                          "check the name, or make it visible with --ro-bind or --expose");
    e.exit_code = kExitNotFound;
    return e;
  }
  Error e{"run " + plan.exec_file, first_serious, {}, {}, kExitCannotExecute};
  if (first_serious == ENOEXEC) e.why = "not an executable format";
  return e;
}

}  // namespace vx
