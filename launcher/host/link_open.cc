#include "host/link_open.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "base/error.h"
#include "base/fd.h"
#include "base/path.h"
#include "plan/environ.h"
#include "sandbox/signals.h"

namespace vx {

namespace {

uint64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000 + static_cast<uint64_t>(ts.tv_nsec) / 1000000;
}

// One write, so that the line does not interleave with the program's output.
void say(const std::string& text) {
  std::string line = "venv-exec: " + terminal_safe(text) + "\n";
  write_all(STDERR_FILENO, line);
}

bool set_and_not_empty(const HostFacts& host, const char* name) {
  auto v = host_env(host, name);
  return v && !v->empty();
}

// The caller's PATH is a trusted input (SPEC §3a.1); then the tool's Debian path.
std::string find_tool(const HostFacts& host, const std::string& name, const char* debian_path) {
  for (const auto& dir : path_entries(host.environ)) {
    if (dir.empty() || dir.front() != '/') continue;
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return debian_path != nullptr && access(debian_path, X_OK) == 0 ? debian_path : "";
}

// The opener runs with the caller's environment (it needs the bus and the display), no
// terminal (stdin/stdout/stderr on /dev/null), default signals, and a session of its own so
// that Ctrl-C at the terminal does not reach a browser it starts.
pid_t spawn_opener(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
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

const OpenerFacts& HostLinks::facts() {
  if (!facts_) {
    OpenerFacts f;
    f.session_bus = set_and_not_empty(host_, "DBUS_SESSION_BUS_ADDRESS");
    f.display = set_and_not_empty(host_, "DISPLAY") || set_and_not_empty(host_, "WAYLAND_DISPLAY");
    f.gdbus = find_tool(host_, "gdbus", "/usr/bin/gdbus");
    f.xdg_open = find_tool(host_, "xdg-open", nullptr);
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
  if (!why) why = link_refusal(message.bytes);
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
  pid_t pid = spawn_opener(opener_argv(opener, facts(), url), host_.environ);
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
    pid_t pid = spawn_opener(opener_argv(LinkOpener::kXdgOpen, f, o.url), host_.environ);
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
  while (true) {
    auto portal = std::find_if(running_.begin(), running_.end(),
                               [](const Opening& o) { return o.opener == LinkOpener::kPortal; });
    if (portal == running_.end()) return;
    Opening o = *portal;
    running_.erase(portal);
    int status;
    if (retry_eintr([&] { return waitpid(o.pid, &status, 0); }) == o.pid) opened(o, status);
  }
}

}  // namespace vx
