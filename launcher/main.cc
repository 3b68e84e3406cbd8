// venv-exec: the table of contents of a launch. Dispatch on argv[0] and the subcommand, then
// call the pipeline steps in order; the steps hold the logic.
#include <signal.h>
#include <stdio_ext.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>

#include "base/error.h"
#include "base/fd.h"
#include "base/path.h"
#include "base/prefault.h"
#include "base/timing.h"
#include "host/cgroup.h"
#include "host/check.h"
#include "host/explain_session.h"
#include "host/host.h"
#include "host/install.h"
#include "host/landlock_paths.h"
#include "host/link_open.h"
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
#include "plan/links.h"
#include "plan/plan_sandbox.h"
#include "sandbox/exec.h"
#include "sandbox/link_client.h"
#include "sandbox/nested.h"
#include "sandbox/seccomp_filter.h"
#include "sandbox/signals.h"
#include "sandbox/spawn.h"
#include "sandbox/supervise.h"
#include "sandbox/user_net.h"
#include "version.h"

namespace vx {
namespace {

// --help or --version.
int launch_info(const ParsedArgs& cli) {
  if (cli.help) return std::fputs(usage_text().c_str(), stdout), 0;
  return std::puts("venv-exec " VX_VERSION " (" VX_GIT_DESCRIBE ")"), 0;
}

// What the caller asked to run: the entrypoint it went through (`entry`, VENV/bin/NAME), or the
// command after our options (`args`: the invocation's, less explain's own) in `cli`.
Expected<Target> read_target(const HostFacts& host, const Invocation& inv,
                             const std::vector<std::string>& args, ParsedArgs& cli,
                             std::string& entry) {
  Target target;
  if (inv.command == Command::kEntrypoint) {
    TRY_ASSIGN(located, locate_argv0(host));
    entry = located;
    target.entrypoint = basename_of(entry);
    target.shell = target.entrypoint == "shell";
    target.words = inv.args;
    if (!target.shell) target.words.insert(target.words.begin(), target.entrypoint);
    return target;
  }
  TRY_ASSIGN(parsed, parse_sandbox_args(args, true, "venv-exec"));
  cli = std::move(parsed);
  target.shell = inv.command == Command::kShell;
  target.words = cli.rest;
  if (!target.shell && target.words.empty() && !cli.help && !cli.version)
    return fail(Error::make("venv-exec", "no command given",
                            "usage: venv-exec [OPTION...] [--] CMD [ARG...]; see --help"));
  return target;
}

// Inside a sandbox: run the target in place, under the filter and namespaces already there
// (SPEC §1), resolved as a launch resolves it. Options cannot loosen or tighten the sandbox
// the call is already in: they are ignored, with a warning.
int run_nested(const HostFacts& host, const Invocation& inv) {
  std::vector<std::string> args = inv.args;
  // Already inside: no second filter can be stacked to watch, so explain just runs the command.
  if (inv.command == Command::kExplain) {
    auto e = parse_explain_args(inv.args);
    if (!e) return report(e.error()), kExitLauncherFailed;
    args = e->rest;
  }
  ParsedArgs cli;
  std::string entry;
  auto target = read_target(host, inv, args, cli, entry);
  if (!target) return report(target.error()), target.error().exit_code;
  if (cli.help || cli.version) return launch_info(cli);
  if (!(cli.options == SandboxOptions{}))
    warn("already inside a sandbox: the options are ignored; the command runs in this one");
  Venv venv;  // the wrapper's venv: only its bin/ and venv-exec/real are read
  if (!entry.empty()) venv.dir = parent_dir(parent_dir(entry));
  auto resolved = resolve_target(venv, *target);
  if (!resolved) return report(resolved.error()), resolved.error().exit_code;
  std::vector<char*> argv;
  for (auto& w : resolved->argv) argv.push_back(w.data());
  argv.push_back(nullptr);
  Error e = exec_candidates(resolved->exec_file,
                            exec_paths(resolved->exec_file, path_entries(host.environ)),
                            argv.data(), environ);
  report(e);
  return e.exit_code;
}


double seconds_since(int64_t start_ns) {
  return static_cast<double>(monotonic_ns() - start_ns) / 1e9;
}

// The end of a launch whose host work is done (cgroup left, bin/ published, report written).
// What a return would still do is free the plan and the request, writing to heap pages that
// are copy-on-write since the clone, then run libc's and libstdc++'s exit handlers: about 14
// page faults (~15 µs each on a PVM guest) on the way out of every launch, after the program
// has already exited. No destructor left has an effect the kernel's exit does not have
// (descriptors and flock locks close with the process): flush stdio and leave.
[[noreturn]] void end_launch(int code) {
  // Only stdout can hold bytes (stderr is unbuffered; a launch opens no stream of its own), and
  // a launch writes none there: fflush(NULL) would still lock each stream, writing to libc's
  // data, a copy-on-write fault since the clone. __fpending only reads.
  if (__fpending(stdout) > 0) std::fflush(stdout);
  _exit(code);
}

Expected<int> launch(const HostFacts& host, const Invocation& inv) {
  std::optional<Explain> explain;
  std::vector<std::string> args = inv.args;
  if (inv.command == Command::kExplain) {
    TRY_ASSIGN(e, parse_explain_args(inv.args));
    TRY_ASSIGN(armed, Explain::from_args(host, e));
    explain = std::move(armed);
    args = e.rest;
  } else if (inv.command == Command::kEntrypoint) {
    TRY_ASSIGN(armed, Explain::from_env(host));
    explain = std::move(armed);
  }
  ParsedArgs cli;
  std::string entry;  // the wrapper link the caller went through, VENV/bin/NAME
  TRY_ASSIGN(target, read_target(host, inv, args, cli, entry));
  if (cli.help || cli.version) return launch_info(cli);
  TRY_ASSIGN(caller, caller_options(host, cli.options));
  mark_phase(host.timing, "options");
  // Read once: venv discovery, the stored options and the other venvs to protect all ask it.
  const Registry registry(state_root(host));
  TRY_ASSIGN(venv, inv.command == Command::kEntrypoint ? venv_for_entrypoint(entry)
                                                       : find_venv(caller.venv, host, registry));
  TRY(check_project(venv.project, host.home));
  // Policy only from trusted inputs (SPEC §3a): the registry's defaults, then the caller's.
  TRY_ASSIGN(options, trusted_defaults(venv, registry));
  if (explain) explain->stored_options = format_options(options);
  merge_options(options, caller);
  TRY(prepare_venv_dirs(venv, host.home));
  mark_phase(host.timing, "venv");
  TRY_ASSIGN(request, build_request(host, venv, registry, options, target));
  // pip writes a staging copy of bin/, published when it exits (SPEC §7, host/staging.h).
  std::optional<Staging> staging;
  UniqueFd venv_lock;
  if (request.pip && venv.wrapped) {
    // Parallel pip runs and installs on one venv take turns until bin/ is published.
    TRY_ASSIGN(lock, lock_venv(registry.root(), venv.dir));
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
  if (explain) TRY(explain->arm(program_filter, plan));
  BpfProgram init = init_filter();
  mark_phase(host.timing, "plan");
  sigset_t supervised = supervised_signals();
  sigprocmask(SIG_BLOCK, &supervised, nullptr);
  pid_t self = plan.limits.cgroups.empty() ? 0 : getpid();  // only a run cgroup needs it
  TRY_ASSIGN(cgroup, enter_run_cgroup(plan.limits, "venv-exec-" + std::to_string(self), self));
  int64_t started = monotonic_ns();
  // Made before the clone: after it, each heap page the launcher writes is a copy-on-write
  // fault. (The Landlock-only fallback below shares the host's network as the first plan.)
  HostLinks links(host, {venv.project, venv.dir}, plan.net == NetMode::kHost);
  if (plan.landlock_only) warn(landlock_only_warning("--isolation landlock"));
  auto spawned = spawn_sandbox(plan, Filters{explain ? &explain->filter : &program_filter, &init});
  // Where user namespaces are blocked, the automatic choice is Landlock alone (or 125 with the
  // fix, when the kernel lacks it too).
  if (!spawned && !options.isolation && namespaces_refused(spawned.error())) {
    request.landlock_only = true;
    request.landlock_paths = landlock_only_inputs(host, venv, request);
    TRY_ASSIGN(fallback, plan_sandbox(request));
    plan = std::move(fallback);
    TRY_ASSIGN(fallback_filter, prepare_program_filter(plan.seccomp));
    program_filter = std::move(fallback_filter);
    warn(landlock_only_warning("user namespaces are not available"));
    if (explain) TRY(explain->arm(program_filter, plan));
    spawned = spawn_sandbox(plan, Filters{explain ? &explain->filter : &program_filter, &init});
  }
  if (!spawned) return fail(spawned.error());
  Spawned sandbox = std::move(*spawned);
  mark_phase(host.timing, "clone");
  LinkServer link_server(std::move(sandbox.links), &links);
  NotifyHandler on_notify;
  if (explain) on_notify = [&](int l) { explain->probe->serve(l); };
  TRY_ASSIGN(user_net, start_user_net(plan, sandbox));
  int code = supervise(sandbox, plan, on_notify, &link_server);
  user_net.stop();
  mark_phase(host.timing, "exit");
  links.finish();
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
  warn_new_protected(venv.project, request.protected_present);
  if (explain) {
    if (auto r = explain->finish(sandbox, host, venv, plan); !r) {
      report(r.error());
      return kExitLauncherFailed;
    }
  }
  end_launch(code);
}

}  // namespace
}  // namespace vx

#if defined(__SANITIZE_ADDRESS__)
// The sanitizer build (tests/ci/sanitizers): LeakSanitizer cannot run inside a sandbox (its
// tracer needs calls the filter refuses and a dumpable process), where nested launches and the
// xdg-open shim run; the unit tests and fuzzers check for leaks. ASAN_OPTIONS still overrides.
extern "C" const char* __asan_default_options();
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

int main(int argc, char** argv, char** envp) {
  using namespace vx;
  int64_t started = monotonic_ns();
  auto host = read_host_facts(argc > 0 ? argv[0] : nullptr, envp, started);
  if (!host) return report(host.error()), kExitLauncherFailed;
  std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  // Inside, xdg-open (and BROWSER) is the link shim; on the host the name means nothing.
  if (basename_of(host->argv0) == kShimName && inside_sandbox()) return run_link_shim(args);
  Invocation inv = classify_invocation(host->argv0, args);
  switch (inv.command) {
    case Command::kEntrypoint:
    case Command::kRun:
    case Command::kShell:
    case Command::kExplain: {
      if (inside_sandbox() ||
          inside_landlock_sandbox(host_env(*host, kLandlockMarkerEnv), host->uid))
        return run_nested(*host, inv);
      prefault_launch_memory();
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
