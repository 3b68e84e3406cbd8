// view-floor: the least work a launcher can do to build SPEC §3's `standard` view, as a second
// yardstick beside ../shared/bench/floor-exec.c (which builds a simpler view: /usr, all of /etc,
// the project). The benchmark times both with venv-exec in one interleaved run, so the overhead
// splits in two: what the view SPEC §3 asks for costs above floor-exec's, and what venv-exec
// costs above the least work for that same view (planning, checks, safety).
//
//   view-floor PROJECT VENV HOME SELF CMD [ARG...]
//
// The same namespaces and steps as floor-exec, then what venv-exec adds for a venv with no
// .git, .env or other protected entry: /usr in one bind and the merged-usr links; /proc; a /dev
// tmpfs with six device binds, a private devpts, a /dev/shm tmpfs and the fd links; a /tmp
// tmpfs; /etc a directory of the root tmpfs holding copies of the small files (ld.so.cache
// among them), passwd/group/pip.conf written, the os-release and localtime links, and binds of
// /etc/alternatives and /etc/ssl; SELF (the launcher binary) bound at its path and over
// /usr/bin/xdg-open when that exists; /run/user/UID a tmpfs; VENV/home at HOME,
// VENV/cache at HOME/.cache, the project read-write, the venv read-only, VENV/venv-exec/real
// over VENV/bin; pivot_root; everything read-only and nosuid in one call but the six writable
// mounts; the program: no_new_privs, every capability out of the bounding set, a Landlock
// ruleset of the view's eight directories, a 250-rule tree filter; exec.
//
// Only the least work: no checks, no links refused, no error reporting beyond a line. It is not
// a sandbox to use; it exists only to be timed. Build: cc -O2 -o view-floor view-floor.c
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char **prog;
static const char *project, *venv, *home, *self;
static char uidstr[16];
static uid_t ouid;
static gid_t ogid;

static void die(const char *what) {
  fprintf(stderr, "view-floor: %s: %s\n", what, strerror(errno));
  _exit(125);
}
static void wfile(const char *p, const char *s) {
  int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0 || write(fd, s, strlen(s)) < 0) die(p);
  close(fd);
}
static void mkparents(const char *path) {
  char t[4096];
  snprintf(t, sizeof t, "%s", path);
  for (char *s = t + 1; *s; s++)
    if (*s == '/') { *s = 0; mkdir(t, 0755); *s = '/'; }
}
// dst is relative to the new root (the working directory while it is built).
static void bind(const char *src, const char *dst, int dir) {
  mkparents(dst);
  if (dir) mkdir(dst, 0755);
  else close(open(dst, O_CREAT | O_WRONLY, 0644));
  if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL)) die(dst);
}
static void tmpfs(const char *dst, const char *mode) {
  mkparents(dst);
  mkdir(dst, 0755);
  if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NODEV, mode)) die(dst);
}
static void copy(const char *name) {
  char src[64], dst[64];
  snprintf(src, sizeof src, "/etc/%s", name);
  snprintf(dst, sizeof dst, "etc/%s", name);
  int in = open(src, O_RDONLY | O_CLOEXEC);
  if (in < 0) return;
  struct stat st;
  int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fstat(in, &st) || out < 0 || sendfile(out, in, NULL, (size_t)st.st_size) < 0) die(dst);
  close(out);
  close(in);
}
static char *at(const char *a, const char *b) {  // "." a b: a host path inside the new root
  char *s;
  if (asprintf(&s, ".%s%s", a, b) < 0) die("asprintf");
  return s;
}
static char *join(const char *a, const char *b) {
  char *s;
  if (asprintf(&s, "%s%s", a, b) < 0) die("asprintf");
  return s;
}

struct attr { unsigned long long set, clr, prop, userns; };
static void setattr(const char *path, int flags, unsigned long long set, unsigned long long clr) {
  struct attr a = {set, clr, 0, 0};
  if (syscall(SYS_mount_setattr, AT_FDCWD, path, flags, &a, sizeof a)) die(path);
}

static struct sock_filter F[1024];
static int fi;
static void emit(struct sock_filter x) { F[fi++] = x; }
static void tree(int lo, int hi) {  // syscalls lo..hi-1 as a balanced search; every leaf allows
  if (hi - lo <= 4) {
    for (int s = lo; s < hi; s++)
      emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, s, 0, 1)),
          emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
    return;
  }
  int mid = (lo + hi) / 2, here = fi;
  emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, mid, 0, 0));
  tree(lo, mid);
  F[here].jt = (unsigned char)(fi - here - 1);
  tree(mid, hi);
}

static void landlock(void) {
  int abi = (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 1) return;  // no Landlock: venv-exec goes on without it too
  unsigned long long all = (1ULL << (abi >= 5 ? 16 : abi >= 3 ? 15 : abi >= 2 ? 14 : 13)) - 1;
  struct { unsigned long long fs, net, scoped; } rs = {all, 0, abi >= 6 ? 3 : 0};
  int rfd = (int)syscall(SYS_landlock_create_ruleset, &rs, abi >= 6 ? 24 : 8, 0);
  if (rfd < 0) die("landlock ruleset");
  unsigned long long ro = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE |
                          LANDLOCK_ACCESS_FS_READ_DIR;
  char run[64];
  snprintf(run, sizeof run, "/run/user/%s", uidstr);
  const char *rw[] = {"/dev", "/dev/shm", "/tmp", run, home, project, join(home, "/.cache")};
  struct landlock_path_beneath_attr rule;
  for (int i = -1; i < 7; i++) {
    rule.allowed_access = i < 0 ? ro : all;
    rule.parent_fd = open(i < 0 ? "/" : rw[i], O_PATH | O_CLOEXEC | O_DIRECTORY);
    if (rule.parent_fd < 0 || syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
                                      &rule, 0))
      die("landlock rule");
    close(rule.parent_fd);
  }
  if (syscall(SYS_landlock_restrict_self, rfd, 0)) die("landlock");
  close(rfd);
}

static void program(void) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) die("no_new_privs");
  for (int c = 0; prctl(PR_CAPBSET_DROP, c, 0, 0, 0) == 0; c++) {}  // EINVAL past the last
  struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct d[2] = {{0, 0, 0}, {0, 0, 0}};
  if (syscall(SYS_capset, &h, d)) die("capset");
  landlock();
  emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)));
  emit((struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  emit((struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  emit((struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)));
  tree(0, 250);
  struct sock_fprog p = {.len = (unsigned short)fi, .filter = F};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &p)) die("seccomp");
  execvp(prog[0], prog);
  _exit(errno == ENOENT ? 127 : 126);
}

static void build_etc(void) {
  mkdir("etc", 0755);
  const char *copied[] = {"hosts", "resolv.conf", "ld.so.cache", "nsswitch.conf", "services",
                          "protocols", "host.conf", "gai.conf"};
  for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) copy(copied[i]);
  if (symlink("../usr/lib/os-release", "etc/os-release") ||
      symlink("/usr/share/zoneinfo/Etc/UTC", "etc/localtime"))
    die("etc links");
  char acct[256];
  snprintf(acct, sizeof acct, "root:x:0:0:root:/root:/bin/bash\nuser:x:%d:%d::%s:/bin/sh\n",
           ouid, ogid, home);
  wfile("etc/passwd", acct);
  snprintf(acct, sizeof acct, "root:x:0:\nuser:x:%d:\n", ogid);
  wfile("etc/group", acct);
  wfile("etc/pip.conf", "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n");
  bind("/etc/alternatives", "etc/alternatives", 1);
  bind("/etc/ssl", "etc/ssl", 1);
}

static int pid1(void) {
  char buf[64];
  wfile("/proc/self/setgroups", "deny");
  snprintf(buf, sizeof buf, "%d %d 1", ouid, ouid);
  wfile("/proc/self/uid_map", buf);
  snprintf(buf, sizeof buf, "%d %d 1", ogid, ogid);
  wfile("/proc/self/gid_map", buf);
  if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL)) die("private");
  const char *r = "/tmp/.view-floor-root";  // any directory works as a mount point
  mkdir(r, 0755);
  if (mount("tmpfs", r, "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755")) die("tmpfs");
  if (chdir(r)) die("chdir root");
  bind("/usr", "usr", 1);
  const char *links[] = {"bin", "sbin", "lib", "lib32", "lib64"};
  for (int i = 0; i < 5; i++) {
    char t[32];
    snprintf(t, sizeof t, "usr/%s", links[i]);
    if (symlink(t, links[i])) die("links");
  }
  mkdir("proc", 0755);
  if (mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) die("proc");
  mkdir("dev", 0755);
  if (mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755")) die("dev");
  const char *devs[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (int i = 0; i < 6; i++) {
    char s[32], d[32];
    snprintf(s, sizeof s, "/dev/%s", devs[i]);
    snprintf(d, sizeof d, "dev/%s", devs[i]);
    bind(s, d, 0);
  }
  mkdir("dev/pts", 0755);
  if (mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620"))
    die("devpts");
  tmpfs("dev/shm", "mode=1777");
  if (symlink("pts/ptmx", "dev/ptmx") || symlink("/proc/self/fd", "dev/fd") ||
      symlink("/proc/self/fd/0", "dev/stdin") || symlink("/proc/self/fd/1", "dev/stdout") ||
      symlink("/proc/self/fd/2", "dev/stderr"))
    die("dev links");
  tmpfs("tmp", "mode=1777");
  build_etc();
  bind(self, at(self, ""), 0);
  if (access("/usr/bin/xdg-open", F_OK) == 0) bind(self, "usr/bin/xdg-open", 0);
  char run[64];
  snprintf(run, sizeof run, "run/user/%s", uidstr);
  tmpfs(run, "mode=0700");
  bind(join(venv, "/home"), at(home, ""), 1);
  bind(project, at(project, ""), 1);
  bind(join(venv, "/cache"), at(home, "/.cache"), 1);
  bind(venv, at(venv, ""), 1);
  bind(join(venv, "/venv-exec/real"), at(venv, "/bin"), 1);
  if (syscall(SYS_pivot_root, ".", ".") || umount2(".", MNT_DETACH) || chdir("/")) die("pivot_root");
  setattr("/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0);
  const char *writable[] = {"/dev/shm", "/tmp", join("/", run), home, project,
                            join(home, "/.cache")};
  for (int i = 0; i < 6; i++) setattr(writable[i], 0, 0, MOUNT_ATTR_RDONLY);
  if (chdir(project)) die("chdir");
  pid_t p = vfork();
  if (p < 0) die("vfork");
  if (p == 0) program();
  int st;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  _exit(WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: view-floor PROJECT VENV HOME SELF CMD [ARG...]\n");
    return 2;
  }
  project = argv[1], venv = argv[2], home = argv[3], self = argv[4], prog = argv + 5;
  ouid = getuid();
  ogid = getgid();
  snprintf(uidstr, sizeof uidstr, "%d", ouid);
  // A raw clone without a new stack behaves as fork(), as venv-exec's does.
  int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
              CLONE_NEWCGROUP | SIGCHLD;
  long p = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
  if (p < 0) die("clone");
  if (p == 0) pid1();
  int st;
  while (waitpid((pid_t)p, &st, 0) < 0 && errno == EINTR) {}
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
