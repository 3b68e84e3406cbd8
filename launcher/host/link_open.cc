#include "host/link_open.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "base/error.h"
#include "base/fd.h"
#include "base/path.h"
#include "base/real_path.h"
#include "base/timing.h"
#include "host/sandbox_writable.h"
#include "plan/environ.h"
#include "sandbox/signals.h"

namespace vx {

namespace {

uint64_t monotonic_ms() { return static_cast<uint64_t>(monotonic_ns()) / 1000000; }

// One write, so that the line does not interleave with the program's output. Never blocks for
// long: a terminal stopped by ^S (or a full pipe nobody reads) would otherwise freeze the
// launcher, its signal handling and --timeout with it; the line is dropped instead.
void say(const std::string& text) {
  constexpr int kWritableWithinMs = 100;
  struct pollfd p = {STDERR_FILENO, POLLOUT, 0};
  if (poll(&p, 1, kWritableWithinMs) != 1 || (p.revents & POLLOUT) == 0) return;
  std::string line = "venv-exec: " + terminal_safe(text) + "\n";
  ssize_t ignored = write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

bool set_and_not_empty(const HostFacts& host, const char* name) {
  auto v = host_env(host, name);
  return v && !v->empty();
}

// Only the Debian path, never a PATH lookup: PATH often starts with VENV/bin, where a console
// script or a link to venv-exec would run unsandboxed, or as a new sandbox without this run's
// options. The path itself is refused when it leads back there through a link.
std::string trusted_tool(const char* path, const std::string& self_exe,
                         const std::vector<std::string>& untrusted) {
  if (access(path, X_OK) != 0) return "";
  auto real = real_path(path);
  if (!real) return "";
  // self_exe is /proc/self/exe's text: already the kernel's canonical name.
  if (*real == self_exe || writable_by_sandbox(path, untrusted)) {
    say(std::string("not using ") + path +
        " to open links: it leads to venv-exec itself or into "
        "the project or the venv; links are printed instead");
    return "";
  }
  return path;
}

// The caller's environment (the opener needs the bus and the display), with a PATH of absolute
// entries outside the project and the venv: the host's xdg-open is a shell script that runs
// `x-www-browser`, `grep` and others by name, unsandboxed.
std::vector<std::string> opener_environ(const std::vector<std::string>& env,
                                        const std::vector<std::string>& untrusted) {
  std::vector<std::string> out;
  for (const auto& e : env) {
    if (!e.starts_with("PATH=")) {
      out.push_back(e);
      continue;
    }
    std::string path;
    for (const auto& dir : split(std::string_view(e).substr(5), ':')) {
      if (dir.empty() || dir.front() != '/' || writable_by_sandbox(dir, untrusted)) continue;
      path += (path.empty() ? "" : ":") + dir;
    }
    out.push_back("PATH=" + path);
  }
  return out;
}

// The opener runs in / (the launcher's cwd is in the project, where a relative name would
// find planted files), with no terminal (stdin/stdout/stderr on /dev/null), default signals, and a
// session of its own so that Ctrl-C at the terminal does not reach a browser it starts.
pid_t spawn_opener(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addchdir_np(&actions, "/");
  for (int fd = 0; fd < 3; ++fd)
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  posix_spawnattr_init(&attr);
  sigset_t none, defaults = supervised_signals();
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
  std::vector<char*> args, envp;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, args[0], &actions, &attr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return err == 0 ? pid : -1;
}

const char* opener_name(LinkOpener o) {
  return o == LinkOpener::kPortal ? "the desktop portal (gdbus)" : "xdg-open";
}

}  // namespace

HostLinks::HostLinks(const HostFacts& host, std::vector<std::string> untrusted, bool host_network)
    : host_(host), untrusted_(std::move(untrusted)), host_network_(host_network) {}

// Made at the first link, not at each launch: cleaning PATH resolves every entry, a cost
// most runs would pay for nothing. No weaker than at launch: what a sandbox can plant in the
// project before the first link, an earlier run could have planted before this launch.
const std::vector<std::string>& HostLinks::opener_env() {
  if (!env_) env_ = opener_environ(host_.environ, untrusted_);
  return *env_;
}

const OpenerFacts& HostLinks::facts() {
  if (!facts_) {
    OpenerFacts f;
    f.session_bus = set_and_not_empty(host_, "DBUS_SESSION_BUS_ADDRESS");
    f.display = set_and_not_empty(host_, "DISPLAY") || set_and_not_empty(host_, "WAYLAND_DISPLAY");
    f.gdbus = trusted_tool(kHostGdbus, host_.self_exe, untrusted_);
    f.xdg_open = trusted_tool(kHostXdgOpen, host_.self_exe, untrusted_);
    facts_ = std::move(f);
  }
  return *facts_;
}

void HostLinks::refuse(const std::string& why, const std::string& text) {
  if (!refusals_shown_.take(monotonic_ms())) return;
  constexpr size_t kShown = 120;
  std::string shown = printable(std::string_view(text).substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  say("refused a link from the sandbox: " + why + ": '" + shown + "'");
}

unsigned char HostLinks::on_link(const LinkMessage& message) {
  std::optional<std::string> why;
  if (message.end == LinkMessage::End::kTooLong) why = "it is longer than 8 KiB";
  if (message.end == LinkMessage::End::kUnfinished) why = "the message did not end in time";
  if (!why) why = link_refusal(message.bytes, host_network_);
  if (why) return refuse(*why, message.bytes), kLinkRefused;
  if (!budget_.take(monotonic_ms())) {
    refuse("more than " + std::to_string(kLinksPerMinute) + " links in a minute", message.bytes);
    return kLinkTooMany;
  }
  open(message.bytes, choose_opener(facts()));
  return kLinkOpened;
}

void HostLinks::open(const std::string& url, LinkOpener opener) {
  if (opener == LinkOpener::kPrint) return say("open this link in your browser: " + url);
  say("opening " + url);
  pid_t pid = spawn_opener(opener_argv(opener, facts(), url), opener_env());
  if (pid < 0)
    return say("could not start " + std::string(opener_name(opener)) +
               "; open the link yourself: " + url);
  running_.push_back({pid, opener, url});
}

// A portal that is not there (no xdg-desktop-portal on this desktop) falls back to xdg-open
// when there is a display; otherwise the user gets the link to open.
void HostLinks::opened(const Opening& o, int status) {
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const OpenerFacts& f = facts();
  if (o.opener == LinkOpener::kPortal && f.display && !f.xdg_open.empty()) {
    pid_t pid = spawn_opener(opener_argv(LinkOpener::kXdgOpen, f, o.url), opener_env());
    if (pid > 0) return running_.push_back({pid, LinkOpener::kXdgOpen, o.url});
  }
  say(std::string(opener_name(o.opener)) + " did not open the link; open it yourself: " + o.url);
}

void HostLinks::on_child_exit() {
  std::vector<std::pair<Opening, int>> done;
  std::erase_if(running_, [&](const Opening& o) {
    int status;
    if (waitpid(o.pid, &status, WNOHANG) != o.pid) return false;
    done.emplace_back(o, status);
    return true;
  });
  for (const auto& [o, status] : done) opened(o, status);
}

void HostLinks::finish() {
  constexpr uint64_t kWaitMs = 10 * 1000;
  const uint64_t until = monotonic_ms() + kWaitMs;
  auto portal_running = [&] {
    return std::any_of(running_.begin(), running_.end(),
                       [](const Opening& o) { return o.opener == LinkOpener::kPortal; });
  };
  // Polled rather than waited for: a gdbus that hangs past its own --timeout is left running
  // (it is in a session of its own) instead of holding the run's end.
  while (portal_running() && monotonic_ms() < until) {
    on_child_exit();
    if (portal_running()) poll(nullptr, 0, 50);
  }
}

}  // namespace vx
