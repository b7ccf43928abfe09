/* Process calls answer for answer against Linux (test_process_conformance.py): fork, vfork and
 * clone/clone3 (flag errnos, SETTID/CLEARTID, CLONE_VFORK), wait4/waitid, execve/execveat (errnos,
 * "#!" scripts, what survives an exec, auxv), identity (sessions, groups, set*id, prctl), rlimits
 * and rusage. Everything that changes the probe's identity or limits happens in a child it forked,
 * and only its own children are signalled (the oracle runs on the test host).
 *
 * Modes: `procconf DIR` runs the sweep with scratch files in DIR. An exec'd copy started with
 * argv[1] beginning with '-' (or a "#!" script naming the probe) reports what it inherited; one
 * started with an empty argv reports its argc. Paths are printed with the probe's own path as
 * PROBE and DIR as DIR, so both kernels print the same text. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <grp.h>
#include <linux/futex.h>
#include <unistd.h>
#include "probe_print.h"

static char self[512], dir[512];

/* s with the probe's path as PROBE and the scratch directory as DIR. */
static const char *shown(const char *s)
{
    static char out[2][1024];
    static int which;
    char *o = out[which ^= 1];
    size_t n = 0, ls = strlen(self), ld = strlen(dir);
    while (*s && n < sizeof(out[0]) - 8) {
        if (ls && !strncmp(s, self, ls)) { memcpy(o + n, "PROBE", 5); n += 5; s += ls; }
        else if (ld && !strncmp(s, dir, ld)) { memcpy(o + n, "DIR", 3); n += 3; s += ld; }
        else o[n++] = *s++;
    }
    o[n] = 0;
    return o;
}

static const char *status_text(int st)
{
    static char b[64];
    if (WIFEXITED(st)) snprintf(b, sizeof b, "exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) snprintf(b, sizeof b, "killed by %d", WTERMSIG(st));
    else if (WIFSTOPPED(st)) snprintf(b, sizeof b, "stopped by %d", WSTOPSIG(st));
    else if (WIFCONTINUED(st)) snprintf(b, sizeof b, "continued");
    else snprintf(b, sizeof b, "status %#x", st);
    return b;
}

/* Wait for pid and print how it ended. */
static void reap(const char *what, pid_t pid)
{
    int st = 0;
    pid_t got = waitpid(pid, &st, __WALL);
    say("   %s: %s\n", what, got == pid ? status_text(st) : strerrorname_np(errno));
}

static char *path(const char *name)
{
    static char b[4][600];
    static int which;
    char *o = b[which = (which + 1) % 4];
    snprintf(o, sizeof b[0], "%s/%s", dir, name);
    return o;
}

static void write_file(const char *name, const char *text, mode_t mode)
{
    int fd = open(path(name), O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0 || write(fd, text, strlen(text)) < 0) { perror(name); exit(2); }
    fchmod(fd, mode);
    close(fd);
}

static long raw_clone(unsigned long flags)
{
#if defined(__x86_64__)
    return syscall(SYS_clone, flags, 0, 0, 0, 0);   /* flags, stack, ptid, ctid, tls */
#else
    return syscall(SYS_clone, flags, 0, 0, 0, 0);   /* flags, stack, ptid, tls, ctid */
#endif
}

/* A clone that should fail: printed; had it succeeded the child leaves at once. */
static void clone_err(const char *what, unsigned long flags)
{
    long ret = raw_clone(flags);
    if (ret == 0) _exit(0);
    if (ret > 0) { r(what, 1); waitpid(ret, NULL, __WALL); return; }
    r(what, ret);
}

static long clone3_sized(struct clone_args *a, size_t size)
{
    long ret = syscall(SYS_clone3, a, size);
    if (ret == 0) _exit(0);
    if (ret > 0) { waitpid(ret, NULL, __WALL); return 1; }
    return ret;
}

static volatile int shared_word;
static pid_t ptid_word, ctid_word;

static int thread_fn(void *arg)
{
    shared_word = 42;
    return 0;
}

static int exit_group_fn(void *arg)
{
    syscall(SYS_exit_group, 9);
    return 0;
}

static int vfork_fn(void *arg)
{
    usleep(50000);
    shared_word = 7;
    return 0;
}

static void forks(void)
{
    say("1. fork, vfork, clone\n");
    pid_t me = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(getppid() == me ? 10 : 11);
    say("   fork returns a pid: %s\n", pid > 0 ? "yes" : "no");
    reap("the child, told its parent's pid is getpid (10)", pid);

    shared_word = 0;
    pid = vfork();
    if (pid == 0) { usleep(50000); shared_word = 1; _exit(3); }
    say("   vfork's parent resumed after the child's exit, sharing its memory: %d\n", shared_word);
    reap("the vfork child", pid);

    clone_err("CLONE_SIGHAND without CLONE_VM", CLONE_SIGHAND | SIGCHLD);
    clone_err("CLONE_THREAD without CLONE_SIGHAND", CLONE_THREAD | CLONE_VM | SIGCHLD);
    clone_err("CLONE_NEWNS|CLONE_FS", CLONE_NEWNS | CLONE_FS | SIGCHLD);
    clone_err("CLONE_NEWUSER|CLONE_FS", CLONE_NEWUSER | CLONE_FS | SIGCHLD);
    clone_err("CLONE_PIDFD|CLONE_DETACHED", CLONE_PIDFD | CLONE_DETACHED | SIGCHLD);

    struct clone_args a;
    unsigned char big[4096 + 64];
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    r("clone3 of size 0", clone3_sized(&a, 0));
    r("clone3 of size 63", clone3_sized(&a, 63));
    r("clone3 of size 64 (VER0)", clone3_sized(&a, 64));
    r("clone3 of its own size", clone3_sized(&a, sizeof a));
    memset(big, 0, sizeof big);
    memcpy(big, &a, sizeof a);
    r("clone3 larger, zero tail", clone3_sized((struct clone_args *)big, 200));
    big[150] = 1;
    r("clone3 larger, nonzero tail", clone3_sized((struct clone_args *)big, 200));
    big[150] = 0;
    r("clone3 larger than a page", clone3_sized((struct clone_args *)big, 4096 + 8));
    r("clone3 NULL args", clone3_sized(NULL, 64));
    a.exit_signal = 65;
    r("clone3 exit_signal 65", clone3_sized(&a, sizeof a));
    a.exit_signal = SIGCHLD;
    a.flags = SIGCHLD;
    r("clone3 CSIGNAL bits in flags", clone3_sized(&a, sizeof a));
    a.flags = CLONE_THREAD;
    r("clone3 CLONE_THREAD alone", clone3_sized(&a, sizeof a));
    a.flags = 0;
    a.stack = 0;
    a.stack_size = 4096;
    r("clone3 stack_size without stack", clone3_sized(&a, sizeof a));
    a.stack_size = 0;
    a.flags = 1ULL << 40;
    r("clone3 an unknown flag", clone3_sized(&a, sizeof a));

    /* A thread with CLONE_PARENT_SETTID and CLONE_CHILD_CLEARTID: its tid lands in ptid, and its
     * exit clears ctid and wakes a futex waiter there. */
    char *stack = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    shared_word = 0;
    ctid_word = -1;
    int tid = clone(thread_fn, stack + (1 << 16),
                    CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
                    CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID, NULL, &ptid_word, NULL,
                    &ctid_word);
    int waits = 0;
    while (ctid_word != 0 && waits < 100) {
        pid_t v = ctid_word;
        struct timespec ts = { 0, 50000000 };
        if (v) syscall(SYS_futex, &ctid_word, FUTEX_WAIT, v, &ts, NULL, 0);
        waits++;
    }
    say("   thread: ptid is its tid %s, ctid cleared %s, it ran %d\n", ptid_word == tid ? "yes" : "no",
        ctid_word == 0 ? "yes" : "no", shared_word);

    shared_word = 0;
    pid = clone(vfork_fn, stack + (1 << 16), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    say("   CLONE_VFORK: the parent resumed after the child, which wrote %d\n", shared_word);
    reap("the CLONE_VFORK child", pid);
    munmap(stack, 1 << 16);
}

static pid_t child_pausing(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) { alarm(10); for (;;) pause(); }
    return pid;
}

/* A second thread's child (__WNOTHREAD): made by the thread, which then waits until told
 * (thread_order 1) to reap it itself, or (2) to leave without. */
static volatile pid_t thread_child;
static volatile int thread_order;

static void *forking_thread(void *arg)
{
    thread_child = child_pausing();
    for (int i = 0; !thread_order && i < 5000; i++) usleep(1000);
    if (thread_order == 1) {
        kill(thread_child, SIGKILL);
        int st;
        r("the thread's wait4 __WNOTHREAD of its child", wait4(thread_child, &st, __WNOTHREAD, NULL) == thread_child);
    }
    return NULL;
}

static void wait_nothread(void)
{
    pthread_t t;
    int st;
    thread_child = 0;
    thread_order = 0;
    pthread_create(&t, NULL, forking_thread, NULL);
    while (!thread_child) usleep(1000);
    r("wait4 __WNOTHREAD of another thread's child", wait4(thread_child, &st, __WNOTHREAD | WNOHANG, NULL));
    r("wait4 of another thread's child", wait4(thread_child, &st, WNOHANG, NULL));
    thread_order = 1;
    pthread_join(t, NULL);
    thread_child = 0;
    thread_order = 0;
    pthread_create(&t, NULL, forking_thread, NULL);
    while (!thread_child) usleep(1000);
    thread_order = 2;
    pthread_join(t, NULL);             /* its child is the main thread's now */
    r("wait4 __WNOTHREAD of a gone thread's child", wait4(thread_child, &st, __WNOTHREAD | WNOHANG, NULL));
    kill(thread_child, SIGKILL);
    r("waitid __WNOTHREAD of it", waitid(P_PID, thread_child, &(siginfo_t){ 0 }, WEXITED | __WNOTHREAD) == 0);
}

/* A pidfd names its process, not the number: once that one is reaped, a new process given the
 * same pid (clone3's set_tid) is not it. */
static void pidfd_of_a_reused_pid(void)
{
    pid_t old = child_pausing();
    int pfd = syscall(SYS_pidfd_open, old, 0);
    kill(old, SIGKILL);
    waitpid(old, NULL, 0);
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.exit_signal = SIGCHLD;
    a.set_tid = (uintptr_t)&old;
    a.set_tid_size = 1;
    fflush(stdout);
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid == 0) { alarm(10); for (;;) pause(); }
    r("clone3 set_tid of the reaped child's pid", pid == old);
    r("pidfd_send_signal 0 through the old pidfd", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0));
    struct pollfd pf = { pfd, POLLIN, 0 };
    r("poll of the old pidfd", poll(&pf, 1, 0));
    say("   revents %#x\n", pf.revents);
    siginfo_t si;
    r("waitid P_PIDFD WNOHANG through it", waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG));
    r("pidfd_getfd through it", syscall(SYS_pidfd_getfd, pfd, 0, 0));
    close(pfd);
    pid_t mine = getpid();
    a.set_tid = (uintptr_t)&mine;
    r("clone3 set_tid of a pid in use", syscall(SYS_clone3, &a, sizeof a));
    pid_t zero = 0;
    a.set_tid = (uintptr_t)&zero;
    r("clone3 set_tid 0", syscall(SYS_clone3, &a, sizeof a));
    a.set_tid = 0;
    r("clone3 set_tid_size without set_tid", syscall(SYS_clone3, &a, sizeof a));
    a.set_tid = (uintptr_t)&mine;
    a.set_tid_size = 0;
    r("clone3 set_tid without set_tid_size", syscall(SYS_clone3, &a, sizeof a));
    a.set_tid_size = 33;
    r("clone3 set_tid_size 33", syscall(SYS_clone3, &a, sizeof a));
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
}

static void waits(void)
{
    say("2. wait4 and waitid\n");
    int st;
    siginfo_t si;
    r("wait4 with no children", wait4(-1, &st, 0, NULL));
    memset(&si, 0, sizeof si);
    r("waitid P_ALL with no children", waitid(P_ALL, 0, &si, WEXITED));
    r("wait4 of itself", wait4(getpid(), &st, 0, NULL));

    pid_t pid = child_pausing();
    r("wait4 WNOHANG, a running child", wait4(pid, &st, WNOHANG, NULL));
    memset(&si, 0x55, sizeof si);
    r("waitid WNOHANG, a running child", waitid(P_PID, pid, &si, WEXITED | WNOHANG));
    say("   its si_pid %d si_signo %d\n", si.si_pid, si.si_signo);
    r("waitid without WEXITED/WSTOPPED/WCONTINUED", waitid(P_PID, pid, &si, WNOHANG));
    r("waitid idtype 9", waitid(9, pid, &si, WEXITED | WNOHANG));
    r("waitid unknown option bit", waitid(P_PID, pid, &si, WEXITED | WNOHANG | 0x100));
    r("wait4 unknown option bit", wait4(pid, &st, WNOHANG | 0x100, NULL));
    r("waitid P_PID of pid 0", waitid(P_PID, 0, &si, WEXITED | WNOHANG));

    kill(pid, SIGSTOP);
    st = 0;
    r("wait4 WUNTRACED after SIGSTOP", wait4(pid, &st, WUNTRACED, NULL) == pid);
    say("   %s\n", status_text(st));
    r("wait4 WUNTRACED|WNOHANG again", wait4(pid, &st, WUNTRACED | WNOHANG, NULL));
    kill(pid, SIGCONT);
    st = 0;
    r("wait4 WCONTINUED after SIGCONT", wait4(pid, &st, WCONTINUED, NULL) == pid);
    say("   %s\n", status_text(st));
    kill(pid, SIGSTOP);
    memset(&si, 0, sizeof si);
    r("waitid WSTOPPED", waitid(P_PID, pid, &si, WSTOPPED) == 0 && si.si_pid == pid);
    say("   si_code %d si_status %d\n", si.si_code, si.si_status);
    kill(pid, SIGCONT);
    memset(&si, 0, sizeof si);
    r("waitid WCONTINUED", waitid(P_PID, pid, &si, WCONTINUED) == 0 && si.si_pid == pid);
    say("   si_code %d si_status %d\n", si.si_code, si.si_status);
    kill(pid, SIGTERM);
    memset(&si, 0, sizeof si);
    r("waitid WEXITED|WNOWAIT", waitid(P_PID, pid, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == pid);
    say("   si_code %d si_status %d\n", si.si_code, si.si_status);
    char name[64], buf[256] = "";
    snprintf(name, sizeof name, "/proc/%d/stat", pid);
    int fd = open(name, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
    char *rp = n > 0 ? strrchr(buf, ')') : NULL;
    say("   the zombie's /proc stat state: %c\n", rp ? rp[2] : '?');
    if (fd >= 0) close(fd);
    st = 0;
    r("wait4 reaps it after WNOWAIT", wait4(pid, &st, 0, NULL) == pid);
    say("   %s\n", status_text(st));

    const int codes[] = { 0, 1, 255, 256, 257 + 6, -1 };
    for (unsigned i = 0; i < sizeof codes / sizeof *codes; i++) {
        fflush(stdout);
        pid = fork();
        if (pid == 0) _exit(codes[i]);
        memset(&si, 0, sizeof si);
        waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
        say("   _exit(%d): waitid si_status %d, ", codes[i], si.si_status);
        waitpid(pid, &st, 0);
        say("wait4 %s\n", status_text(st));
    }

    /* A child whose exit signal is not SIGCHLD is a "clone" child: only __WCLONE/__WALL see it. */
    fflush(stdout);
    pid = raw_clone(0);
    if (pid == 0) _exit(4);
    usleep(20000);
    r("wait4 of a clone child without __WCLONE", wait4(pid, &st, WNOHANG, NULL));
    r("wait4 of it with __WCLONE", wait4(pid, &st, __WCLONE, NULL) == pid);
    say("   %s\n", status_text(st));
    pid = child_pausing();
    r("wait4 __WCLONE of a SIGCHLD child", wait4(pid, &st, __WCLONE | WNOHANG, NULL));
    kill(pid, SIGKILL);
    r("wait4 __WALL of it", wait4(pid, &st, __WALL, NULL) == pid);
    say("   %s\n", status_text(st));
    wait_nothread();

    /* exit_group from a second thread ends the whole process with its status. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        static char stk[16384];
        clone(exit_group_fn, stk + sizeof stk, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD, NULL);
        sleep(5);
        _exit(1);
    }
    reap("exit_group(9) from a second thread", pid);

    /* waitid by process group and by pidfd. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) { setpgid(0, 0); usleep(50000); _exit(5); }
    setpgid(pid, pid);
    memset(&si, 0, sizeof si);
    r("waitid P_PGID", waitid(P_PGID, pid, &si, WEXITED) == 0 && si.si_pid == pid);
    say("   si_status %d\n", si.si_status);
    r("waitid P_PGID of a group with no children", waitid(P_PGID, pid, &si, WEXITED));
    pid = child_pausing();
    int pfd = syscall(SYS_pidfd_open, pid, 0);
    kill(pid, SIGKILL);
    memset(&si, 0, sizeof si);
    r("waitid P_PIDFD", waitid(P_PIDFD, pfd, &si, WEXITED) == 0 && si.si_pid == pid);
    say("   si_code %d si_status %d\n", si.si_code, si.si_status);
    r("waitid P_PIDFD again", waitid(P_PIDFD, pfd, &si, WEXITED));
    close(pfd);
    r("waitid P_PIDFD of a closed fd", waitid(P_PIDFD, pfd, &si, WEXITED));
    pidfd_of_a_reused_pid();

    /* The children's rusage: a reaped child's maximum resident size counts. */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        char *m = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        memset(m, 1, 4 << 20);
        _exit(0);
    }
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    r("wait4 with rusage", wait4(pid, &st, 0, &ru) == pid);
    say("   its ru_maxrss >= 4 MiB: %s\n", ru.ru_maxrss >= 4096 ? "yes" : "no");
    getrusage(RUSAGE_CHILDREN, &ru);
    say("   RUSAGE_CHILDREN ru_maxrss >= 4 MiB: %s\n", ru.ru_maxrss >= 4096 ? "yes" : "no");
}

static long page;   /* sysconf(_SC_PAGESIZE): the probe assumes no page size */

/* VmSize from /proc/self/status in bytes, read without stdio (which may allocate). */
static long vm_size(void)
{
    static char b[8192];
    int fd = open("/proc/self/status", O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b - 1) : -1;
    if (fd >= 0) close(fd);
    b[n > 0 ? n : 0] = 0;
    char *v = strstr(b, "VmSize:");
    return v ? atol(v + 7) * 1024 : -1;
}

/* The [stack] mapping's bounds, from /proc/self/maps (its buffer is static: reading it does
 * not grow the stack it measures). */
static void stack_bounds(unsigned long *lo, unsigned long *hi)
{
    static char b[65536];
    size_t got = 0;
    ssize_t n;
    int fd = open("/proc/self/maps", O_RDONLY);
    while (fd >= 0 && got < sizeof b - 1 && (n = read(fd, b + got, sizeof b - 1 - got)) > 0)
        got += n;
    if (fd >= 0) close(fd);
    b[got] = 0;
    *lo = *hi = 0;
    char *line = strstr(b, "[stack]");
    while (line && line > b && line[-1] != '\n') line--;
    if (line) sscanf(line, "%lx-%lx", lo, hi);
}

/* A child that touches the byte at `at` below its stack after setting one limit: how it ended. */
static void touch_below_stack(const char *what, int resource, long extra, long below)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        unsigned long lo, hi;
        stack_bounds(&lo, &hi);
        struct rlimit rl = { resource == RLIMIT_AS ? vm_size() + extra : (long)(hi - lo) + extra, RLIM_INFINITY };
        setrlimit(resource, &rl);
        *(volatile char *)(lo - below) = 1;
        _exit(0);
    }
    reap(what, pid);
}

/* An exec'd copy: what it was given and what it kept. */
static int report(int argc, char **argv)
{
    const char *probe = getenv("PC_PROBE"), *d = getenv("PC_DIR");
    if (probe) snprintf(self, sizeof self, "%s", probe);
    if (d) snprintf(dir, sizeof dir, "%s", d);
    say("   argc %d:", argc);
    for (int i = 0; i < argc; i++) say(" [%s]", shown(argv[i]));
    say("\n");
    if (getenv("PC_GAP")) {
        struct rlimit rl;
        unsigned long lo, hi;
        getrlimit(RLIMIT_STACK, &rl);
        stack_bounds(&lo, &hi);
        char *m = mmap(NULL, 1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        say("   the mmap area starts RLIMIT_STACK (%ld MiB) below the stack: %s\n", (long)(rl.rlim_cur >> 20),
            m != MAP_FAILED && hi - (unsigned long)m > rl.rlim_cur ? "yes" : "no");
    }
    if (!probe)
        return 0;   /* started with an empty environment: paths would not print alike */
    const char *fn = (const char *)getauxval(AT_EXECFN);
    say("   AT_EXECFN %s, AT_SECURE %lu, AT_RANDOM %s\n", fn ? shown(fn) : "-", getauxval(AT_SECURE),
        getauxval(AT_RANDOM) ? "set" : "none");
    char exe[512] = "", comm[64] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = 0;
    int fd = open("/proc/self/comm", O_RDONLY);
    n = fd >= 0 ? read(fd, comm, sizeof comm - 1) : 0;
    comm[n > 0 ? n - 1 : 0] = 0;
    say("   /proc/self/exe %s, comm %s\n", shown(exe), comm);
    if (fd >= 0) close(fd);
    const char *fds = getenv("PC_FDS");
    if (fds) {
        int a, b;
        sscanf(fds, "%d,%d", &a, &b);
        say("   close-on-exec fd: %s; the other at offset %ld\n", fcntl(a, F_GETFD) < 0 ? strerrorname_np(errno) : "open",
            (long)lseek(b, 0, SEEK_CUR));
    }
    if (getenv("PC_MORE")) {
        struct rlimit rl;
        getrlimit(RLIMIT_STACK, &rl);
        mode_t um = umask(0);
        say("   dumpable %d, no_new_privs %d, umask %03o, RLIMIT_STACK %ld\n", prctl(PR_GET_DUMPABLE),
            prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), um, (long)rl.rlim_cur);
    }
    if (getenv("PC_PIPE")) {
        int p = atoi(getenv("PC_PIPE"));
        char c = 1;
        write(p, &c, 1);
        read(p + 1, &c, 1);   /* until the parent closes its end */
    }
    return 0;
}

/* One argument longer than MAX_ARG_STRLEN (128 KiB). */
static char **hargs_again(void)
{
    static char *v[3];
    static char *huge;
    if (!huge) {
        huge = malloc(140000);
        memset(huge, 'b', 139999);
        huge[139999] = 0;
    }
    v[0] = "x";
    v[1] = huge;
    return v;
}

static char *env_with(const char *extra)
{
    return (char *)extra;
}

/* execve(file, argv, env) in a child; the errno (or how the exec'd copy ended) is printed. */
static void exec_child(const char *what, const char *file, char *const argv[], char *const envp[])
{
    fflush(stdout);
    int p[2];
    pipe2(p, O_CLOEXEC);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        execve(file, argv, envp);
        int e = errno;
        write(p[1], &e, sizeof e);
        _exit(127);
    }
    close(p[1]);
    int e = 0;
    ssize_t n = read(p[0], &e, sizeof e);
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    if (n == sizeof e) say("   %s = -1 %s\n", what, strerrorname_np(e));
    else say("   %s: %s\n", what, status_text(st));
}

static void execs(void)
{
    say("3. execve and execveat\n");
    char envp_probe[600], envp_dir[600];
    snprintf(envp_probe, sizeof envp_probe, "PC_PROBE=%s", self);
    snprintf(envp_dir, sizeof envp_dir, "PC_DIR=%s", dir);
    char *env[] = { envp_probe, envp_dir, env_with("PC_MORE=1"), NULL };
    char *args[] = { "x", "-a", NULL };
    mkdir(path("d"), 0755);
    write_file("noexec", "#!/bin/sh\n", 0644);
    write_file("garbage", "\177ELF garbage that is no program at all\n", 0755);
    write_file("text", "just text\n", 0755);
    write_file("empty", "", 0755);
    symlink("loop2", path("loop1"));
    symlink("loop1", path("loop2"));
    char line[1200];
    snprintf(line, sizeof line, "#!%s -one  two \n", self);
    write_file("script", line, 0755);
    snprintf(line, sizeof line, "#!%s\n", path("script"));
    write_file("nested", line, 0755);
    snprintf(line, sizeof line, "#!  %s\n", self);
    write_file("spaced", line, 0755);
    write_file("badinterp", "#!/no/such/interpreter\n", 0755);
    write_file("interpdir", "#!/\n", 0755);
    write_file("emptyshebang", "#!\n", 0755);

    exec_child("a missing file", path("missing"), args, env);
    exec_child("a file without x", path("noexec"), args, env);
    exec_child("a directory", path("d"), args, env);
    exec_child("an ELF of garbage", path("garbage"), args, env);
    exec_child("a text file", path("text"), args, env);
    exec_child("an empty file", path("empty"), args, env);
    exec_child("a path through a file", path("garbage/x"), args, env);
    exec_child("a symlink loop", path("loop1"), args, env);
    exec_child("an empty path", "", args, env);
    exec_child("a missing interpreter", path("badinterp"), args, env);
    exec_child("a directory as interpreter", path("interpdir"), args, env);
    exec_child("an empty #! line", path("emptyshebang"), args, env);
    char *huge = malloc(140000);
    memset(huge, 'a', 139999);
    huge[139999] = 0;
    char *hargs[] = { "x", "-h", huge, NULL };
    exec_child("an argument over 128 KiB", self, hargs, env);
    char *many_args[] = { "x", "-m", NULL };
    char **many = calloc(40000, sizeof *many);
    for (int i = 0; i < 39999; i++) many[i] = huge + 139999 - 99;   /* 40000 x 100 bytes: 4 MB */
    many[0] = "x";
    exec_child("4 MB of arguments", self, many, env);
    (void)many_args;
    free(many);
    free(huge);

    exec_child("the probe", self, args, env);
    exec_child("a script", path("script"), (char *[]){ "name0", "arg1", NULL }, env);
    exec_child("a nested script", path("nested"), (char *[]){ "name0", "arg1", NULL }, env);
    exec_child("a script with spaces before the interpreter", path("spaced"), (char *[]){ "n", NULL }, env);
    exec_child("empty argv and envp", self, (char *[]){ NULL }, (char *[]){ NULL });
    exec_child("NULL argv", self, NULL, env);

    /* Descriptors: close-on-exec ones are closed, the others kept with their offsets. */
    int a = open(path("text"), O_RDONLY | O_CLOEXEC), b = open(path("text"), O_RDONLY);
    lseek(b, 5, SEEK_SET);
    char fds[64];
    snprintf(fds, sizeof fds, "PC_FDS=%d,%d", a, b);
    char *env2[] = { envp_probe, envp_dir, fds, NULL };
    exec_child("keeping descriptors", self, args, env2);
    close(a);
    close(b);

    /* execveat: AT_EMPTY_PATH on a descriptor of the program, a name under a dirfd, fexecve. */
    int pfd = open(self, O_RDONLY), dfd = open(dir, O_RDONLY | O_DIRECTORY);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, pfd, "", args, env, AT_EMPTY_PATH);
        say("   execveat AT_EMPTY_PATH = -1 %s\n", strerrorname_np(errno));
        _exit(1);
    }
    reap("execveat AT_EMPTY_PATH", pid);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, dfd, "script", args, env, 0);
        say("   execveat under a dirfd = -1 %s\n", strerrorname_np(errno));
        _exit(1);
    }
    reap("execveat of a script under a dirfd", pid);
    r("execveat \"\" without AT_EMPTY_PATH", syscall(SYS_execveat, pfd, "", args, env, 0));
    r("execveat with an unknown flag", syscall(SYS_execveat, pfd, "", args, env, AT_EMPTY_PATH | 0x8000000));
    r("execveat of a missing name with an unknown flag", syscall(SYS_execveat, dfd, "missing", args, env, 0x8000000));
    r("a missing file with an argument over 128 KiB", syscall(SYS_execve, path("missing"), hargs_again(), env));
    r("execveat of a relative name under a non-directory", syscall(SYS_execveat, pfd, "x", args, env, 0));
    /* The interpreter could not open /dev/fd/N of a close-on-exec descriptor: Linux refuses. */
    int sfd = open(path("script"), O_RDONLY | O_CLOEXEC);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, sfd, "", args, env, AT_EMPTY_PATH);
        say("   execveat AT_EMPTY_PATH of a close-on-exec script = -1 %s\n", strerrorname_np(errno));
        _exit(1);
    }
    reap("execveat AT_EMPTY_PATH of a close-on-exec script", pid);
    close(sfd);
    sfd = open(path("script"), O_RDONLY);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        syscall(SYS_execveat, sfd, "", args, env, AT_EMPTY_PATH);
        say("   execveat AT_EMPTY_PATH of a script = -1 %s\n", strerrorname_np(errno));
        _exit(1);
    }
    reap("execveat AT_EMPTY_PATH of a script", pid);
    close(sfd);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        fexecve(pfd, args, env);
        say("   fexecve = -1 %s\n", strerrorname_np(errno));
        _exit(1);
    }
    reap("fexecve", pid);
    close(pfd);
    close(dfd);
}

static int pipe_fd[2];
static void on_usr1(int sig)
{
    char c = 'D';
    write(pipe_fd[1], &c, 1);
}

static void identity(void)
{
    say("4. identity\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pid_t me = getpid(), old_pgid = getpgid(0);
        r("setsid in a new child", setsid() == me);
        r("setsid again, a group leader", setsid());
        say("   getsid(0) is its pid %s, getpgid(0) %s\n", getsid(0) == me ? "yes" : "no", getpgid(0) == me ? "yes" : "no");
        r("getsid of no process", getsid(999999));
        r("getpgid of no process", getpgid(999999));
        r("getsid of its parent is another session", getsid(getppid()) != me);
        r("setpgid into another session's group", setpgid(0, old_pgid));
        r("setpgid of no process", setpgid(999999, 0));
        r("setpgid pgid -1", setpgid(0, -1));
        r("setpgid of its parent", setpgid(getppid(), 0));
        r("setpgid a session leader", setpgid(0, 0));
        fflush(stdout);
        pid_t c2 = fork();
        if (c2 == 0) { alarm(5); pause(); _exit(0); }
        r("setpgid of a child that has not exec'd", setpgid(c2, c2));
        r("setpgid of a child into a group of its session", setpgid(c2, me));
        r("getpgid of that child is the group", getpgid(c2) == me);
        kill(c2, SIGKILL);
        waitpid(c2, NULL, 0);
        int p[2], q[2];
        pipe(p);
        pipe(q);
        /* A child that execs: its parent may not move it any more. */
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            char e1[600], e2[600], e3[32];
            snprintf(e1, sizeof e1, "PC_PROBE=%s", self);
            snprintf(e2, sizeof e2, "PC_DIR=%s", dir);
            dup2(p[1], 50);
            dup2(q[0], 51);
            snprintf(e3, sizeof e3, "PC_PIPE=50");
            close(q[1]);
            execve(self, (char *[]){ "x", "-pipe", NULL }, (char *[]){ e1, e2, e3, NULL });
            _exit(127);
        }
        close(q[0]);
        char ch;
        read(p[0], &ch, 1);
        r("setpgid of a child after its exec", setpgid(c, c));
        close(q[1]);
        waitpid(c, NULL, 0);
        _exit(0);
    }
    reap("the session child", pid);

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        gid_t g[8] = { 0 };
        r("getgroups(0) as root", getgroups(0, NULL));
        r("setgroups 5,3,5", setgroups(3, (gid_t[]){ 5, 3, 5 }));
        r("getgroups(0)", getgroups(0, NULL));
        r("getgroups(1)", getgroups(1, g));
        r("getgroups(8)", getgroups(8, g));
        say("   groups %u %u %u\n", g[0], g[1], g[2]);
        r("setgroups 65537", setgroups(65537, g));
        r("setgroups -1", setgroups((size_t)-1, g));
        r("setgroups(0)", setgroups(0, NULL));
        r("setresgid 100,200,300", setresgid(100, 200, 300));
        gid_t rg, eg, sg;
        getresgid(&rg, &eg, &sg);
        say("   gids %u %u %u, fsgid now %d\n", rg, eg, sg, setfsgid(-1));
        r("setresuid 1000,1001,1002", setresuid(1000, 1001, 1002));
        uid_t ru, eu, su;
        getresuid(&ru, &eu, &su);
        say("   uids %u %u %u, fsuid now %d\n", ru, eu, su, setfsuid(-1));
        r("setuid(0) after dropping", setuid(0));
        r("seteuid(0)", seteuid(0));
        r("setresuid -1,0,-1", setresuid(-1, 0, -1));
        r("setgid(0)", setgid(0));
        r("setgroups(0) after dropping", setgroups(0, NULL));
        r("setfsuid(0) returns the old one", setfsuid(0));
        r("setfsuid(-1) shows it unchanged", setfsuid(-1));
        r("setfsuid(1002), the saved id", setfsuid(1002));
        r("setfsuid(-1)", setfsuid(-1));
        r("setuid(1002), the saved id", setuid(1002));
        getresuid(&ru, &eu, &su);
        say("   uids %u %u %u\n", ru, eu, su);
        r("setreuid(1000, -1), the old real id", setreuid(1000, -1));
        getresuid(&ru, &eu, &su);
        say("   uids %u %u %u\n", ru, eu, su);
        r("setresuid(1002, 1002, 1002)", setresuid(1002, 1002, 1002));
        r("setresuid(1000, -1, -1) now", setresuid(1000, -1, -1));
        r("setregid(200, 100)", setregid(200, 100));
        r("setregid(300, 300)", setregid(300, 300));
        r("dumpable after the ids changed", prctl(PR_GET_DUMPABLE));
        _exit(0);
    }
    reap("the identity child", pid);

    /* umask, names and the prctl flags are per process, inherited by fork. */
    mode_t old = umask(022);
    umask(old);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        umask(027);
        r("PR_SET_NAME a long name", prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz"));
        char name[32] = "";
        prctl(PR_GET_NAME, name);
        char comm[64] = "";
        int fd = open("/proc/self/comm", O_RDONLY);
        ssize_t n = read(fd, comm, sizeof comm - 1);
        comm[n > 0 ? n - 1 : 0] = 0;
        close(fd);
        say("   PR_GET_NAME %s, comm %s\n", name, comm);
        r("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2));
        r("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0));
        r("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
        r("PR_SET_NO_NEW_PRIVS 0", prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0));
        r("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65));
        r("PR_SET_PDEATHSIG SIGUSR2", prctl(PR_SET_PDEATHSIG, SIGUSR2));
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            int sig = -1;
            prctl(PR_GET_PDEATHSIG, &sig);
            mode_t um = umask(0);
            prctl(PR_GET_NAME, name);
            say("   its child: umask %03o, name %s, dumpable %d, no_new_privs %d, pdeathsig %d\n", um, name,
                prctl(PR_GET_DUMPABLE), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), sig);
            umask(um);
            char e1[600], e2[600];
            snprintf(e1, sizeof e1, "PC_PROBE=%s", self);
            snprintf(e2, sizeof e2, "PC_DIR=%s", dir);
            setenv("x", "y", 1);
            struct rlimit rl = { 1 << 20, RLIM_INFINITY };
            setrlimit(RLIMIT_STACK, &rl);
            fflush(stdout);
            execve(self, (char *[]){ "x", "-more", NULL }, (char *[]){ e1, e2, "PC_MORE=1", NULL });
            _exit(127);
        }
        waitpid(c, NULL, 0);
        int sig = -1;
        prctl(PR_GET_PDEATHSIG, &sig);
        say("   PR_GET_PDEATHSIG %d\n", sig);
        _exit(0);
    }
    reap("the prctl child", pid);
    int sig = -1;
    prctl(PR_GET_PDEATHSIG, &sig);
    say("   the probe's own: umask %03o, dumpable %d, no_new_privs %d, pdeathsig %d\n", (umask(old), old),
        prctl(PR_GET_DUMPABLE), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), sig);

    /* PR_SET_PDEATHSIG is delivered when the parent dies; the orphan goes to the subreaper. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pipe(pipe_fd);
    int ready[2];
    pipe(ready);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pid_t grandchild = fork();
        if (grandchild == 0) {
            /* Blocked until sigsuspend, so it cannot come before the wait for it. */
            sigset_t usr1, none;
            sigemptyset(&usr1);
            sigemptyset(&none);
            sigaddset(&usr1, SIGUSR1);
            sigprocmask(SIG_BLOCK, &usr1, NULL);
            signal(SIGUSR1, on_usr1);
            prctl(PR_SET_PDEATHSIG, SIGUSR1);
            write(ready[1], "r", 1);
            alarm(5);
            sigsuspend(&none);
            _exit(0);
        }
        char c;
        read(ready[0], &c, 1);
        _exit(0);
    }
    reap("the dying parent", pid);
    struct pollfd pf = { pipe_fd[0], POLLIN, 0 };
    char c = '-';
    if (poll(&pf, 1, 5000) == 1) read(pipe_fd[0], &c, 1);
    say("   the orphan got its pdeathsig: %c\n", c);
    int st;
    pid_t got = wait(&st);
    say("   the subreaper reaped it: %s\n", got > 0 ? status_text(st) : strerrorname_np(errno));
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    close(pipe_fd[0]); close(pipe_fd[1]); close(ready[0]); close(ready[1]);
}

static void show_limit(const char *what, int res)
{
    struct rlimit rl;
    if (getrlimit(res, &rl)) { r(what, -1); return; }
    say("   %s: %lld %lld\n", what, rl.rlim_cur == RLIM_INFINITY ? -1LL : (long long)rl.rlim_cur,
        rl.rlim_max == RLIM_INFINITY ? -1LL : (long long)rl.rlim_max);
}

/* What a call answered, kept until the limit is lifted (printing may allocate). */
struct answer { const char *what; long ret; int err; };

static void keep(struct answer *a, const char *what, long ret)
{
    *a = (struct answer){ what, ret, ret < 0 ? errno : 0 };
}

static void map_answer(struct answer *a, const char *what, void *m)
{
    keep(a, what, m == MAP_FAILED ? -1 : 0);
}

/* RLIMIT_AS at its exact edge (VmSize): mmap, MAP_FIXED over a mapping, mremap, brk, and the
 * stack's growth. */
static void address_space_limits(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct answer a[8];
        int n = 0;
        struct rlimit rl = { vm_size(), RLIM_INFINITY };
        setrlimit(RLIMIT_AS, &rl);
        void *m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        map_answer(&a[n++], "mmap a page with AS at VmSize", m);
        rl.rlim_cur = vm_size() + page;
        setrlimit(RLIMIT_AS, &rl);
        m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        map_answer(&a[n++], "mmap a page with AS a page above", m);
        map_answer(&a[n++], "mmap a second page", mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        map_answer(&a[n++], "MAP_FIXED over the first",
                   mmap(m, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
        map_answer(&a[n++], "mremap it to two pages", mremap(m, page, 2 * page, MREMAP_MAYMOVE));
        keep(&a[n++], "sbrk a page", sbrk(page) == (void *)-1 ? -1 : 0);
        keep(&a[n++], "munmap it", munmap(m, page));
        keep(&a[n++], "sbrk a page then", sbrk(page) == (void *)-1 ? -1 : 0);
        rl.rlim_cur = RLIM_INFINITY;
        setrlimit(RLIMIT_AS, &rl);
        for (int i = 0; i < n; i++) {
            errno = a[i].err;
            r(a[i].what, a[i].ret);
        }
        touch_below_stack("the stack grown a page with AS at VmSize", RLIMIT_AS, 0, page);
        touch_below_stack("the stack grown a page with AS a page above", RLIMIT_AS, page, page);
        _exit(0);
    }
    reap("the AS child", pid);
}

/* RLIMIT_DATA: private writable memory that is not a stack, and the heap (brk). */
static void data_limits(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct answer a[12];
        int n = 0;
        long big = 1L << 31;
        struct rlimit rl = { 1L << 30, RLIM_INFINITY };
        setrlimit(RLIMIT_DATA, &rl);
        void *m = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        map_answer(&a[n++], "DATA 1 GiB: mmap 2 GiB private writable", m);
        m = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        map_answer(&a[n++], "mmap 2 GiB read-only", m);
        if (m != MAP_FAILED) munmap(m, big);
        m = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        map_answer(&a[n++], "mmap 2 GiB shared writable", m);
        if (m != MAP_FAILED) munmap(m, big);
        rl.rlim_cur = 0;
        setrlimit(RLIMIT_DATA, &rl);
        m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        map_answer(&a[n++], "DATA 0, hard unlimited: mmap a writable page", m);
        rl.rlim_max = 0;
        setrlimit(RLIMIT_DATA, &rl);
        map_answer(&a[n++], "DATA 0: mmap a writable page",
                   mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        void *ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        map_answer(&a[n++], "mmap a read-only page", ro);
        keep(&a[n++], "mprotect it writable", mprotect(ro, page, PROT_READ | PROT_WRITE));
        map_answer(&a[n++], "mmap a MAP_GROWSDOWN page",
                   mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0));
        map_answer(&a[n++], "mremap the writable page to two", mremap(m, page, 2 * page, MREMAP_MAYMOVE));
        keep(&a[n++], "sbrk a page", sbrk(page) == (void *)-1 ? -1 : 0);
        rl.rlim_cur = rl.rlim_max = RLIM_INFINITY;
        setrlimit(RLIMIT_DATA, &rl);   /* as root with CAP_SYS_RESOURCE: to print */
        for (int i = 0; i < n; i++) {
            errno = a[i].err;
            r(a[i].what, a[i].ret);
        }
        _exit(0);
    }
    reap("the DATA child", pid);
}

/* RLIMIT_MEMLOCK for a caller without CAP_IPC_LOCK (root's is unlimited). */
static void memlock_limits(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        r("setresuid to 54321", setresuid(54321, 54321, 54321));
        struct rlimit rl = { 2 * page, 2 * page };
        r("setrlimit MEMLOCK 2 pages", setrlimit(RLIMIT_MEMLOCK, &rl));
        char *m = mmap(NULL, 8 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        r("mlock a page", mlock(m, page));
        r("mlock it and the next", mlock(m, 2 * page));
        r("mlock a third", mlock(m + 2 * page, page));
        r("mlock2 a third", syscall(SYS_mlock2, m + 2 * page, page, 0));
        r("mmap MAP_LOCKED a page", mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0) == MAP_FAILED ? -1 : 0);
        r("mlockall MCL_CURRENT", mlockall(MCL_CURRENT));
        r("munlock the two", munlock(m, 2 * page));
        char *l = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
        r("mmap MAP_LOCKED two pages", l == MAP_FAILED ? -1 : 0);
        r("mremap it to three", mremap(l, 2 * page, 3 * page, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
        munmap(l, 2 * page);
        r("mlockall MCL_FUTURE", mlockall(MCL_FUTURE));
        r("mmap three pages then", mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0);
        r("sbrk three pages then", sbrk(3 * page) == (void *)-1 ? -1 : 0);
        r("munlockall", munlockall());
        rl = (struct rlimit){ 0, 0 };
        r("setrlimit MEMLOCK 0", setrlimit(RLIMIT_MEMLOCK, &rl));
        r("mlock with MEMLOCK 0", mlock(m, page));
        r("mlockall with MEMLOCK 0", mlockall(MCL_FUTURE));
        r("mmap MAP_LOCKED with MEMLOCK 0", mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0) == MAP_FAILED ? -1 : 0);
        r("munlock with MEMLOCK 0", munlock(m, page));
        _exit(0);
    }
    reap("the MEMLOCK child", pid);
}

/* An execve of the probe with `bytes` of environment under RLIMIT_STACK `stack`: its report, or
 * the errno. */
static void exec_with_env(long stack, long bytes, const char *extra)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = { stack, RLIM_INFINITY };
        setrlimit(RLIMIT_STACK, &rl);
        enum { PIECE = 64 << 10 };
        int pieces = bytes / PIECE;
        char **env = calloc(pieces + 2, sizeof *env);
        for (int i = 0; i < pieces; i++) {
            env[i] = malloc(PIECE);
            memset(env[i], 'e', PIECE - 1);
            env[i][0] = 'A' + i % 26;
            env[i][1] = '=';
            env[i][PIECE - 1] = 0;
        }
        env[pieces] = (char *)extra;
        execve(self, (char *[]){ "x", "-env", NULL }, env);
        say("   execve with %ld KiB of environment under STACK %ld KiB = -1 %s\n", bytes >> 10, stack >> 10,
            strerrorname_np(errno));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

/* RLIMIT_STACK: how far the stack grows, the room exec gives the strings, where the mmap area starts. */
static void stack_limits(void)
{
    touch_below_stack("the stack grown to RLIMIT_STACK", RLIMIT_STACK, page, page);
    touch_below_stack("the stack grown past RLIMIT_STACK", RLIMIT_STACK, page, 3 * page);
    exec_with_env(1 << 20, 192 << 10, NULL);
    exec_with_env(1 << 20, 320 << 10, NULL);
    exec_with_env(64 << 10, 64 << 10, NULL);
    exec_with_env(96 << 10, 64 << 10, NULL);
    exec_with_env(8 << 20, 1536 << 10, NULL);
    exec_with_env(8 << 20, 2560 << 10, NULL);
    exec_with_env(64L << 20, 5 << 20, NULL);
    exec_with_env(64L << 20, 6656 << 10, NULL);
    exec_with_env(8 << 20, 0, "PC_GAP=1");
    exec_with_env(2048L << 20, 0, "PC_GAP=1");
}

static void limits(void)
{
    say("5. rlimits\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = { 64, 128 };
        r("setrlimit NOFILE 64 128", setrlimit(RLIMIT_NOFILE, &rl));
        show_limit("NOFILE", RLIMIT_NOFILE);
        rl = (struct rlimit){ 200, 100 };
        r("soft above hard", setrlimit(RLIMIT_NOFILE, &rl));
        rl = (struct rlimit){ 64, 256 };
        r("raising the hard limit as root", setrlimit(RLIMIT_NOFILE, &rl));
        rl = (struct rlimit){ 64, (1 << 20) + 1 };
        r("NOFILE above nr_open", setrlimit(RLIMIT_NOFILE, &rl));
        r("resource 99", setrlimit(99, &rl));
        r("getrlimit resource 99", getrlimit(99, &rl));
        struct rlimit old;
        rl = (struct rlimit){ 32, 256 };
        if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, &old) == 0)
            say("   prlimit64 of itself = 0, the old: %lld %lld\n", (long long)old.rlim_cur, (long long)old.rlim_max);
        else
            r("prlimit64 of itself", -1);
        r("prlimit64 of no process", syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &old));
        r("prlimit64 of the parent", syscall(SYS_prlimit64, getppid(), RLIMIT_NOFILE, NULL, &old) == 0);
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) { show_limit("   the child's NOFILE", RLIMIT_NOFILE); _exit(0); }
        waitpid(c, NULL, 0);
        c = fork();
        if (c == 0) { alarm(5); pause(); _exit(0); }
        rl = (struct rlimit){ 20, 30 };
        r("prlimit64 sets a child's", syscall(SYS_prlimit64, c, RLIMIT_NOFILE, &rl, NULL));
        r("prlimit64 reads it back", syscall(SYS_prlimit64, c, RLIMIT_NOFILE, NULL, &old));
        say("   %lld %lld\n", (long long)old.rlim_cur, (long long)old.rlim_max);
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);

        rl = (struct rlimit){ 16, 16 };
        setrlimit(RLIMIT_NOFILE, &rl);
        int last = -1, fd;
        while ((fd = open("/dev/null", O_RDONLY)) >= 0) last = fd;
        say("   opens to fd %d, then %s\n", last, strerrorname_np(errno));
        r("dup", dup(0));
        r("dup2 to fd 16", dup2(0, 16));
        r("dup2 to fd 15", dup2(0, 15));
        r("F_DUPFD from 16", fcntl(0, F_DUPFD, 16));
        r("socket", socket(AF_UNIX, SOCK_STREAM, 0));
        int pp[2];
        r("pipe", pipe(pp));
        close(last);
        r("pipe with one free slot", pipe(pp));
        r("eventfd-less open after closing one", open("/dev/null", O_RDONLY));
        rl = (struct rlimit){ 8, 16 };
        r("NOFILE below the open descriptors", setrlimit(RLIMIT_NOFILE, &rl));
        r("open then", open("/dev/null", O_RDONLY));
        r("close of fd 15 still works", close(15));
        for (int i = 3; i < 16; i++) close(i);

        rl = (struct rlimit){ 10, 10 };
        signal(SIGXFSZ, SIG_IGN);
        r("setrlimit FSIZE 10", setrlimit(RLIMIT_FSIZE, &rl));
        fd = open(path("big"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        r("write 20 bytes", write(fd, "01234567890123456789", 20));
        r("write again", write(fd, "x", 1));
        r("pwrite at 10", pwrite(fd, "x", 1, 10));
        r("pwrite at 9", pwrite(fd, "xy", 2, 9));
        r("ftruncate to 11", ftruncate(fd, 11));
        r("ftruncate to 5", ftruncate(fd, 5));
        close(fd);
        fflush(stdout);
        c = fork();
        if (c == 0) {
            signal(SIGXFSZ, SIG_DFL);
            prctl(PR_SET_DUMPABLE, 0);
            int f = open(path("big"), O_WRONLY | O_APPEND);
            lseek(f, 0, SEEK_END);
            write(f, "0123456789abc", 13);
            _exit(0);
        }
        reap("a write past FSIZE with SIGXFSZ's default", c);

        rl = (struct rlimit){ 1 << 20, RLIM_INFINITY };
        r("setrlimit STACK 1 MiB", setrlimit(RLIMIT_STACK, &rl));
        show_limit("STACK", RLIMIT_STACK);
        rl = (struct rlimit){ 256 << 20, 256 << 20 };
        r("setrlimit AS 256 MiB", setrlimit(RLIMIT_AS, &rl));
        void *m = mmap(NULL, 512 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        say("   mmap 512 MiB = %s\n", m == MAP_FAILED ? strerrorname_np(errno) : "map");
        m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        say("   mmap 1 MiB = %s\n", m == MAP_FAILED ? strerrorname_np(errno) : "map");
        r("sbrk 512 MiB", sbrk(512 << 20) == (void *)-1 ? -1 : 0);
        rl = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
        r("setrlimit AS back to infinity as root", setrlimit(RLIMIT_AS, &rl));

        rl = (struct rlimit){ 0, 0 };
        setrlimit(RLIMIT_NPROC, &rl);
        fflush(stdout);
        c = fork();
        if (c == 0) _exit(0);
        r("fork as root with NPROC 0", c > 0);
        if (c > 0) waitpid(c, NULL, 0);
        r("setresuid to 54321", setresuid(54321, 54321, 54321));
        fflush(stdout);
        c = fork();
        if (c == 0) _exit(0);
        r("fork as 54321 with NPROC 0", c);
        if (c > 0) waitpid(c, NULL, 0);
        rl = (struct rlimit){ 1, 1 };
        r("raising NPROC above the hard limit", setrlimit(RLIMIT_NPROC, &rl));
        rl = (struct rlimit){ 0, 0 };
        r("setrlimit NPROC to what it is", setrlimit(RLIMIT_NPROC, &rl));
        rl = (struct rlimit){ 8, 16 };
        r("NOFILE lowering as non-root", setrlimit(RLIMIT_NOFILE, &rl));
        rl = (struct rlimit){ 8, 32 };
        r("NOFILE raising the hard as non-root", setrlimit(RLIMIT_NOFILE, &rl));
        rl = (struct rlimit){ 16, 16 };
        r("NOFILE raising the soft to the hard", setrlimit(RLIMIT_NOFILE, &rl));
        _exit(0);
    }
    reap("the rlimit child", pid);
    address_space_limits();
    data_limits();
    memlock_limits();
    stack_limits();
}

static void usage(void)
{
    say("6. getrusage, times, sysinfo\n");
    struct rusage ru;
    r("RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru));
    r("RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ru));
    r("RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
    r("who 5", getrusage(5, &ru));
    r("who -3", getrusage(-3, &ru));
    r("a bad pointer", getrusage(RUSAGE_SELF, (void *)8));
    r("times(NULL) counts ticks", syscall(SYS_times, NULL) > 0);
    r("times of a bad pointer", syscall(SYS_times, (void *)8));
    struct sysinfo a, b;
    sysinfo(&a);
    pid_t kids[3];
    for (int i = 0; i < 3; i++) kids[i] = child_pausing();
    r("sysinfo", sysinfo(&b));
    say("   procs counts new children: %s\n", b.procs > a.procs ? "yes" : "no");
    for (int i = 0; i < 3; i++) { kill(kids[i], SIGKILL); waitpid(kids[i], NULL, 0); }
    r("sysinfo of a bad pointer", sysinfo((void *)8));
}

/* ---- 7. the raw setrlimit/getrlimit calls, prlimit64's check order, restart_syscall ---- */

static void raw_limits(void)
{
    say("7. raw setrlimit, prlimit64's order, restart_syscall\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = { 40, 50 }, got;
        r("setrlimit NOFILE 40 50", syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl));
        r("getrlimit NOFILE", syscall(SYS_getrlimit, RLIMIT_NOFILE, &got));
        say("   %lld %lld\n", (long long)got.rlim_cur, (long long)got.rlim_max);
        r("setrlimit resource 99", syscall(SYS_setrlimit, 99, &rl));
        r("setrlimit resource 99, bad pointer", syscall(SYS_setrlimit, 99, (void *)8));
        r("setrlimit resource -1", syscall(SYS_setrlimit, -1, &rl));
        rl = (struct rlimit){ 60, 50 };
        r("setrlimit soft above hard", syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl));
        rl = (struct rlimit){ 40, 60 };
        r("setrlimit raising the hard limit as root", syscall(SYS_setrlimit, RLIMIT_NOFILE, &rl));
        r("prlimit64 resource 99 of no process", syscall(SYS_prlimit64, 999999, 99, NULL, NULL));
        r("prlimit64 resource 99, bad new pointer", syscall(SYS_prlimit64, 0, 99, (void *)8, NULL));
        rl = (struct rlimit){ 30, 50 };
        r("prlimit64 with a bad old pointer", syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, (void *)8));
        syscall(SYS_getrlimit, RLIMIT_NOFILE, &got);
        say("   the new one is set anyway: %lld %lld\n", (long long)got.rlim_cur, (long long)got.rlim_max);
        r("restart_syscall with nothing to restart", syscall(SYS_restart_syscall));
        _exit(0);
    }
    waitpid(pid, NULL, 0);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc != 2 || argv[1][0] != '/' || getenv("PC_PROBE"))
        return report(argc, argv);
    alarm(60);   /* a backstop: no wait below may hang the test */
    page = sysconf(_SC_PAGESIZE);
    snprintf(dir, sizeof dir, "%s", argv[1]);
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    forks();
    waits();
    execs();
    identity();
    limits();
    usage();
    raw_limits();
    return 0;
}
