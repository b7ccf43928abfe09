/* Per-process /proc against Linux (tests/boot/test_proc_pid.py): /proc/self and thread-self
 * name the caller, a child's /proc/<pid> (status, stat, fd/ links, cwd, task/) read by its
 * parent, a zombie's state, a reaped pid gone. Sections 1-2 are compared with the oracle (there
 * the host kernel's /proc, which is Linux's); section 3 (exe, cmdline, comm of a child before
 * and after an execve) cannot be, qemu-user naming itself there: its lines are Linux's
 * documented behaviour, written out in the test. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    int n = fd < 0 ? -1 : (int)read(fd, buf, size - 1);
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

static const char *link_of(const char *fmt, int pid, int n)
{
    static char target[4][256];
    static int next;
    char path[128];
    snprintf(path, sizeof(path), fmt, pid, n);
    char *t = target[next++ % 4];
    ssize_t len = readlink(path, t, 255);
    t[len > 0 ? len : 0] = 0;
    return len < 0 ? "(none)" : t;
}

/* The value of a "Key:\t..." line of a status file. */
static const char *field(const char *text, const char *key)
{
    static char values[8][128];
    static int next;
    char *value = values[next++ % 8];
    const char *p = strstr(text, key);
    value[0] = 0;
    if (p)
        sscanf(p + strlen(key), ":\t%127[^\n]", value);
    return value;
}

/* utime + stime of a stat line (fields 14 and 15), in clock ticks. */
static long stat_cpu_ticks(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (slurp(path, buf, sizeof(buf)) < 0)
        return -1;
    char *p = strrchr(buf, ')');
    long utime = 0, stime = 0;
    /* after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &utime, &stime);
    return utime + stime;
}

static char stat_state(int pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    if (slurp(path, buf, sizeof(buf)) < 0)
        return '-';
    char *p = strrchr(buf, ')');
    return p ? p[2] : '?';
}

static int listed(const char *dir, int n)
{
    DIR *d = opendir(dir);
    int found = 0;
    for (struct dirent *e; d && (e = readdir(d)); )
        found |= atoi(e->d_name) == n && e->d_name[0] != '.';
    if (d)
        closedir(d);
    return found;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d)); )
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return d ? n : -1;
}

static void *thread_self(void *arg)
{
    char want[64], got[64];
    snprintf(want, sizeof(want), "%d/task/%ld", getpid(), syscall(SYS_gettid));
    ssize_t n = readlink("/proc/thread-self", got, sizeof(got) - 1);
    got[n > 0 ? n : 0] = 0;
    *(int *)arg = !strcmp(want, got);
    prctl(PR_SET_NAME, "worker-with-a-long-name");
    char path[64], comm[64];
    snprintf(path, sizeof(path), "/proc/%d/task/%ld/comm", getpid(), syscall(SYS_gettid));
    slurp(path, comm, sizeof(comm));
    printf("  the thread's comm after PR_SET_NAME: %s", comm);
    return NULL;
}

static void *sleeper(void *arg) { char b; read(*(int *)arg, &b, 1); return NULL; }

static void section_self(void)
{
    printf("1. self\n");
    char buf[64];
    ssize_t n = readlink("/proc/self", buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    printf("  /proc/self is getpid: %d\n", atoi(buf) == getpid());
    int ok = 0;
    pthread_t t;
    pthread_create(&t, NULL, thread_self, &ok);
    pthread_join(t, NULL);
    printf("  /proc/thread-self in a thread: %d\n", ok);
    int p[2];
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        n = readlink("/proc/self", buf, sizeof(buf) - 1);
        buf[n > 0 ? n : 0] = 0;
        char r = atoi(buf) == getpid() && getpid() != getppid() ? '1' : '0';
        write(p[1], &r, 1);
        _exit(0);
    }
    char r = '?';
    read(p[0], &r, 1);
    waitpid(pid, NULL, 0);
    printf("  /proc/self in a child is the child: %c\n", r);
    close(p[0]);
    close(p[1]);
}

static void section_child(void)
{
    printf("2. a child's directory\n");
    int sync[2], hold[2];
    pipe(sync);
    pipe(hold);
    pid_t pid = fork();
    if (pid == 0) {
        int p[2], s[2];
        pipe(p);
        socketpair(AF_UNIX, SOCK_STREAM, 0, s);
        int e = eventfd(0, 0);
        chdir("/tmp");
        int d = open(".", O_RDONLY | O_DIRECTORY);
        int from[] = { p[0], p[1], s[0], s[1], e, d };
        for (int i = 0; i < 6; i++)   /* out of the way first: some may be 10..15 already */
            from[i] = fcntl(from[i], F_DUPFD, 30);
        for (int i = 0; i < 6; i++)
            dup2(from[i], 10 + i);
        struct stat ps, ss;
        fstat(10, &ps);
        fstat(12, &ss);
        unsigned long inos[2] = { ps.st_ino, ss.st_ino };
        struct timespec used;
        do                             /* CPU time the parent will find in stat (bounded by the clock) */
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &used);
        while (used.tv_sec == 0 && used.tv_nsec < 150000000);
        pthread_t t;
        pthread_create(&t, NULL, sleeper, &hold[0]);
        write(sync[1], inos, sizeof(inos));
        char b;
        read(hold[0], &b, 1);          /* until the parent has looked */
        _exit(3);
    }
    unsigned long inos[2];
    read(sync[0], inos, sizeof(inos));
    usleep(100000);                    /* the child and its thread asleep in read (S) */
    char want[64];
    snprintf(want, sizeof(want), "pipe:[%lu]", inos[0]);
    printf("  fd 10 %d fd 11 %d (pipe:[inode])\n", !strcmp(link_of("/proc/%d/fd/%d", pid, 10), want),
           !strcmp(link_of("/proc/%d/fd/%d", pid, 11), want));
    snprintf(want, sizeof(want), "socket:[%lu]", inos[1]);
    printf("  fd 12 %d (socket:[inode]) fd 13 is a socket %d\n", !strcmp(link_of("/proc/%d/fd/%d", pid, 12), want),
           !strncmp(link_of("/proc/%d/fd/%d", pid, 13), "socket:[", 8));
    printf("  fd 14 %s fd 15 %s cwd %s\n", link_of("/proc/%d/fd/%d", pid, 14), link_of("/proc/%d/fd/%d", pid, 15),
           link_of("/proc/%d/cwd", pid, 0));
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
    printf("  fd/ lists 10..15:");
    for (int fd = 10; fd <= 16; fd++)
        printf(" %d", listed(dir, fd));
    printf("\n");
    char path[64], text[4096];
    snprintf(path, sizeof(path), "/proc/%d/status", pid);
    slurp(path, text, sizeof(text));
    /* (qemu-user adds a thread of its own to every process: counts are compared as at least 2) */
    printf("  status: State %s, Pid is the child %d, Tgid %d, PPid is us %d, Threads >= 2: %d\n",
           field(text, "State"), atoi(field(text, "\nPid")) == pid, atoi(field(text, "Tgid")) == pid,
           atoi(field(text, "PPid")) == getpid(), atoi(field(text, "Threads")) >= 2);
    printf("  stat state %c, CPU time at least the 150 ms it used: %d\n", stat_state(pid),
           stat_cpu_ticks(pid) * 1000 / sysconf(_SC_CLK_TCK) >= 130);   /* each field cut to a tick */
    snprintf(dir, sizeof(dir), "/proc/%d/task", pid);
    printf("  task/ entries >= 2: %d, the main thread's %d\n", count_entries(dir) >= 2, listed(dir, pid));
    printf("  /proc lists it %d\n", listed("/proc", pid));
    write(hold[1], "xx", 2);
    siginfo_t si;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    printf("  exited, not reaped: stat state %c, listed %d\n", stat_state(pid), listed("/proc", pid));
    int status;
    waitpid(pid, &status, 0);
    snprintf(path, sizeof(path), "/proc/%d", pid);
    struct stat st;
    printf("  reaped: exit %d, stat state %c, directory %s, listed %d\n", WEXITSTATUS(status), stat_state(pid),
           stat(path, &st) == 0 ? "still there" : "gone", listed("/proc", pid));
}

/* A fork's child has its parent's arguments until it execs; then those it was given. */
static void show_exec_view(int pid, const char *when)
{
    char path[64], buf[512], ours[512], comm[64];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
    int n = slurp(path, buf, sizeof(buf));
    int same = n == slurp("/proc/self/cmdline", ours, sizeof(ours)) && !memcmp(buf, ours, n > 0 ? n : 0);
    for (int i = 0; i < n; i++)
        if (!buf[i])
            buf[i] = ' ';
    snprintf(path, sizeof(path), "/proc/%d/comm", pid);
    slurp(path, comm, sizeof(comm));
    comm[strcspn(comm, "\n")] = 0;
    const char *exe = link_of("/proc/%d/exe", pid, 0);
    const char *base = strrchr(exe, '/');
    printf("  %s: exe %s, cmdline [%s] (ours %d), comm %s\n", when, base ? base + 1 : exe, same ? "..." : buf, same, comm);
}

static void section_exec(const char *self)
{
    printf("3. a child's exe, cmdline and comm across execve\n");
    int go[2], done[2];
    pipe(go);
    pipe(done);
    pid_t pid = fork();
    if (pid == 0) {
        char b;
        close(go[1]);
        close(done[0]);
        write(done[1], "r", 1);
        read(go[0], &b, 1);
        dup2(done[1], 20);
        dup2(go[0], 21);
        char *args[] = { "renamed", "exec-child", "20", "21", NULL };
        execv(self, args);
        _exit(127);
    }
    close(go[0]);
    close(done[1]);
    char b;
    read(done[0], &b, 1);
    show_exec_view(pid, "before");
    write(go[1], "g", 1);
    if (read(done[0], &b, 1) == 1)     /* the exec'd program says it runs (EOF: the exec failed) */
        show_exec_view(pid, "after");
    signal(SIGPIPE, SIG_IGN);          /* (a child whose exec failed has gone) */
    write(go[1], "g", 1);
    int status;
    waitpid(pid, &status, 0);
    printf("  child exited %d\n", WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 4 && !strcmp(argv[1], "exec-child")) {   /* section 3's child, exec'd */
        char b;
        write(atoi(argv[2]), "r", 1);
        read(atoi(argv[3]), &b, 1);
        return 5;
    }
    section_self();
    section_child();
    section_exec(argv[0]);
    return 0;
}
