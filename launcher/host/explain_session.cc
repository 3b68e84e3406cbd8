#include "host/explain_session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "base/fd.h"
#include "base/path.h"

namespace vx {

namespace {

// The file is the one place the program cannot forge or hide the report in: the launcher opens
// it on the host after the run. O_NOFOLLOW and the type check: a project the program could
// write may hold a planted symlink or FIFO at that name.
Expected<void> write_report_file(const std::string& path, const std::string& text) {
  std::string what = "write explain's report to " + path;
  UniqueFd fd(
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
  if (!fd) return fail(Error::from_errno(what, "name a regular file in a writable directory"));
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno(what));
  if (!S_ISREG(st.st_mode))
    return fail(Error::make(what, "not a regular file", "name a regular file"));
  for (size_t done = 0; done < text.size();) {
    ssize_t n =
        retry_eintr([&] { return write(fd.get(), text.data() + done, text.size() - done); });
    if (n <= 0) return fail(Error::from_errno(what));
    done += static_cast<size_t>(n);
  }
  return {};
}

Expected<std::optional<Explain>> made(const HostFacts& host, ExplainFormat format,
                                      const std::string& file) {
  Explain e;
  e.format = format;
  if (file.empty()) return std::optional<Explain>(std::move(e));
  e.report_file = file.starts_with('/') ? file : host.cwd + "/" + file;
  // Checked now: a typo should not cost the whole run.
  struct stat st;
  if (stat(parent_dir(e.report_file).c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return fail(Error::make("venv-exec explain --report " + file, "its directory does not exist",
                            "name a file in an existing directory"));
  return std::optional<Explain>(std::move(e));
}

}  // namespace

Expected<std::optional<Explain>> Explain::from_args(const HostFacts& host, const ExplainArgs& a) {
  return made(host, a.format, a.report_file);
}

Expected<std::optional<Explain>> Explain::from_env(const HostFacts& host) {
  auto format = explain_from_env(host_env(host, "VENV_EXEC_EXPLAIN"));
  if (!format) return std::optional<Explain>();
  return made(host, *format, host_env(host, "VENV_EXEC_EXPLAIN_REPORT").value_or(""));
}

Expected<void> Explain::arm(const BpfProgram& normal, const SandboxPlan& plan) {
  TRY(check_explainable(plan.seccomp));
  TRY_ASSIGN(variant, explain_filter(normal, ExplainProbe::watched_calls()));
  filter = std::move(variant);
  probe.emplace(normal.layers, plan.loopback_up);
  return {};
}

Expected<void> Explain::finish(Spawned& sandbox, const HostFacts& host, const Venv& venv,
                               const SandboxPlan& plan) {
  reap_sandbox(sandbox);
  probe->check_host();
  ExplainContext ctx{venv.dir, host.home, allow_list_in_force(plan.seccomp), stored_options,
                     sandbox.listener_interruptible};
  std::string text = format == ExplainFormat::kJson ? format_explain_json(probe->findings(), ctx)
                                                    : format_explain_text(probe->findings(), ctx);
  if (!report_file.empty()) {
    TRY(write_report_file(report_file, text));
    std::string note = "venv-exec explain: report written to " + printable(report_file) + "\n";
    std::fputs((kReportReset + note).c_str(), stderr);
    return {};
  }
  // The program wrote to this stderr too, and may have left it concealed or coloured.
  if (format == ExplainFormat::kText || isatty(STDERR_FILENO)) text = kReportReset + text;
  std::fputs(text.c_str(), stderr);
  return {};
}

}  // namespace vx
