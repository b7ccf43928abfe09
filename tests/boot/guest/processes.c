/* Processes against Linux (oracle: the same static binary under qemu-aarch64-static): fork and
 * wait statuses, copy-on-write isolation, pipes between a parent and two children, vfork + exec,
 * execve of this program and of a `#!` script, O_CLOEXEC, SIGCHLD handlers and SA_NOCLDWAIT,
 * waitid, orphans, process groups and kill(-pgid). Only what is the same on any Linux is
 * printed (no pids: relations between them). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static void show_status(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("  %s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("  %s: killed by %d core %d\n", what, WTERMSIG(status), WCOREDUMP(status) ? 1 : 0);
    else
        printf("  %s: status %#x\n", what, status);
}

/* Run as the program an exec started: its arguments, and whether fd 5 (close-on-exec in the
 * caller) and fd 6 (inherited) are open. */
static int exec_child(int argc, char **argv)
{
    printf("  exec'd:");
    for (int i = 1; i < argc; i++)
        printf(" [%s]", argv[i]);
    printf(" pid==tid %d fd5 %s fd6 %s env %s\n", getpid() == (pid_t)syscall(SYS_gettid), fcntl(5, F_GETFD) < 0 ? "closed" : "open",
           fcntl(6, F_GETFD) < 0 ? "closed" : "open", getenv("PROBE") ? getenv("PROBE") : "-");
    struct sigaction sa;
    sigaction(SIGUSR1, NULL, &sa);
    printf("  SIGUSR1 after exec: %s\n", sa.sa_handler == SIG_DFL ? "default" : sa.sa_handler == SIG_IGN ? "ignored" : "handler");
    return 7;
}

/* Section 9: a process with several threads execs from one that is not its first. */
static const char *exec_path;
static void *blocked_thread(void *arg) { char b; read(*(int *)arg, &b, 1); return NULL; }
static void *exec_thread(void *arg)
{
    (void)arg;
    char *args[] = { "t", "exec-child", "from a thread", NULL };
    execv(exec_path, args);
    _exit(127);
}

static volatile sig_atomic_t chld_count;
static void on_chld(int sig) { (void)sig; chld_count++; }
static void on_usr1(int sig) { (void)sig; }

/* A fork bomb held in check: children wait on a pipe until the parent meets its limit (EAGAIN),
 * then all end and are reaped, and a fork still works after. Not compared with Linux: a root
 * process there has no process limit short of memory. */
static int bomb(void)
{
    int p[2];
    pipe(p);
    int made = 0, err = 0;
    for (;;) {
        pid_t c = fork();
        if (c == 0) {
            char b;
            close(p[1]);
            read(p[0], &b, 1);
            _exit(0);
        }
        if (c < 0) {
            err = errno;
            break;
        }
        made++;
    }
    close(p[1]);
    int reaped = 0, status;
    while (wait(&status) > 0)
        reaped++;
    pid_t c = fork();
    if (c == 0)
        _exit(6);
    waitpid(c, &status, 0);
    printf("bomb: stopped by %s after more than 100: %d, all reaped: %d, fork after: %d\n",
           strerrorname_np(err), made > 100, reaped == made, WEXITSTATUS(status));
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* bench/processes.py: round trips per second (fork + _exit + wait; fork + execve + wait;
 * vfork + execve + wait) and the memory an idle forked child costs. An exec that fails (qemu-user
 * without binfmt_misc) reports 0. */
static int rate(int n, const char *self)
{
    int status;
    double t = now_s();
    for (int i = 0; i < n; i++) {
        pid_t c = fork();
        if (c == 0)
            _exit(0);
        waitpid(c, &status, 0);
    }
    printf("fork+exit+wait %.0f /s\n", n / (now_s() - t));
    for (int v = 0; v < 2; v++) {
        int ok = 1;
        t = now_s();
        for (int i = 0; i < n; i++) {
            char *args[] = { "x", "quiet-exit", NULL };
            pid_t c = v ? vfork() : fork();
            if (c == 0) {
                execve(self, args, environ);
                _exit(127);
            }
            waitpid(c, &status, 0);
            ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
        }
        printf("%s+exec+wait %.0f /s\n", v ? "vfork" : "fork", ok ? n / (now_s() - t) : 0.0);
    }
    return 0;
}

static int idle_memory(int n)
{
    int p[2];
    pipe(p);
    struct sysinfo before, after;
    sysinfo(&before);
    for (int i = 0; i < n; i++)
        if (fork() == 0) {
            char b;
            close(p[1]);
            read(p[0], &b, 1);
            _exit(0);
        }
    usleep(200000);                    /* every child has run and blocked */
    sysinfo(&after);
    close(p[1]);
    while (wait(NULL) > 0)
        ;
    printf("idle child %.0f KiB\n", (double)(before.freeram - after.freeram) * before.mem_unit / n / 1024);
    return 0;
}

/* A child that touches more memory than the guest has is killed (SIGKILL, Linux's OOM killer);
 * the parent and a fork after it go on. */
static int oom(void)
{
    pid_t c = fork();
    if (c == 0) {
        size_t size = 4UL << 30;
        char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        for (size_t i = 0; i < size; i += 4096)
            p[i] = 1;
        _exit(0);
    }
    int status;
    waitpid(c, &status, 0);
    printf("oom: child killed by %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    c = fork();
    if (c == 0)
        _exit(3);
    waitpid(c, &status, 0);
    printf("oom: fork after: %d\n", WEXITSTATUS(status));
    return 0;
}

/* Copy-on-write: forking a process that holds 80 MiB in a 128 MiB guest costs the child its
 * page tables and the pages it writes, not a copy. */
static int big_fork(void)
{
    size_t size = 80UL << 20;
    char *big = malloc(size);
    memset(big, 7, size);
    struct sysinfo before, after;
    sysinfo(&before);
    pid_t c = fork();
    if (c == 0) {
        sysinfo(&after);
        big[0] = 8;                    /* one page of its own */
        long used = (long)(before.freeram - after.freeram) * (long)before.mem_unit;
        printf("cow: fork of 80 MiB took less than 4 MiB: %d, child sees %d %d\n", used < (4L << 20), big[0], big[size - 1]);
        _exit(0);
    }
    int status;
    waitpid(c, &status, 0);
    printf("cow: parent still sees %d, child %s\n", big[0], WIFEXITED(status) ? "exited" : "failed");
    free(big);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);  /* children _exit: nothing may wait in a buffer (stdout may be a pipe) */
    if (argc > 1 && !strcmp(argv[1], "quiet-exit"))
        return 0;
    if (argc > 2 && !strcmp(argv[1], "rate"))
        return rate(atoi(argv[2]), argv[3]);
    if (argc > 2 && !strcmp(argv[1], "idle"))
        return idle_memory(atoi(argv[2]));
    if (argc > 1 && !strcmp(argv[1], "exec-child"))
        return exec_child(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "limits"))
        return bomb() || big_fork() || oom();
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *self = "/proc/self/exe";
    char selfpath[4096];
    ssize_t n = readlink(self, selfpath, sizeof(selfpath) - 1);
    selfpath[n > 0 ? n : 0] = 0;

    printf("1. fork and wait statuses\n");
    pid_t me = getpid();
    for (int code = 0; code < 3; code++) {
        pid_t c = fork();
        if (c == 0) {
            if (code == 2)
                raise(SIGTERM);
            _exit(code == 1 ? 42 : 0);
        }
        int status;
        pid_t got = waitpid(c, &status, 0);
        printf("  waitpid returned the child: %d\n", got == c);
        show_status("child", status);
    }
    pid_t c = fork();
    if (c == 0) {
        printf("  child: ppid is parent %d, pid differs %d\n", getppid() == me, getpid() != me);
        *(volatile int *)0 = 1;
    }
    int status;
    waitpid(c, &status, 0);
    show_status("segfaulting child", status);
    printf("  no more children: %d %s\n", (int)waitpid(-1, &status, 0), strerror(errno));
    printf("  WNOHANG with a running child: ");
    int pfd[2];
    pipe(pfd);
    c = fork();
    if (c == 0) {
        char b;
        read(pfd[0], &b, 1);
        _exit(3);
    }
    printf("%d\n", (int)waitpid(c, &status, WNOHANG));
    write(pfd[1], "x", 1);
    waitpid(c, &status, 0);
    show_status("after the pipe", status);
    close(pfd[0]);
    close(pfd[1]);

    printf("2. copy-on-write\n");
    static int global = 1;
    int *heap = malloc(sizeof(int));
    *heap = 10;
    int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *shared = 100;
    char *big = malloc(1 << 20);
    memset(big, 'a', 1 << 20);
    c = fork();
    if (c == 0) {
        global = 2;
        *heap = 20;
        *shared = 200;
        big[12345] = 'b';
        printf("  child sees: global %d heap %d shared %d big %c\n", global, *heap, *shared, big[12345]);
        _exit(0);
    }
    waitpid(c, &status, 0);
    printf("  parent sees: global %d heap %d shared %d big %c\n", global, *heap, *shared, big[12345]);
    global = 3;
    printf("  parent writes after: global %d\n", global);
    char *moved = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(moved, "parent's");
    c = fork();
    if (c == 0) {                      /* pages mremap moves stay copy-on-write */
        char *q = mremap(moved, 8192, 1 << 20, MREMAP_MAYMOVE | MREMAP_FIXED, moved + (64 << 20));
        strcpy(q, "child's");
        _exit(q == MAP_FAILED);
    }
    waitpid(c, &status, 0);
    printf("  after the child's mremap and write: %s\n", moved);

    printf("3. a pipe between two children\n");
    int p[2];
    pipe(p);
    pid_t writer = fork();
    if (writer == 0) {
        dup2(p[1], 1);
        close(p[0]);
        close(p[1]);
        for (int i = 0; i < 1000; i++)
            printf("line %d\n", i);
        fflush(stdout);
        _exit(0);
    }
    pid_t reader = fork();
    if (reader == 0) {
        close(p[1]);
        char buf[4096];
        long total = 0, lines = 0;
        ssize_t r;
        while ((r = read(p[0], buf, sizeof(buf))) > 0) {
            total += r;
            for (ssize_t i = 0; i < r; i++)
                lines += buf[i] == '\n';
        }
        printf("  reader: %ld bytes, %ld lines, then EOF\n", total, lines);
        _exit(0);
    }
    close(p[0]);
    close(p[1]);
    waitpid(writer, &status, 0);
    waitpid(reader, &status, 0);
    show_status("reader", status);

    printf("4. vfork and exec\n");
    int keep = open("/", O_RDONLY);
    dup2(keep, 5);
    dup2(keep, 6);
    fcntl(5, F_SETFD, FD_CLOEXEC);
    signal(SIGUSR1, on_usr1);
    c = vfork();
    if (c == 0) {
        char *args[] = { "name", "exec-child", "one", "two words", NULL };
        char *env[] = { "PROBE=yes", NULL };
        execve(selfpath, args, env);
        _exit(127);
    }
    waitpid(c, &status, 0);
    show_status("exec'd child", status);
    c = fork();
    if (c == 0) {
        char *args[] = { "x", NULL };
        execve("/nonexistent/program", args, environ);
        printf("  execve of a missing file: %s\n", strerror(errno));
        execve("/", args, environ);
        printf("  execve of a directory: %s\n", strerror(errno));
        _exit(0);
    }
    waitpid(c, &status, 0);

    printf("5. a #! script\n");
    char script[4200];
    snprintf(script, sizeof(script), "/tmp/probe-script");
    FILE *f = fopen(script, "w");
    fprintf(f, "#!%s  exec-child  \nignored\n", selfpath);
    fclose(f);
    chmod(script, 0755);
    c = fork();
    if (c == 0) {
        char *args[] = { "script", "arg1", NULL };
        execv(script, args);
        _exit(127);
    }
    waitpid(c, &status, 0);
    show_status("script", status);
    chmod(script, 0644);
    c = fork();
    if (c == 0) {
        char *args[] = { "script", NULL };
        execv(script, args);
        printf("  without x bit: %s\n", strerror(errno));
        _exit(0);
    }
    waitpid(c, &status, 0);
    unlink(script);

    printf("6. SIGCHLD\n");
    struct sigaction sa = { 0 };
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);
    c = fork();
    if (c == 0)
        _exit(5);
    while (waitpid(c, &status, 0) < 0 && errno == EINTR)
        ;
    printf("  handler ran %d time(s)\n", (int)chld_count);
    siginfo_t si;
    c = fork();
    if (c == 0)
        _exit(9);
    memset(&si, 0, sizeof(si));
    while (waitid(P_PID, c, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR)
        ;
    printf("  waitid WNOWAIT: signo %d code %d status %d pid-ok %d\n", si.si_signo, si.si_code, si.si_status, si.si_pid == c);
    memset(&si, 0, sizeof(si));
    waitid(P_PID, c, &si, WEXITED);
    printf("  waitid again: code %d status %d\n", si.si_code, si.si_status);
    printf("  waitid WNOHANG none: %d %s\n", waitid(P_ALL, 0, &si, WEXITED | WNOHANG), strerror(errno));
    sa.sa_handler = SIG_IGN;           /* (qemu-user drops SA_NOCLDWAIT, the oracle cannot show it) */
    sigaction(SIGCHLD, &sa, NULL);
    c = fork();
    if (c == 0)
        _exit(1);
    errno = 0;
    pid_t w;
    while ((w = waitpid(c, &status, 0)) < 0 && errno == EINTR)
        ;
    printf("  SIGCHLD ignored: wait %d %s\n", (int)w, strerror(errno));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);

    printf("7. orphans\n");
    pipe(p);
    c = fork();
    if (c == 0) {
        pid_t mid = getpid();
        pid_t g = fork();
        if (g == 0) {
            char b;
            close(p[1]);
            read(p[0], &b, 1);        /* until the middle process has gone */
            while (getppid() == mid)
                usleep(1000);
            printf("  grandchild: adopted %d\n", getppid() != mid);
            _exit(0);
        }
        _exit(0);
    }
    close(p[0]);
    waitpid(c, &status, 0);
    close(p[1]);
    usleep(300000);

    printf("8. process groups\n");
    c = fork();
    if (c == 0) {                      /* not a session leader, as pid 1 of a container is */
        printf("  setpgid(0,0): %d, leader %d\n", setpgid(0, 0), getpgid(0) == getpid());
        printf("  setsid as group leader: %d %s\n", (int)setsid(), strerror(errno));
        _exit(0);
    }
    waitpid(c, &status, 0);
    pid_t kids[2];
    pipe(p);
    for (int i = 0; i < 2; i++) {
        kids[i] = fork();
        if (kids[i] == 0) {
            setpgid(0, 0);
            if (i == 1)
                setpgid(0, kids[0]);
            close(p[0]);
            close(p[1]);
            pause();
            _exit(0);
        }
    }
    setpgid(kids[0], kids[0]);
    setpgid(kids[1], kids[0]);
    close(p[1]);
    char b;
    read(p[0], &b, 1);                 /* both children closed their end: they are set up */
    close(p[0]);
    printf("  children's group: %d %d\n", getpgid(kids[0]) == kids[0], getpgid(kids[1]) == kids[0]);
    printf("  kill(-pgid, SIGTERM): %d\n", kill(-kids[0], SIGTERM));
    for (int i = 0; i < 2; i++) {
        waitpid(kids[i], &status, 0);
        show_status("group member", status);
    }
    printf("  kill of a group with nobody: %d %s\n", kill(-kids[0], SIGTERM), strerror(errno));
    c = fork();
    if (c == 0) {
        printf("  child setsid: %d, sid is pid %d\n", setsid() == getpid(), getsid(0) == getpid());
        _exit(0);
    }
    waitpid(c, &status, 0);
    printf("  zombie takes kill: ");
    c = fork();
    if (c == 0)
        _exit(0);
    usleep(100000);
    printf("%d\n", kill(c, SIGKILL));
    waitpid(c, &status, 0);
    show_status("zombie", status);

    printf("9. exec from a thread of several\n");
    exec_path = selfpath;
    c = fork();
    if (c == 0) {
        int q[2];
        pipe(q);
        pthread_t a, b;
        pthread_create(&a, NULL, blocked_thread, &q[0]);
        usleep(20000);
        pthread_create(&b, NULL, exec_thread, NULL);
        pause();
        _exit(1);
    }
    waitpid(c, &status, 0);
    show_status("threaded exec", status);

    printf("10. SCM_RIGHTS between processes\n");
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    c = fork();
    if (c == 0) {
        int q[2];
        pipe(q);
        write(q[1], "through a passed pipe", 21);
        close(q[1]);
        char cbuf[CMSG_SPACE(2 * sizeof(int))];
        struct iovec iov = { "x", 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
        struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
        int two[2] = { q[0], q[0] };
        memcpy(CMSG_DATA(cm), two, sizeof(two));
        printf("  sendmsg with two: %zd\n", sendmsg(sv[1], &mh, 0));
        write(sv[1], "yz", 2);
        cm->cmsg_len = CMSG_LEN(sizeof(int));
        mh.msg_controllen = CMSG_SPACE(sizeof(int));
        printf("  sendmsg with one: %zd\n", sendmsg(sv[1], &mh, 0));
        int bad = 99;
        memcpy(CMSG_DATA(cm), &bad, sizeof(bad));
        printf("  sendmsg of a closed fd: %zd %s\n", sendmsg(sv[1], &mh, 0), strerror(errno));
        _exit(0);
    }
    waitpid(c, &status, 0);
    char data[16], cbuf[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { data, sizeof(data) };
    struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
    ssize_t got = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    int passed = -1;
    if (cm && cm->cmsg_type == SCM_RIGHTS)
        memcpy(&passed, CMSG_DATA(cm), sizeof(int));
    printf("  recvmsg: %zd bytes [%.*s], ctrunc %d, cmsg len %zu, cloexec %d\n", got, (int)(got > 0 ? got : 0), data,
           !!(mh.msg_flags & MSG_CTRUNC), cm ? (size_t)cm->cmsg_len : 0, passed >= 0 && fcntl(passed, F_GETFD) == FD_CLOEXEC);
    char text[64] = "";
    ssize_t tn = passed >= 0 ? read(passed, text, sizeof(text)) : -1;
    printf("  read through it: %zd [%.*s]\n", tn, (int)(tn > 0 ? tn : 0), text);
    mh.msg_controllen = 0;
    got = recvmsg(sv[0], &mh, 0);
    printf("  recvmsg without room: %zd bytes [%.*s], ctrunc %d\n", got, (int)(got > 0 ? got : 0), data, !!(mh.msg_flags & MSG_CTRUNC));
    return 0;
}
