// The staged bin/ of SPEC §7 with a stand-in for pip (a pip3 script that adds or removes
// console scripts: fast, and its timing is known): publish, the real entrypoints shown inside
// every sandbox, a venv made inside, and a SIGKILL at any point of the publish.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "support.h"

namespace vx::test {
namespace {

// pip3 add|remove N [FIRST]: writes or removes bin/toolI; says "staged" when done.
std::string fake_pip(const TempProject& p) {
  return "#!" + p.venv +
         "/bin/python\n"
         "import os, sys\n"
         "b = os.path.join(sys.prefix, 'bin')\n"
         "n = int(sys.argv[2])\n"
         "for i in range(n):\n"
         "    path = os.path.join(b, 'tool%d' % i)\n"
         "    if sys.argv[1] == 'add':\n"
         "        with open(path, 'w') as f: f.write('#!/bin/sh\\necho tool%d %s\\n' % (i, "
         "sys.argv[3] if len(sys.argv) > 3 else ''))\n"
         "        os.chmod(path, 0o755)\n"
         "    elif os.path.lexists(path):\n"
         "        os.unlink(path)\n"
         "print('staged', flush=True)\n";
}

TempProject wrapped_with_fake_pip() {
  TempProject p = make_project(true);
  write_file(p.venv + "/bin/pip3", fake_pip(p), 0755);
  RunResult r = run_launcher(p, {"install"});
  if (r.status != 0) throw std::runtime_error("install: " + r.err);
  return p;
}

std::string link_of(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(Publish, NewChangedAndRemovedEntriesAreWrappedUpdatedAndGone) {
  TempProject p = wrapped_with_fake_pip();
  RunResult add = run({p.venv + "/bin/pip3", "add", "3", "v1"}, base_env(p), p.project);
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.err, "");
  EXPECT_EQ(bin_violations(p.venv), "");
  EXPECT_EQ(link_of(p.venv + "/bin/tool2"), launcher_path());
  EXPECT_EQ(run({p.venv + "/bin/tool2"}, base_env(p), p.project).out, "tool2 v1\n");
  ASSERT_EQ(run({p.venv + "/bin/pip3", "add", "3", "v2"}, base_env(p), p.project).status, 0);
  EXPECT_EQ(run({p.venv + "/bin/tool2"}, base_env(p), p.project).out, "tool2 v2\n");
  RunResult rm = run({p.venv + "/bin/pip3", "remove", "2"}, base_env(p), p.project);
  ASSERT_EQ(rm.status, 0) << rm.err;
  EXPECT_EQ(bin_violations(p.venv), "");
  for (const char* gone : {"tool0", "tool1"}) {
    EXPECT_FALSE(exists(p.venv + "/bin/" + gone)) << gone;
    EXPECT_FALSE(exists(p.venv + "/venv-exec/real/" + gone)) << gone;
  }
  EXPECT_EQ(run({p.venv + "/bin/tool2"}, base_env(p), p.project).out, "tool2 v2\n");
  // Nothing is left of the staging dirs.
  for (const auto& name : dir_names(p.venv + "/venv-exec"))
    EXPECT_FALSE(name.starts_with("staging.")) << name;
}

TEST(Publish, InsideEverySandboxBinHoldsTheRealEntrypoints) {
  TempProject p = wrapped_with_fake_pip();
  // Positive control: on the host, bin/python is the wrapper.
  ASSERT_EQ(link_of(p.venv + "/bin/python"), launcher_path());
  RunResult r = run({p.venv + "/bin/python", "-c",
                     "import os, sys\n"
                     "b = os.path.join(sys.prefix, 'bin')\n"
                     "print(os.readlink(os.path.join(b, 'python')))\n"
                     "print(os.path.realpath(sys.executable))\n"
                     "print(sys._base_executable)\n"
                     "print(sorted(os.listdir(b)))\n"},
                    base_env(p), p.project);
  ASSERT_EQ(r.status, 0) << r.err;
  std::string real_python = link_of(p.venv + "/venv-exec/real/python");
  char resolved[4096];
  ASSERT_NE(realpath("/usr/bin/python3", resolved), nullptr);
  EXPECT_EQ(r.out, real_python + "\n" + resolved + "\n" + resolved +
                       "\n['pip3', 'python', 'python3', 'python3.11']\n");
}

TEST(Publish, AVenvMadeInsideRunsInside) {
  TempProject p = wrapped_with_fake_pip();
  RunResult r = run({p.venv + "/bin/shell", "-c",
                     "python -m venv --without-pip v2 && v2/bin/python -c "
                     "'import sys; print(sys.prefix); print(sys._base_executable)' && "
                     "grep '^home' v2/pyvenv.cfg"},
                    base_env(p), p.project);
  char resolved[4096];
  ASSERT_NE(realpath("/usr/bin/python3", resolved), nullptr);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, p.project + "/v2\n" + resolved + "\nhome = /usr/bin\n") << r.err;
}

// Kills land from the moment the stand-in says "staged" (pip's work is done, the publish is
// next) over the publish; some must land mid-way, the positive control that the invariant was
// checked where it matters.
TEST(Publish, KilledAtAnyPointOfThePublishBinStaysConsistent) {
  TempProject p = wrapped_with_fake_pip();
  int partial = 0;
  for (int round = 0; round < 120 && partial < 3; ++round) {
    int delay_us = (round % 60) * 400;
    std::string how = round % 2 == 0 ? "add" : "remove";
    Background bg = start_launcher(p, {"pip3", how, "200"});
    std::string line = read_line(bg.out_fd);
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
    kill(bg.pid, SIGKILL);
    wait_status(bg.pid);
    close(bg.out_fd);
    ASSERT_EQ(line, "staged");
    ASSERT_EQ(bin_violations(p.venv), "") << "after a kill " << delay_us << " us into " << how;
    int wrapped = 0;
    for (int i = 0; i < 200; ++i) wrapped += exists(p.venv + "/bin/tool" + std::to_string(i));
    if (wrapped > 0 && wrapped < 200) ++partial;
    if (exists(p.venv + "/bin/tool199")) {
      RunResult spot = run({p.venv + "/bin/tool199"}, base_env(p), p.project);
      ASSERT_EQ(spot.out, "tool199\n") << "after a kill " << delay_us << " us: " << spot.err;
    }
    RunResult py = run({p.venv + "/bin/python", "-c", "print(1)"}, base_env(p), p.project);
    ASSERT_EQ(py.out, "1\n") << "after a kill " << delay_us << " us: " << py.err;
  }
  EXPECT_GE(partial, 1) << "no kill landed in the middle of the publish";
  // The next pip run removes what the killed one left and publishes its own work in full.
  RunResult last = run({p.venv + "/bin/pip3", "add", "200"}, base_env(p), p.project);
  ASSERT_EQ(last.status, 0) << last.err;
  EXPECT_EQ(bin_violations(p.venv), "");
  for (int i = 0; i < 200; i += 37)
    EXPECT_EQ(run({p.venv + "/bin/tool" + std::to_string(i)}, base_env(p), p.project).out,
              "tool" + std::to_string(i) + "\n");
  for (const auto& name : dir_names(p.venv + "/venv-exec"))
    EXPECT_FALSE(name.starts_with("staging.")) << name;
}

}  // namespace
}  // namespace vx::test
