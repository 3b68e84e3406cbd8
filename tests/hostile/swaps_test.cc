// A sandbox moves what lies on the way to a protected path (attack review, findings 1, 3 and 4):
// it renames the parent of a read-only entry and puts a fake in its place, or swaps a directory
// on the way to a bind source for one holding a link while pid 1 builds another sandbox. Each
// test shows the move works where nothing protects it (positive control), then that it fails
// where it matters.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/mount_ops.h"
#include "support.h"

namespace vx::test {
namespace {

bool make_dirs(const TempProject& p, const std::string& path) {
  return run({"/bin/mkdir", "-p", path}, base_env(p), p.root).status == 0;
}

// Found by attack review (finding 1): P/tools/.venv was read-only but P/tools was a plain
// directory of the read-write project; a run renamed it and planted tools/.venv/bin/python,
// which the user then ran on the host.
TEST(Swaps, ParentsOfAnotherRegisteredVenvCannotBeRenamed) {
  TempProject p = make_project(true);
  std::string tools = p.project + "/tools/sub/.venv";
  ASSERT_TRUE(make_dirs(p, p.project + "/tools/sub"));
  ASSERT_TRUE(make_dirs(p, p.project + "/plain/sub"));
  ASSERT_EQ(
      run({"/usr/bin/python3", "-m", "venv", "--without-pip", tools}, base_env(p), p.root).status,
      0);
  ASSERT_EQ(run_launcher(p, {"install", p.venv}).status, 0);
  ASSERT_EQ(run_launcher(p, {"install", tools}).status, 0);
  // Positive control: a directory of the project renames (and so did tools/ before the fix).
  std::string code =
      "attempt(lambda: os.rename('plain/sub', 'plain/sub.moved'))\n"
      "attempt(lambda: os.rename('plain', 'plain.moved'))\n"
      "attempt(lambda: os.rename('tools', 'tools.orig'))\n"
      "attempt(lambda: os.rename('tools/sub', 'tools/sub.orig'))\n"
      "attempt(lambda: os.rmdir('tools/sub'))\n"
      "attempt(lambda: open('tools/sub/notes.txt', 'w').write('x'))\n";
  RunResult r = sandbox_probe(p, code);
  EXPECT_EQ(r.out, "OK \nOK \nERR EBUSY\nERR EBUSY\nERR EBUSY\nOK 1\n") << r.err;
  EXPECT_TRUE(exists(tools + "/pyvenv.cfg"));
}

// Found by attack review (finding 4): the state directory inside the project was hidden, but a
// run renamed its parent, so the next launch found no state to hide and wrote stored options.
TEST(Swaps, ParentsOfTheStateDirectoryInTheProjectCannotBeRenamed) {
  TempProject p = make_project(true);
  std::vector<std::string> env = {"XDG_STATE_HOME=" + p.project + "/dot/state"};
  ASSERT_EQ(run_launcher(p, {"install", p.venv}, env).status, 0);
  std::string state = p.project + "/dot/state/venv-exec";
  ASSERT_TRUE(exists(state + "/registry"));
  ASSERT_TRUE(make_dirs(p, p.project + "/plain/state"));
  std::string code =
      "attempt(lambda: os.rename('plain', 'plain.moved'))\n"
      "attempt(lambda: os.rename('dot', 'dot.moved'))\n"
      "attempt(lambda: os.rename('dot/state', 'dot/state.moved'))\n"
      "attempt(lambda: os.listdir('" +
      state + "'))\n";
  RunResult r = sandbox_probe(p, code, {}, env);
  EXPECT_EQ(r.out, "OK \nERR EBUSY\nERR EBUSY\nOK []\n") << r.err;
  EXPECT_TRUE(exists(state + "/registry"));
}

// Found while fixing finding 4: the host followed a link inside the project to the state
// directory, and a sandbox of the project can point such a link at a state of its own.
TEST(Swaps, AStateDirectoryReachedThroughALinkInTheProjectIsRefused) {
  TempProject p = make_project(true);
  ASSERT_TRUE(make_dirs(p, p.project + "/real"));
  ASSERT_EQ(symlink("real", (p.project + "/.state").c_str()), 0);
  std::vector<std::string> env = {"XDG_STATE_HOME=" + p.project + "/.state"};
  ASSERT_EQ(run_launcher(p, {"install", p.venv}, env).status, 0);
  // What a sandbox could do: a copy of the state whose stored options bind the key, and the
  // link pointed at it.
  RunResult forge =
      run({"/bin/sh", "-c",
           "cp -a real forged && printf -- '--ro-bind\n" + p.home + "/.ssh\n" + p.home +
               "/.ssh\n' > \"$(echo forged/venv-exec/venvs/*)/options\" && rm .state && "
               "ln -s forged .state"},
          base_env(p), p.project);
  ASSERT_EQ(forge.status, 0) << forge.err;
  std::string code = "attempt(lambda: open('" + p.secret_path + "').read().strip())\n";
  // Positive control: trusted, the forged state exposes the key.
  RunResult trusted = sandbox_probe(p, code, {}, {"XDG_STATE_HOME=" + p.project + "/forged"});
  EXPECT_EQ(trusted.out, "OK " + p.secret + "\n") << trusted.err;
  RunResult r = sandbox_probe(p, code, {}, env);
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(
      r.err.find(p.project + "/.state on the way to it is a symbolic link inside the project"),
      std::string::npos)
      << r.err;
}

// In a new user and mount namespace (as pid 1 clones its binds): 0 when `fn` returned true, 2
// when the namespaces cannot be made here, else 1.
template <class Fn>
int in_mount_namespace(Fn fn) {
  pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) _exit(2);
    _exit(fn() ? 0 : 1);
  }
  return wait_status(pid);
}

// Found by attack review (finding 3): pid 1 cloned a bind source by path, refusing a link only
// as its last component, so a concurrent sandbox that swapped a directory on the way for one
// holding a link redirected the bind (2 hits in 1000 launches). The swap is made here before
// the clone, where the race would have to land.
TEST(Swaps, ABindSourceWithALinkOnTheWayIsRefused) {
  TempProject p = make_project(true);
  std::string real = p.project + "/tools";
  ASSERT_TRUE(make_dirs(p, real + "/.venv/home"));
  ASSERT_TRUE(make_dirs(p, p.project + "/fake"));
  // fake/.venv leads to the host home, which the sandbox must not get at $HOME.
  ASSERT_EQ(symlink(p.home.c_str(), (p.project + "/fake/.venv").c_str()), 0);
  std::string via_link = p.project + "/fake/.venv/.ssh";
  int rc = in_mount_namespace([&] {
    bool no_attr = false;
    // Positive controls: the canonical source clones; the same path the old code cloned by
    // path leads through the link to the host's key directory.
    auto ok = clone_tree(real + "/.venv/home", 0, no_attr, "clone");
    int old_way =
        open_tree(AT_FDCWD, via_link.c_str(),
                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
    struct stat st;
    if (!ok || old_way < 0 || fstat(old_way, &st) != 0 || !S_ISDIR(st.st_mode)) return false;
    close(old_way);
    auto refused = clone_tree(via_link, kReadOnly, no_attr, "clone");
    // The same through a kept source directory (pid 1's binds): its parent is opened as
    // carefully, and a link as the last component is cloned as itself, for apply_bind to refuse.
    SourceDir dir;
    auto ok_kept = clone_tree(real + "/.venv/home", 0, no_attr, "clone", &dir);
    auto refused_kept = clone_tree(via_link, kReadOnly, no_attr, "clone", &dir);
    auto leaf_link = clone_tree(p.project + "/fake/.venv", 0, no_attr, "clone", &dir);
    if (!ok_kept || !leaf_link || fstat(leaf_link->get(), &st) != 0 || !S_ISLNK(st.st_mode))
      return false;
    return !refused && refused.error().sys_errno == ELOOP && !refused_kept &&
           refused_kept.error().sys_errno == ELOOP;
  });
  if (rc == 2) {
    if (must_work()) FAIL() << "no user namespace";
    GTEST_SKIP() << "unshare(CLONE_NEWUSER|CLONE_NEWNS) is refused here";
  }
  EXPECT_EQ(rc, 0);
}

// Found by attack review (finding 10): pid 1 bound the link socket by path while the host's root
// was still attached at /oldroot; with a user bind at /run of a directory another sandbox can
// change, swapping /run/venv-exec for a link put the socket file in a host directory. The swap
// is made here after the directory was opened, where the race would have to land.
TEST(Swaps, TheLinkSocketIsBoundInTheDirectoryOpenedNotWhereAPathLeads) {
  TempProject p = make_project(true);
  std::string dir = p.project + "/run/venv-exec", elsewhere = p.project + "/host-dir";
  ASSERT_TRUE(make_dirs(p, dir));
  ASSERT_TRUE(make_dirs(p, elsewhere));
  UniqueFd opened(open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(opened);
  ASSERT_EQ(rename(dir.c_str(), (dir + ".opened").c_str()), 0);
  ASSERT_EQ(symlink(elsewhere.c_str(), dir.c_str()), 0);
  // Positive control: by path, the socket lands where the link leads.
  UniqueFd by_path(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = dir + "/control.sock";
  ASSERT_LT(path.size(), sizeof addr.sun_path);
  path.copy(addr.sun_path, path.size());
  ASSERT_EQ(bind(by_path.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_TRUE(exists(elsewhere + "/control.sock"));
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto bound = bind_socket_at(sock.get(), opened.get(), "links.sock", dir + "/links.sock");
  ASSERT_TRUE(bound) << bound.error().why;
  EXPECT_TRUE(exists(dir + ".opened/links.sock"));
  EXPECT_FALSE(exists(elsewhere + "/links.sock"));
}

}  // namespace
}  // namespace vx::test
