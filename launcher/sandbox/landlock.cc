#include "sandbox/landlock.h"

#include <linux/landlock.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace vx {

namespace {

// struct landlock_ruleset_attr as of ABI 6. Older kernels accept the larger size as long as
// the fields they do not know are zero (copy_struct_from_user), which plan_landlock ensures.
struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

// A rule that grants rights only a directory can hold opens its path with O_DIRECTORY, which
// also refuses a link: the common case costs no fstat. A file there (a --bind of one), or a
// rule with file rights only, is looked at to keep the rights a file may carry.
Expected<void> add_path_rule(int ruleset, const LandlockRule& rule, std::vector<UniqueFd>& held) {
  std::string what = "add the Landlock rule for " + rule.path;
  // O_NOFOLLOW: every path of the plan is a mount point or the root; a link there would be a
  // change the planner did not see.
  constexpr int kFlags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  bool dir_rights = (rule.access & ~ll::kFileRights) != 0;
  UniqueFd fd(open(rule.path.c_str(), kFlags | (dir_rights ? O_DIRECTORY : 0)));
  bool is_dir = dir_rights && fd;
  if (!fd && dir_rights && errno == ENOTDIR) fd.reset(open(rule.path.c_str(), kFlags));
  if (!fd) {
    if (errno == ENOENT && rule.optional) return {};
    return fail(Error::from_errno(what));
  }
  if (!is_dir) {
    struct stat st;
    if (fstat(fd.get(), &st) != 0) return fail(Error::from_errno(what));
    if (S_ISLNK(st.st_mode)) return fail(Error::make(what, "it is a symbolic link"));
    is_dir = S_ISDIR(st.st_mode);
  }
  // A rule on a file may only carry the rights that apply to files (EINVAL otherwise).
  uint64_t access = is_dir ? rule.access : rule.access & ll::kFileRights;
  if (access == 0) return {};
  struct landlock_path_beneath_attr beneath = {};
  beneath.allowed_access = access;
  beneath.parent_fd = fd.get();
  if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) != 0)
    return fail(Error::from_errno(what));
  held.push_back(std::move(fd));
  return {};
}

}  // namespace

int probe_landlock_abi() {
  long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? -1 : static_cast<int>(abi);
}

Expected<UniqueFd> build_ruleset(const LandlockPlan& plan, std::vector<UniqueFd>& rule_dirs) {
  if (plan.abi == 0) return UniqueFd();
  RulesetAttr attr = {plan.handled_fs, 0, plan.scoped};
  // The descriptor is close-on-exec (landlock_create_ruleset(2)).
  UniqueFd ruleset(static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0U)));
  if (!ruleset)
    return fail(Error::from_errno("create the Landlock ruleset",
                                  "run 'venv-exec check' to see the Landlock ABI"));
  rule_dirs.reserve(rule_dirs.size() + plan.rules.size());
  for (const auto& rule : plan.rules) TRY(add_path_rule(ruleset.get(), rule, rule_dirs));
  return ruleset;
}

Expected<void> enforce_ruleset(UniqueFd ruleset) {
  if (!ruleset) return {};
  if (syscall(SYS_landlock_restrict_self, ruleset.get(), 0U) != 0)
    return fail(Error::from_errno("enforce the Landlock ruleset"));
  return {};
}

}  // namespace vx
