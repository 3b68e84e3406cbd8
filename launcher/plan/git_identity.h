// The user's git identity for commits made inside (SPEC §4): user.name and user.email read
// from git configuration text, and nothing else of it (a gitconfig may hold credentials). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vx {

struct GitIdentity {
  std::optional<std::string> name;
  std::optional<std::string> email;
  bool operator==(const GitIdentity&) const = default;
};

// The last user.name and user.email of one git configuration file's text (git's last-one-wins
// within a file). Only the [user] section counts; include and includeIf are not followed. A
// value longer than kGitValueCap or holding a control character is ignored: it goes into the
// program's environment and must stay one printable line.
inline constexpr size_t kGitValueCap = 256;
GitIdentity parse_git_identity(std::string_view text);

// `later` wins key by key, as git reads ~/.config/git/config and then ~/.gitconfig.
GitIdentity merge_git_identity(const GitIdentity& earlier, const GitIdentity& later);

// GIT_AUTHOR_NAME, GIT_COMMITTER_NAME, GIT_AUTHOR_EMAIL, GIT_COMMITTER_EMAIL as KEY=VALUE.
// `local` is the project's own .git/config: git ranks it above the user's files, and it is
// visible inside, so a key it sets is left to it instead of being overridden from outside.
std::vector<std::pair<std::string, std::string>> git_identity_env(const GitIdentity& user,
                                                                  const GitIdentity& local);

}  // namespace vx
