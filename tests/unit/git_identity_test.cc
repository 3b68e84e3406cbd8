// parse_git_identity: only [user] name and email leave a git configuration file.
#include "plan/git_identity.h"

#include <gtest/gtest.h>

namespace vx {
namespace {

TEST(GitIdentity, ReadsNameAndEmailOfTheUserSection) {
  GitIdentity id = parse_git_identity(
      "[core]\n\teditor = vim\n[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n");
  EXPECT_EQ(id.name, "Ada Lovelace");
  EXPECT_EQ(id.email, "ada@example.org");
}

TEST(GitIdentity, NothingElseOfTheFileLeaves) {
  GitIdentity id = parse_git_identity(
      "[credential]\n\thelper = store\n\tname = not-me\n"
      "[url \"https://token@github.com/\"]\n\tinsteadOf = https://github.com/\n"
      "[user \"work\"]\n\tname = Subsection\n[sendemail]\n\tsmtpPass = hunter2\n");
  EXPECT_EQ(id, GitIdentity{});
}

TEST(GitIdentity, SectionAndKeyNamesIgnoreCaseAndTheLastValueWins) {
  GitIdentity id = parse_git_identity(
      "[User]\nName = First\n[USER]\n  NAME=Second\n  eMail = e@x\n[other]\nname = third\n");
  EXPECT_EQ(id.name, "Second");
  EXPECT_EQ(id.email, "e@x");
}

TEST(GitIdentity, ValuesAreUnquotedAndCommentsDropped) {
  GitIdentity id = parse_git_identity(
      "[user] name = \"  Ada \\\"The\\\" Countess  \" ; a comment\n"
      "# email = commented@out\n\temail = ada@example.org   # trailing\n");
  EXPECT_EQ(id.name, "  Ada \"The\" Countess  ");
  EXPECT_EQ(id.email, "ada@example.org");
}

TEST(GitIdentity, ControlCharactersOverlongAndMalformedValuesAreIgnored) {
  std::string long_name(kGitValueCap + 1, 'a');
  GitIdentity id = parse_git_identity(
      "[user]\nname = a\\nb\nemail = \"unterminated\n"
      "name = \x1b[31mred\n"
      "email = cont\\\n");
  EXPECT_EQ(id, GitIdentity{});
  EXPECT_EQ(parse_git_identity("[user]\nname = " + long_name + "\n"), GitIdentity{});
  EXPECT_EQ(parse_git_identity("[user]\nname = " + long_name.substr(1) + "\n").name,
            long_name.substr(1));
  EXPECT_EQ(parse_git_identity("[user]\nname\nname =\n"), GitIdentity{});
}

TEST(GitIdentity, LaterFilesWinKeyByKeyAndTheProjectsOwnKeysAreLeftToGit) {
  GitIdentity xdg{"Xdg Name", "xdg@example.org"};
  GitIdentity global{std::nullopt, "global@example.org"};
  GitIdentity user = merge_git_identity(xdg, global);
  EXPECT_EQ(user, (GitIdentity{"Xdg Name", "global@example.org"}));
  using Env = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(git_identity_env(user, {}), (Env{{"GIT_AUTHOR_NAME", "Xdg Name"},
                                             {"GIT_COMMITTER_NAME", "Xdg Name"},
                                             {"GIT_AUTHOR_EMAIL", "global@example.org"},
                                             {"GIT_COMMITTER_EMAIL", "global@example.org"}}));
  EXPECT_EQ(git_identity_env(user, {std::nullopt, "local@example.org"}),
            (Env{{"GIT_AUTHOR_NAME", "Xdg Name"}, {"GIT_COMMITTER_NAME", "Xdg Name"}}));
}

}  // namespace
}  // namespace vx
