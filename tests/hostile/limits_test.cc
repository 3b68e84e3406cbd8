// Hostile probes against the limits and the status output: a sandboxed job that plants a link
// or a FIFO where the next run writes its status, reads the status descriptor, or raises its
// limits. Each with a positive control that shows the attack would work without the defence.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support.h"

namespace vx::test {
namespace {

TEST(Limits, StatusFileLinkPlantedBySandboxIsRefusedNotFollowed) {
  TempProject p = make_project(true);
  std::string victim = p.home + "/.bashrc";
  write_file(victim, "original\n");
  // The first run plants status.json -> ~/.bashrc in the project it may write.
  RunResult plant = run_launcher(
      p, {"/usr/bin/python3", "-c", "import os; os.symlink('" + victim + "', 'status.json')"});
  ASSERT_EQ(plant.status, 0) << plant.err;
  // Positive control: on the host, a write through the planted link lands in the victim.
  EXPECT_EQ(host_probe(p, "attempt(lambda: open('status.json').read().strip())\n").out,
            "OK original\n");
  RunResult r =
      run_launcher(p, {"--status-json", p.project + "/status.json", "/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.out, "");  // refused before anything ran
  EXPECT_NE(r.err.find("is a symbolic link"), std::string::npos) << r.err;
  EXPECT_EQ(read_file(victim), "original\n");
}

TEST(Limits, StatusFifoPlantedBySandboxCannotStallTheLauncher) {
  TempProject p = make_project(true);
  RunResult plant = run_launcher(p, {"/usr/bin/python3", "-c", "import os; os.mkfifo('s.json')"});
  ASSERT_EQ(plant.status, 0) << plant.err;
  struct stat st;
  ASSERT_EQ(lstat((p.project + "/s.json").c_str(), &st), 0);
  ASSERT_TRUE(S_ISFIFO(st.st_mode));  // control: the FIFO is there, with no reader
  RunResult r =
      run_launcher(p, {"--status-json", p.project + "/s.json", "/bin/sh", "-c", "echo ran"});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.out, "");
}

TEST(Limits, StatusDescriptorDoesNotReachTheProgram) {
  TempProject p = make_project(true);
  std::string file = p.root + "/status.json";
  std::string probe = "import os\nprint('fd3', os.path.exists('/proc/self/fd/3'))\n";
  // Positive control: a program started the same way on the host sees descriptor 3.
  RunResult host = run({"/bin/sh", "-c", "exec /usr/bin/python3 -c \"$0\" 3>\"$1\"", probe, file},
                       base_env(p), p.project);
  EXPECT_EQ(host.out, "fd3 True\n");
  RunResult r =
      run({"/bin/sh", "-c", "exec \"$0\" --status-fd 3 /usr/bin/python3 -c \"$1\" 3>\"$2\"",
           launcher_path(), probe, file},
          base_env(p), p.project);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "fd3 False\n");
  EXPECT_NE(read_file(file).find("\"exit_code\": 0"), std::string::npos);
}

TEST(Limits, ProgramCannotRaiseItsLimits) {
  TempProject p = make_project(true);
  std::string code =
      "import resource\n"
      "try:\n"
      "    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))\n"
      "    print('raised')\n"
      "except (ValueError, OSError) as e:\n"
      "    print('refused')\n";
  // Positive control: below its hard limit, a process may raise its soft limit.
  RunResult host = run({"/bin/sh", "-c", "ulimit -Sn 20 && exec /usr/bin/python3 -c \"$0\"", code},
                       base_env(p), p.project);
  EXPECT_EQ(host.out, "raised\n") << host.err;
  RunResult r = run_launcher(p, {"--nofile", "20", "/usr/bin/python3", "-c", code});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "refused\n");
}

}  // namespace
}  // namespace vx::test
