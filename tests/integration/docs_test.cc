// The documentation matches the binary: every option of --help is in venv-exec(1), the man
// pages lint clean, and the bash completion loads and completes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "support.h"

namespace vx::test {
namespace {

std::string source_root() {
  const char* root = getenv("VENV_EXEC_SOURCE_ROOT");
  return root != nullptr ? root : "";
}

std::vector<std::string> man_pages() {
  std::vector<std::string> pages = {source_root() + "/man/venv-exec.1"};
  if (exists(source_root() + "/man/venv-exec-policy.5"))
    pages.push_back(source_root() + "/man/venv-exec-policy.5");
  return pages;
}

TEST(Docs, EveryHelpOptionIsInTheManPage) {
  RunResult help = run({launcher_path(), "--help"}, {"PATH=/usr/bin:/bin"}, "/");
  ASSERT_EQ(help.status, 0);
  std::string man = read_file(source_root() + "/man/venv-exec.1");
  ASSERT_FALSE(man.empty());
  std::istringstream lines(help.out);
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    if (!line.starts_with("  --")) continue;
    std::string name = line.substr(2, line.find(' ', 2) - 2);
    std::string roff;  // the man page spells '-' as '\-'
    for (char c : name) roff += c == '-' ? std::string("\\-") : std::string(1, c);
    EXPECT_NE(man.find(roff), std::string::npos) << name << " is not in venv-exec.1";
    ++count;
  }
  EXPECT_GE(count, 23);
}

TEST(Docs, ManPagesLintClean) {
  for (const auto& page : man_pages()) {
    RunResult groff =
        run({"/usr/bin/groff", "-man", "-ww", "-z", page}, {"PATH=/usr/bin:/bin"}, "/");
    EXPECT_EQ(groff.status, 0) << page;
    EXPECT_EQ(groff.err, "") << page;
    RunResult mandoc = run({"/usr/bin/mandoc", "-T", "lint", page}, {"PATH=/usr/bin:/bin"}, "/");
    EXPECT_EQ(mandoc.status, 0) << page;
    EXPECT_EQ(mandoc.out + mandoc.err, "") << page;
  }
}

// SPEC §9: a launch loads no library but libc (each costs the dynamic loader a symbol scope and
// a mapping; the loader itself, named for __tls_get_addr, is loaded anyway). A libm call slips
// in easily: -Os turns an inlined std::ceil into one.
TEST(Binary, LoadsOnlyLibc) {
  RunResult r = run({"/usr/bin/readelf", "-d", launcher_path()}, {"PATH=/usr/bin:/bin"}, "/");
  ASSERT_EQ(r.status, 0) << r.err;
  // The sanitizer build (tests/ci/sanitizers) links its runtime's own libraries (libm, ...).
  bool sanitized = read_file(launcher_path()).find("AddressSanitizer") != std::string::npos;
  std::istringstream lines(r.out);
  int libc = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find("(NEEDED)") == std::string::npos) continue;
    std::string lib = line.substr(line.find('['));
    if (lib == "[libc.so.6]") ++libc;
    else if (!sanitized) EXPECT_TRUE(lib.starts_with("[ld-linux")) << lib;
  }
  EXPECT_EQ(libc, 1) << r.out;
}

TEST(Docs, CompletionLoadsAndCompletesASubcommand) {
  std::string file = source_root() + "/man/venv-exec.bash-completion";
  RunResult syntax = run({"/bin/bash", "-n", file}, {"PATH=/usr/bin:/bin"}, "/");
  EXPECT_EQ(syntax.status, 0) << syntax.err;
  RunResult done =
      run({"/bin/bash", "-c",
           "source '" + file +
               "'; COMP_WORDS=(venv-exec ins); COMP_CWORD=1; "
               "_venv_exec; printf '%s\\n' \"${COMPREPLY[@]}\" | grep -x install; "
               "COMP_WORDS=(venv-exec --prof); _venv_exec; printf '%s\\n' \"${COMPREPLY[@]}\"; "
               "COMP_WORDS=(venv-exec --profile m); COMP_CWORD=2; _venv_exec; "
               "printf '%s\\n' \"${COMPREPLY[@]}\""},
          {"PATH=/usr/bin:/bin"}, "/");
  EXPECT_EQ(done.status, 0) << done.err;
  EXPECT_EQ(done.out, "install\n--profile\nminimal\n");
}

}  // namespace
}  // namespace vx::test
