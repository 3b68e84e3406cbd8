#include "plan/invocation.h"

#include <array>
#include <utility>

namespace vx {

std::string basename_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

Invocation classify_invocation(const std::string& argv0, const std::vector<std::string>& args) {
  Invocation inv;
  std::string name = basename_of(argv0);
  if (!name.starts_with("venv-exec")) {
    inv.command = Command::kEntrypoint;
    inv.entrypoint = name;
    inv.args = args;
    return inv;
  }
  static constexpr std::array<std::pair<std::string_view, Command>, 6> kSubcommands = {{
      {"install", Command::kInstall},
      {"uninstall", Command::kUninstall},
      {"shell", Command::kShell},
      {"ps", Command::kPs},
      {"check", Command::kCheck},
      {"explain", Command::kExplain},
  }};
  if (!args.empty()) {
    for (const auto& [word, command] : kSubcommands) {
      if (args.front() == word) {
        inv.command = command;
        inv.args.assign(args.begin() + 1, args.end());
        return inv;
      }
    }
  }
  inv.command = Command::kRun;
  inv.args = args;
  return inv;
}

}  // namespace vx
