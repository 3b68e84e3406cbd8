// venv-exec: the table of contents of a launch. Dispatch on argv[0] and the subcommand, then
// call the pipeline steps in order; the steps hold the logic.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "base/error.h"
#include "base/fd.h"
#include "base/timing.h"
#include "host/cgroup.h"
#include "host/check.h"
#include "host/host.h"
#include "host/install.h"
#include "host/landlock_paths.h"
#include "host/plan_cache.h"
#include "host/ps.h"
#include "host/request.h"
#include "host/rewrap.h"
#include "host/staging.h"
#include "host/state.h"
#include "host/status_output.h"
#include "host/venv.h"
#include "host/venv_lock.h"
#include "plan/cli.h"
#include "plan/environ.h"
#include "plan/invocation.h"
#include "plan/plan_sandbox.h"
#include "sandbox/exec.h"
#include "sandbox/nested.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/signals.h"
#include "sandbox/spawn.h"
#include "sandbox/supervise.h"
#include "version.h"

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
    std::string name = basename_of(*entry);  // the link in bin/, whatever argv[0] called it
    file = real_entry(bin.substr(0, bin.rfind('/')), name)
               .value_or(bin + "/../venv-exec/real/" + name);
    words.insert(words.begin(), *entry);
  } else {
    if (words.empty()) words.push_back(access("/bin/bash", X_OK) == 0 ? "/bin/bash" : "/bin/sh");
    file = words.front();
  }
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> candidates = {file};
  if (file.find('/') == std::string::npos) {
    candidates.clear();
    for (const auto& dir : path_entries(host.environ)) candidates.push_back(dir + "/" + file);
  }
  Error e = exec_candidates(file, candidates, argv.data(), environ);
  report(e);
  return e.exit_code;
}

timespec monotonic_now() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts;
}

double seconds_since(const timespec& start) {
  timespec now = monotonic_now();
  return static_cast<double>(now.tv_sec - start.tv_sec) +
         static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

Expected<int> launch(const HostFacts& host, const Invocation& inv) {
  ParsedArgs cli;
  Target target;
  std::string entry;  // the wrapper link the caller went through, VENV/bin/NAME
  if (inv.command == Command::kEntrypoint) {
    TRY_ASSIGN(located, locate_argv0(host));
    entry = located;
    target.entrypoint = basename_of(entry);
    target.shell = target.entrypoint == "shell";
    target.words = inv.args;
    if (!target.shell) target.words.insert(target.words.begin(), target.entrypoint);
  } else {
    TRY_ASSIGN(parsed, parse_sandbox_args(inv.args, true, "venv-exec"));
    cli = std::move(parsed);
    if (cli.help) return std::fputs(usage_text().c_str(), stdout), 0;
    if (cli.version) return std::puts("venv-exec " VX_VERSION " (" VX_GIT_DESCRIBE ")"), 0;
    target.shell = inv.command == Command::kShell;
    target.words = cli.rest;
    if (!target.shell && target.words.empty())
      return fail(Error::make("venv-exec", "no command given",
                              "usage: venv-exec [OPTION...] [--] CMD [ARG...]; see --help"));
  }
  TRY_ASSIGN(caller, caller_options(host, cli.options));
  mark_phase(host.timing, "options");
  TRY_ASSIGN(venv, inv.command == Command::kEntrypoint
                       ? venv_for_entrypoint(entry)
                       : find_venv(caller.venv, host, state_root(host)));
  TRY(check_project(venv.project, host.home));
  // Policy only from trusted inputs (SPEC §3a): the registry's defaults, then the caller's.
  TRY_ASSIGN(options, trusted_defaults(venv, host));
  merge_options(options, caller);
  TRY(prepare_venv_dirs(venv, host.home));
  mark_phase(host.timing, "venv");
  TRY_ASSIGN(request, build_request(host, venv, options, target));
  // pip writes a staging copy of bin/, published when it exits (SPEC §7, host/staging.h).
  std::optional<Staging> staging;
  UniqueFd venv_lock;
  if (request.pip && venv.wrapped) {
    // Parallel pip runs and installs on one venv take turns until bin/ is published.
    TRY_ASSIGN(lock, lock_venv(venv.dir));
    venv_lock = std::move(lock);
    TRY_ASSIGN(staged, prepare_staging(venv.dir));
    request.venv_bin = staged.path;
    staging = std::move(staged);
  }
  TRY_ASSIGN(plan, plan_sandbox(request));
  if (plan.cwd != host.cwd && !options.chdir)
    warn("the working directory " + host.cwd + " is outside the project; running in " + plan.cwd);
  if (options.verbose)
    std::fputs(("venv-exec: plan\n" + format_sandbox_plan(plan)).c_str(), stderr);
  if (!plan.limits.approximate.empty())
    warn("no writable cgroup; limits only approximate: " + plan.limits.approximate);
  TRY_ASSIGN(status_out, open_status_output(options.limits));
  TRY_ASSIGN(program_filter, prepare_program_filter(plan.seccomp));
  if (plan.seccomp.mode == SeccompPlan::Mode::kOff)
    warn("seccomp is off (SANDBOX_SECCOMP_ALLOW is empty); the program runs in a new session");
  BpfProgram init = init_filter();
  mark_phase(host.timing, "plan");
  sigset_t supervised = supervised_signals();
  sigprocmask(SIG_BLOCK, &supervised, nullptr);
  std::vector<std::string> protected_before = existing_protected(venv.project);
  TRY_ASSIGN(cgroup,
             enter_run_cgroup(plan.limits, "venv-exec-" + std::to_string(getpid()), getpid()));
  timespec started = monotonic_now();
  if (plan.landlock_only) warn(landlock_only_warning("--isolation landlock"));
  auto spawned = spawn_sandbox(plan, Filters{&program_filter, &init});
  // Where user namespaces are blocked, the automatic choice is Landlock alone (or 125 with the
  // fix, when the kernel lacks it too).
  if (!spawned && !options.isolation && namespaces_refused(spawned.error())) {
    request.landlock_only = true;
    request.landlock_paths = landlock_only_inputs(host, venv);
    TRY_ASSIGN(fallback, plan_sandbox(request));
    plan = std::move(fallback);
    TRY_ASSIGN(fallback_filter, prepare_program_filter(plan.seccomp));
    program_filter = std::move(fallback_filter);
    warn(landlock_only_warning("user namespaces are not available"));
    spawned = spawn_sandbox(plan, Filters{&program_filter, &init});
  }
  if (!spawned) return fail(spawned.error());
  Spawned sandbox = std::move(*spawned);
  mark_phase(host.timing, "clone");
  int code = supervise(sandbox, plan);
  mark_phase(host.timing, "exit");
  // Everything after the run is host work over what the sandbox wrote: Ctrl-C must stop it
  // like any other host command (SPEC §3a.4), so the forwarded signals are unblocked first.
  sigprocmask(SIG_UNBLOCK, &supervised, nullptr);
  if (cgroup.active() || status_out.wanted()) reap_sandbox(sandbox);
  RunOutcome outcome;
  outcome.exit_code = code;
  outcome.signal = sandbox.signal;
  outcome.timed_out = sandbox.timed_out;
  outcome.usage = sandbox.reaped ? &sandbox.usage : nullptr;
  outcome.wall_seconds = seconds_since(started);
  outcome.cgroup = cgroup.usage();
  if (auto r = cgroup.leave(); !r) report(r.error());
  if (status_out.wanted())
    write_status(status_out,
                 format_run_status(collect_run_status(outcome, plan.limits, venv.dir, plan.argv)));
  // pip's new entrypoints are wrapped before we return, keeping pip's exit status. First wait
  // for pid 1: the kernel kills the rest of the sandbox before pid 1 is reaped, so no process
  // left behind by pip can change bin/ while we re-wrap it.
  if (request.pip) retry_eintr([&] { return waitpid(sandbox.pid1, nullptr, 0); });
  if (staging) {
    if (auto r = rewrap_after_pip(*staging, host.self_exe); !r) {
      report(r.error());
      if (code == 0) code = kExitLauncherFailed;
    }
  }
  // pip changed the venv: the minimal view is recomputed now, not at the next launch.
  if (request.pip && options.profile == "minimal") {
    if (auto r = refresh_view(venv, options.expose); !r) report(r.error());
  }
  warn_new_protected(venv.project, protected_before);
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
      if (inside_sandbox() ||
          inside_landlock_sandbox(host_env(*host, kLandlockMarkerEnv), host->uid))
        return run_nested(*host, inv);
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
