// venv-exec: the table of contents of a launch. Dispatch on argv[0] and the subcommand, then
// call the pipeline steps in order; the steps hold the logic.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "base/error.h"
#include "base/fd.h"
#include "base/timing.h"
#include "host/check.h"
#include "host/host.h"
#include "host/install.h"
#include "host/plan_cache.h"
#include "host/ps.h"
#include "host/request.h"
#include "host/rewrap.h"
#include "host/venv.h"
#include "plan/cli.h"
#include "plan/invocation.h"
#include "plan/plan_sandbox.h"
#include "sandbox/nested.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/signals.h"
#include "sandbox/spawn.h"
#include "sandbox/supervise.h"

namespace vx {
namespace {

// Inside a sandbox: run the target in place, under the filter and namespaces already there.
int run_nested(const HostFacts& host, const Invocation& inv) {
  std::vector<std::string> words = inv.args;
  std::string file;
  if (inv.command == Command::kEntrypoint) {
    auto entry = locate_argv0(host);
    if (!entry) return report(entry.error()), kExitLauncherFailed;
    std::string bin = entry->substr(0, entry->rfind('/'));
    file = real_entry(bin.substr(0, bin.rfind('/')), inv.entrypoint)
               .value_or(bin + "/../venv-exec/real/" + inv.entrypoint);
    words.insert(words.begin(), *entry);
  } else {
    if (words.empty()) words.push_back(access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh");
    file = words.front();
  }
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  if (file.find('/') != std::string::npos) {
    execv(file.c_str(), argv.data());
  } else {
    execvp(file.c_str(), argv.data());
  }
  Error e = Error::from_errno("run " + file);
  e.exit_code = errno == ENOENT ? kExitNotFound : kExitCannotExecute;
  report(e);
  return e.exit_code;
}

Expected<void> prepare_venv_dirs(const Venv& venv) {
  if (venv.dir.empty()) return {};
  for (const char* sub : {"/home", "/cache"}) {
    std::string dir = venv.dir + sub;
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return fail(Error::from_errno("create " + dir, "check that the venv is writable"));
  }
  return {};
}

Expected<int> launch(const HostFacts& host, const Invocation& inv) {
  ParsedArgs cli;
  Target target;
  if (inv.command == Command::kEntrypoint) {
    target.entrypoint = inv.entrypoint;
    target.shell = inv.entrypoint == "shell";
    target.words = inv.args;
    if (!target.shell) target.words.insert(target.words.begin(), inv.entrypoint);
  } else {
    TRY_ASSIGN(parsed, parse_sandbox_args(inv.args, true, "venv-exec"));
    cli = std::move(parsed);
    if (cli.help) return std::fputs(usage_text().c_str(), stdout), 0;
    if (cli.version) return std::puts("venv-exec " VX_VERSION), 0;
    target.shell = inv.command == Command::kShell;
    target.words = cli.rest;
    if (!target.shell && target.words.empty())
      return fail(Error::make("venv-exec", "no command given",
                              "usage: venv-exec [OPTION...] [--] CMD [ARG...]; see --help"));
  }
  TRY_ASSIGN(early, gather_options(host, {}, cli.options));
  mark_phase(host.timing, "options");
  Expected<Venv> venv = find_venv(early.venv, host);
  if (inv.command == Command::kEntrypoint) {
    TRY_ASSIGN(entry, locate_argv0(host));
    venv = venv_for_entrypoint(entry);
  }
  if (!venv) return fail(venv.error());
  TRY(prepare_venv_dirs(*venv));
  TRY_ASSIGN(defaults, read_install_defaults(venv->dir));
  TRY_ASSIGN(options, gather_options(host, defaults, cli.options));
  mark_phase(host.timing, "venv");
  TRY_ASSIGN(request, build_request(host, *venv, options, target));
  TRY_ASSIGN(plan, plan_sandbox(request));
  if (plan.cwd != host.cwd && !options.chdir)
    warn("the working directory " + host.cwd + " is outside the project; running in " + plan.cwd);
  if (options.verbose)
    std::fputs(("venv-exec: plan\n" + format_sandbox_plan(plan)).c_str(), stderr);
  TRY_ASSIGN(program_filter, prepare_program_filter(plan.seccomp));
  if (plan.seccomp.mode == SeccompPlan::Mode::kOff)
    warn("seccomp is off (SANDBOX_SECCOMP_ALLOW is empty); the program runs in a new session");
  BpfProgram init = init_filter();
  mark_phase(host.timing, "plan");
  sigset_t supervised = supervised_signals();
  sigprocmask(SIG_BLOCK, &supervised, nullptr);
  std::vector<std::string> protected_before = existing_protected(venv->project);
  TRY_ASSIGN(sandbox, spawn_sandbox(plan, Filters{&program_filter, &init}));
  mark_phase(host.timing, "clone");
  int code = supervise(sandbox, plan);
  mark_phase(host.timing, "exit");
  // pip's new entrypoints are wrapped before we return, keeping pip's exit status. First wait
  // for pid 1: the kernel kills the rest of the sandbox before pid 1 is reaped, so no process
  // left behind by pip can change bin/ while we re-wrap it.
  if (request.pip) retry_eintr([&] { return waitpid(sandbox.pid1, nullptr, 0); });
  if (request.pip && venv->wrapped) {
    if (auto r = rewrap_after_pip(venv->dir, host.self_exe); !r) {
      report(r.error());
      if (code == 0) code = kExitLauncherFailed;
    }
  }
  // pip changed the venv: the minimal view is recomputed now, not at the next launch.
  if (request.pip && options.profile == "minimal") {
    if (auto r = refresh_view(*venv, options.expose); !r) report(r.error());
  }
  warn_new_protected(venv->project, protected_before);
  return code;
}

}  // namespace
}  // namespace vx

int main(int argc, char** argv, char** envp) {
  using namespace vx;
  int64_t started = monotonic_ns();
  auto host = read_host_facts(argc > 0 ? argv[0] : nullptr, envp, started);
  if (!host) return report(host.error()), kExitLauncherFailed;
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  Invocation inv = classify_invocation(host->argv0, args);
  switch (inv.command) {
    case Command::kEntrypoint:
    case Command::kRun:
    case Command::kShell: {
      if (inside_sandbox()) return run_nested(*host, inv);
      auto code = launch(*host, inv);
      if (!code) return report(code.error()), code.error().exit_code;
      return *code;
    }
    case Command::kPs:
      return run_ps(inv.args);
    case Command::kInstall:
      return run_install(*host, inv.args);
    case Command::kUninstall:
      return run_uninstall(*host, inv.args);
    case Command::kCheck:
      return run_check(inv.args);
  }
  return kExitLauncherFailed;
}
