// A full disk (ENOSPC) during `install` and during the publish of bin/ after pip: every entrypoint
// still runs. The venv lives on a small tmpfs mounted in a user and mount namespace of the test's
// own (unshare(1)), so the test runs the same as root and as uid 65534; the launcher nests its
// sandbox inside that namespace as it would anywhere.
#include <gtest/gtest.h>

#include <sstream>

#include "support.h"

namespace vx::test {
namespace {

// Shell functions shared by the scripts below. fill DIR: creates empty files until the disk
// says ENOSPC (tmpfs counts inodes: nr_inodes). check_bin VENV: prints "BAD NAME: why" for a
// wrapper without its real target and for an entrypoint that does not answer as it should; pip's
// are left out (a pip run needs a staging dir, which a full disk refuses with a clear 125).
const char* const kShellHelpers = R"sh(
fill() { i=0; while touch "$1/fill$i" 2>/dev/null; do i=$((i+1)); done; echo "filled $i"; }
check_bin() {
  for e in "$1"/bin/*; do
    n=${e##*/}
    if [ -L "$e" ] && [ "$(readlink "$e")" = "$VX" ] && [ "$n" != shell ] &&
      ! [ -e "$1/venv-exec/real/$n" ]; then echo "BAD $n: a wrapper without its real target"; fi
    case $n in
      activate*|Activate*|shell|pip*) continue ;;
      python*) want=1; out=$("$e" -c 'print(1)' 2>"$HOME/run.err") ;;
      *) want=$n; out=$("$e" 2>"$HOME/run.err") ;;
    esac
    [ "$out" = "$want" ] || echo "BAD $n: $out $(cat "$HOME/run.err")"
  done
}
)sh";

// Runs `script` with a fresh tmpfs (OPTIONS) mounted at DISK, below the test's HOME so that the
// project sits under HOME as it usually does. $VX is the launcher.
RunResult on_small_disk(const TempProject& p, const std::string& options,
                        const std::string& script) {
  std::string disk = p.home + "/disk";
  // mount(8) refuses any uid but 0; the syscall needs only the capability, which --keep-caps
  // carries over the exec of sh and python as uid 65534 too.
  std::string mount =
      "/usr/bin/python3 -c 'import ctypes, sys; sys.exit(ctypes.CDLL(None).mount(b\"tmpfs\", "
      "sys.argv[1].encode(), b\"tmpfs\", 0, sys.argv[2].encode()))' \"$DISK\" " +
      options;
  std::string body = std::string("set -u\n") + kShellHelpers + mount +
                     " || exit 3\ncd \"$DISK\" || exit 3\n" + script;
  std::vector<std::string> env = base_env(p);
  env.push_back("VX=" + launcher_path());
  env.push_back("DISK=" + disk);
  RunResult made = run({"/bin/mkdir", disk}, env, p.home);
  EXPECT_EQ(made.status, 0) << made.err;
  return run({"/usr/bin/unshare", "--user", "--map-current-user", "--mount", "--keep-caps",
              "/bin/sh", "-c", body},
             env, p.home);
}

std::vector<std::string> lines_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> found;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with(prefix)) found.push_back(line);
  return found;
}

TEST(Faults, InstallOnAFullDiskLeavesEveryEntrypointRunnable) {
  TempProject p = make_project(false);
  // Free a few inodes at a time and install again, until one install gets through: the earlier
  // ones stop with ENOSPC at every step of the wrap (home, real/, each link).
  std::string script = R"sh(
mkdir proj && /usr/bin/python3 -m venv --without-pip proj/.venv || exit 4
for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
  printf '#!/bin/sh\necho tool%s\n' $n > proj/.venv/bin/tool$n && chmod 755 proj/.venv/bin/tool$n
done
fill . >/dev/null
cd proj
for round in $(seq 1 40); do
  "$VX" install >/dev/null 2>"$HOME/err"; rc=$?
  wrapped=$(find .venv/bin -lname "$VX" | wc -l)
  echo "round $round rc $rc wrapped $wrapped $(head -n1 "$HOME/err")"
  check_bin .venv
  [ $rc = 0 ] && break
  rm -f ../fill$((i-1)) ../fill$((i-2)) ../fill$((i-3)); i=$((i-3))
done
)sh";
  RunResult r = on_small_disk(p, "size=16m,nr_inodes=400", script);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(lines_with(r.out, "BAD "), std::vector<std::string>{}) << r.out;
  std::vector<std::string> rounds = lines_with(r.out, "round ");
  ASSERT_GE(rounds.size(), 2u) << r.out;
  EXPECT_NE(rounds.back().find(" rc 0 "), std::string::npos) << r.out;
  // The control: some install failed with ENOSPC after wrapping part of bin/.
  int partial = 0;
  for (const auto& line : rounds)
    if (line.find(" rc 125 ") != std::string::npos &&
        line.find(" wrapped 0 ") == std::string::npos &&
        line.find("No space left on device") != std::string::npos)
      ++partial;
  EXPECT_GE(partial, 1) << r.out;
}

TEST(Faults, PublishOnAFullDiskLeavesEveryEntrypointRunnable) {
  TempProject p = make_project(false);
  // The package's setup.py (pip runs it sandboxed) leaves a process that fills the disk once pip
  // has written the package's RECORD (a wheel) or installed-files.txt (a legacy install), its
  // last file: pip then exits 0 and the launcher's publish of bin/ meets ENOSPC. pip's pid
  // namespace ends with pip, and the filler with it. The venv uses the system's pip (no copy of
  // pip on the small disk).
  write_file(p.home + "/setup.py", R"(import subprocess, sys
from setuptools import setup
filler = """
import glob, os, sys, time
site = glob.glob(sys.prefix + "/lib/python3*/site-packages")[0]
for _ in range(60000):
    if glob.glob(site + "/vxfull-*.egg-info/installed-files.txt") or \\
            glob.glob(site + "/vxfull-*.dist-info/RECORD"):
        break
    time.sleep(0.001)
i = 0
try:
    while True:
        open(site + "/vxfill%d" % i, "w").close()
        i += 1
except OSError:
    pass
"""
if "install" in sys.argv or "bdist_wheel" in sys.argv:
    subprocess.Popen([sys.executable, "-c", filler], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
setup(name="vxfull", version="1.0", packages=["vxfull"],
      entry_points={"console_scripts": ["vxfull=vxfull:main"]})
)");
  std::string script = R"sh(
mkdir -p proj/pkg/vxfull && cd proj || exit 4
/usr/bin/python3 -m venv --without-pip --system-site-packages .venv || exit 4
cp "$HOME/setup.py" pkg/ && echo 'def main(): print("vxfull")' > pkg/vxfull/__init__.py
"$VX" install >/dev/null || exit 5
.venv/bin/python -m pip install -q --no-index --no-build-isolation --disable-pip-version-check ./pkg \
  >/dev/null 2>"$HOME/err"
echo "pip rc $?"
cat "$HOME/err"
check_bin .venv
rm -f .venv/lib/python3*/site-packages/vxfill*
echo "pip after: $(.venv/bin/python -m pip --version 2>&1 | cut -d' ' -f1)"
check_bin .venv
)sh";
  RunResult r = on_small_disk(p, "size=32m,nr_inodes=600", script);
  ASSERT_EQ(r.status, 0) << r.out << r.err;
  // The control: pip itself succeeded, the publish after it met the full disk.
  EXPECT_NE(r.out.find("pip rc 125\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("venv-exec: wrap " + p.home +
                       "/disk/proj/.venv/bin/vxfull: No space left "
                       "on device\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(lines_with(r.out, "BAD "), std::vector<std::string>{}) << r.out;
  EXPECT_NE(r.out.find("pip after: pip\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vx::test
