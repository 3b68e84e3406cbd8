// The C source of the probe explain_oracle_test.cc compiles with cc and runs inside the sandbox
// (a string: the test, run as uid 65534, cannot reach the source tree).
#pragma once

constexpr const char* kExplainProbeC = R"C(
// Built by explain_oracle_test.cc and run inside the sandbox: what a hostile program can see of
// the launcher while explain answers its calls. The launcher's read of /proc/PID/cmdline faults
// in the page of the program's argv, which the program first dropped (MADV_DONTNEED) and then
// asks mincore about: an action of the launcher the program can observe.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char** environ;
static char* page;  // the page of argv, alone there (see main)

static unsigned long stat_field(int n) {
  char buf[4096];
  int fd = open("/proc/self/stat", O_RDONLY);
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[r > 0 ? r : 0] = 0;
  char* p = strrchr(buf, ')') + 2;
  for (int f = 3; f < n; ++f) p = strchr(p, ' ') + 1;
  return strtoul(p, 0, 10);
}

static int resident(void) {
  unsigned char v = 0;
  mincore(page, 4096, &v);
  return v & 1;
}

// C:PORT connects to 127.0.0.1:PORT, L:TARGET stats a dangling link to TARGET, X makes a call
// the filter refuses (mbind), anything else is stat'ed.
static void lookup(const char* what) {
  struct stat st;
  if (!strncmp(what, "C:", 2)) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {AF_INET, htons(atoi(what + 2)), {htonl(0x7f000001)}, {0}};
    connect(s, (struct sockaddr*)&a, sizeof a);
    close(s);
  } else if (!strncmp(what, "L:", 2)) {
    symlink(what + 2, "probe-link");
    stat("probe-link", &st);
    unlink("probe-link");
  } else if (!strcmp(what, "X")) {
    syscall(SYS_mbind, 0, 0, 0, 0, 0, 0);
  } else {
    stat(what, &st);
  }
}

// 0: no call out; odd: trial N's call is out (2N+1); even and not 0: the watcher signals it.
// Each trial has its own value, so that a watcher that saw the page resident in one trial
// cannot signal the next one's call before the launcher has received it (an ABA race that
// made this probe report a rare EINTR of its own making).
static atomic_int armed;
static int main_tid, signalled;

static void on_alarm(int sig) { (void)sig; }

// As soon as the launcher reads the command line it has received the notification: a signal
// sent now reaches the call while it waits for the answer (or just after it).
static void* watcher(void* arg) {
  (void)arg;
  for (;;) {
    int trial;
    while (!((trial = atomic_load(&armed)) & 1)) {
    }
    while (atomic_load(&armed) == trial && !resident()) {
    }
    if (!atomic_compare_exchange_strong(&armed, &trial, trial + 1)) continue;
    syscall(SYS_tgkill, getpid(), main_tid, SIGALRM);
    ++signalled;
    atomic_store(&armed, 0);
  }
  return 0;
}

static int eintr(int trials) {
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;  // no SA_RESTART
  sigaction(SIGALRM, &sa, 0);
  main_tid = gettid();
  pthread_t t;
  pthread_create(&t, 0, watcher, 0);
  int interrupted = 0;
  for (int i = 0; i < trials; ++i) {
    char path[64];
    struct stat st;
    snprintf(path, sizeof path, "/absent-%d/x", i);
    madvise(page, 4096, MADV_DONTNEED);
    int trial = 2 * i + 1;
    atomic_store(&armed, trial);
    if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) != 0 && errno == EINTR) ++interrupted;
    if (!atomic_compare_exchange_strong(&armed, &trial, 0))
      while (atomic_load(&armed) != 0) {
      }
  }
  printf("trials=%d signalled=%s eintr=%d\n", trials, signalled > 0 ? "some" : "none", interrupted);
  return 0;
}

int main(int argc, char** argv) {
  unsigned long start = stat_field(48), end = stat_field(49);
  // Re-executed with a padding argument until argv starts a page of its own.
  if (start % 4096 != 0 || end - start < 9000) {
    if (argc < 3 || atoi(argv[2]) > 4) return fprintf(stderr, "cannot align argv\n"), 2;
    size_t n = strlen(argv[1]) + start % 4096 + (end - start < 9000 ? 8192 : 0);
    char* pad = malloc(n + 1);
    memset(pad, 'P', n);
    pad[n] = 0;
    char tries[16];
    snprintf(tries, sizeof tries, "%d", atoi(argv[2]) + 1);
    argv[1] = pad;
    argv[2] = tries;
    execve("/proc/self/exe", argv, environ);
    return perror("execve"), 2;
  }
  page = (char*)start;
  if (argc > 3 && !strcmp(argv[3], "eintr")) return eintr(atoi(argv[4]));
  for (int i = 3; i < argc; ++i) {
    madvise(page, 4096, MADV_DONTNEED);
    lookup(argv[i]);
    printf("%s read=%d\n", argv[i], resident());
  }
  return 0;
}
)C";
