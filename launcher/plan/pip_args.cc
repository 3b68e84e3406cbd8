#include "plan/pip_args.h"

#include <array>
#include <string_view>

#include "plan/invocation.h"

namespace vx {

namespace {

// Options whose value is a local file or directory pip reads.
constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kPathOptions = {{
    {"-r", "--requirement"},
    {"-c", "--constraint"},
    {"-e", "--editable"},
    {"-f", "--find-links"},
}};

// Options that take a separate value which is not a path to bind (pip's global and install
// options; the ones pip writes to are here on purpose).
constexpr std::array<std::string_view, 22> kValueOptions = {
    "--log",      "--cache-dir",    "--proxy",     "--retries",      "--timeout",
    "--exists-action", "--trusted-host", "--cert",  "--client-cert", "--python",
    "--use-feature",   "--use-deprecated", "-i",    "--index-url",   "--extra-index-url",
    "-t",         "--target",       "--prefix",    "--root",         "--src",
    "--platform", "--python-version",
};

bool looks_like_path(const std::string& word) {
  if (word.empty() || word.find("://") != std::string::npos || word.find('@') != std::string::npos)
    return false;
  return word == "." || word == ".." || word.front() == '/' || word.front() == '~' ||
         word.starts_with("./") || word.starts_with("../") || word.find('/') != std::string::npos;
}

// `./pkg[extra]` names ./pkg.
std::string without_extras(std::string word) {
  if (word.ends_with("]")) {
    auto open = word.rfind('[');
    if (open != std::string::npos && open > 0) word.resize(open);
  }
  return word;
}

void add_if_path(const std::string& word, std::vector<std::string>& out) {
  std::string w = word.starts_with("file://") ? word.substr(7) : word;
  w = without_extras(w);
  if (looks_like_path(w)) out.push_back(w);
}

}  // namespace

std::vector<std::string> pip_local_paths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      for (++i; i < args.size(); ++i) add_if_path(args[i], out);
      break;
    }
    bool matched = false;
    for (const auto& [short_opt, long_opt] : kPathOptions) {
      std::string s(short_opt), l(long_opt);
      if (a == s || a == l) {
        if (i + 1 < args.size()) add_if_path(args[++i], out);
      } else if (a.starts_with(l + "=")) {
        add_if_path(a.substr(l.size() + 1), out);
      } else if (a.starts_with(s) && !a.starts_with("--")) {
        add_if_path(a.substr(s.size()), out);
      } else {
        continue;
      }
      matched = true;
      break;
    }
    if (matched) continue;
    bool takes_value = false;
    for (auto opt : kValueOptions) takes_value = takes_value || a == opt;
    if (takes_value) {
      ++i;
      continue;
    }
    if (!a.starts_with("-")) add_if_path(a, out);
  }
  return out;
}

std::vector<std::string> pip_arguments(const std::vector<std::string>& argv) {
  if (argv.empty()) return {};
  std::string base = basename_of(argv[0]);
  if (base.starts_with("pip")) return {argv.begin() + 1, argv.end()};
  for (size_t i = 1; i + 1 < argv.size(); ++i) {
    if (argv[i] == "-m" && argv[i + 1] == "pip") return {argv.begin() + i + 2, argv.end()};
    if (argv[i] == "-mpip") return {argv.begin() + i + 1, argv.end()};
  }
  return {};
}

}  // namespace vx
