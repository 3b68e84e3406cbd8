// The folders are the architecture (STYLE §2): plan/ is pure and includes neither the host side
// nor the executor; base/ includes only base/; the executor never includes the host side.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

namespace fs = std::filesystem;

namespace {

std::string source_root() {
  const char* root = std::getenv("VENV_EXEC_SOURCE_ROOT");
  return root ? root : ".";
}

// Every "#include "dir/..."" of the files in launcher/FOLDER whose dir is in `forbidden`.
std::vector<std::string> forbidden_includes(const std::string& folder,
                                            const std::vector<std::string>& forbidden) {
  std::vector<std::string> found;
  const std::regex include(R"re(^#include "([a-z_]+)/)re");
  for (const auto& entry : fs::directory_iterator(source_root() + "/launcher/" + folder)) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line)) {
      std::smatch m;
      if (!std::regex_search(line, m, include)) continue;
      for (const auto& f : forbidden)
        if (m[1] == f) found.push_back(entry.path().filename().string() + ": " + line);
    }
  }
  return found;
}

TEST(Layering, FoldersExist) {
  for (const char* d : {"base", "plan", "host", "sandbox"})
    EXPECT_TRUE(fs::is_directory(source_root() + "/launcher/" + d)) << d;
}

TEST(Layering, PlanIsPure) {
  EXPECT_EQ(forbidden_includes("plan", {"host", "sandbox"}), std::vector<std::string>{});
}

TEST(Layering, BaseDependsOnNothing) {
  EXPECT_EQ(forbidden_includes("base", {"plan", "host", "sandbox"}), std::vector<std::string>{});
}

TEST(Layering, ExecutorDoesNotReachIntoTheHostSide) {
  EXPECT_EQ(forbidden_includes("sandbox", {"host"}), std::vector<std::string>{});
}

TEST(Layering, PlanCallsNoFileSystem) {
  // The planner takes values: none of its files includes the headers of file I/O.
  const std::regex io(R"re(^#include <(fcntl\.h|unistd\.h|sys/stat\.h|dirent\.h|fstream)>)re");
  for (const auto& entry : fs::directory_iterator(source_root() + "/launcher/plan")) {
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line))
      EXPECT_FALSE(std::regex_search(line, io)) << entry.path().filename() << ": " << line;
  }
}

}  // namespace
