/* Per-process timers and identity against Linux (tests/boot/test_proctimers.py): interval
 * timers per process (not inherited by fork, kept across execve), POSIX timers (signal, none,
 * thread id, glibc's SIGEV_THREAD, a CPU clock; overruns; siginfo; errors; deleted at exec),
 * clock_nanosleep on CPU clocks and EINTR's remaining time, supplementary groups (sorted,
 * inherited, /proc/self/status), writable comm, and an orphaned process group's SIGHUP +
 * SIGCONT. It prints relations ("yes"/"no") and errno names, never raw times. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *yes_no(int c) { return c ? "yes" : "no"; }
static const char *err(long r) { return r == 0 ? "0" : r == -EINVAL ? "EINVAL" : r == -EOPNOTSUPP ? "EOPNOTSUPP" :
                                        r == -EFAULT ? "EFAULT" : r == -EPERM ? "EPERM" : r == -EINTR ? "EINTR" : r == -EBADF ? "EBADF" : r == -ESRCH ? "ESRCH" : "other"; }
static long sys(long r) { return r < 0 ? -errno : r; }

static double cpu_s(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static double mono_s(void) { return cpu_s(CLOCK_MONOTONIC); }
static double ts_s(const struct timespec *t) { return t->tv_sec + t->tv_nsec / 1e9; }
static volatile int got_sig;
static void on_sig(int s) { got_sig = s; }
static void handle(int s) { struct sigaction sa = { .sa_handler = on_sig }; sigaction(s, &sa, NULL); }

static void spin_until_sig(double limit)
{
    double end = mono_s() + limit;
    while (!got_sig && mono_s() < end)
        ;
}

/* After execv(self, "exec-check", timerid): what execve kept and dropped. */
static int exec_check(const char *id)
{
    struct itimerval v;
    getitimer(ITIMER_REAL, &v);
    printf("8. after exec: real armed %s, interval kept %s\n", yes_no(v.it_value.tv_sec > 0), yes_no(v.it_interval.tv_sec == 50));
    struct itimerspec s;
    timer_t t = (timer_t)(long)atol(id);
    printf("8. after exec: posix timer gone %s\n", err(syscall(SYS_timer_gettime, t, &s) ? -errno : 0));
    gid_t g[8];
    int n = getgroups(8, g);
    printf("8. after exec: %d groups, first %u\n", n, n > 0 ? g[0] : 0);
    return 0;
}

static void itimers(const char *self)
{
    struct itimerval ten = { { 0, 0 }, { 10, 0 } }, v;
    setitimer(ITIMER_REAL, &ten, NULL);
    pid_t c = fork();
    if (!c) {
        getitimer(ITIMER_REAL, &v);
        printf("1. child inherits real %s\n", yes_no(v.it_value.tv_sec || v.it_value.tv_usec));
        handle(SIGALRM);
        struct itimerval shot = { { 0, 0 }, { 0, 30000 } };
        setitimer(ITIMER_REAL, &shot, NULL);
        pause();
        printf("1. child alarm %s\n", yes_no(got_sig == SIGALRM));
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    getitimer(ITIMER_REAL, &v);
    printf("1. parent real still armed %s\n", yes_no(v.it_value.tv_sec >= 8));
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, NULL);
    /* CPU-time timers: PROF (user + system) and VIRTUAL (user) in a busy loop. */
    int which[2] = { ITIMER_PROF, ITIMER_VIRTUAL }, sigs[2] = { SIGPROF, SIGVTALRM };
    for (int i = 0; i < 2; i++) {
        got_sig = 0;
        handle(sigs[i]);
        struct itimerval t = { { 0, 0 }, { 0, 50000 } };
        double before = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
        setitimer(which[i], &t, NULL);
        spin_until_sig(20);
        printf("1. %s fired %s after its cpu time %s\n", i ? "virtual" : "prof", yes_no(got_sig == sigs[i]),
               yes_no(cpu_s(CLOCK_PROCESS_CPUTIME_ID) - before >= 0.025));   /* Linux samples at its tick */
    }
    /* exec keeps the interval timers, drops the POSIX timers (section 8). */
    fflush(stdout);
    if (!(c = fork())) {
        timer_t id;
        timer_create(CLOCK_MONOTONIC, NULL, &id);
        struct itimerval keep = { { 50, 0 }, { 100, 0 } };
        setitimer(ITIMER_REAL, &keep, NULL);
        char arg[32];
        snprintf(arg, sizeof(arg), "%ld", (long)id);
        execl(self, self, "exec-check", arg, (char *)NULL);
        _exit(99);
    }
    int st;
    waitpid(c, &st, 0);
    if (WEXITSTATUS(st) == 99)
        printf("8. no exec here\n");
}

static void wait_info(int sig, siginfo_t *si)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigwaitinfo(&set, si);
}

static sem_t thread_sem;
static int thread_value;
static void on_thread(union sigval v) { thread_value = v.sival_int; sem_post(&thread_sem); }

static pid_t waiter_tid;
static int waiter_got;
static void *waiter(void *arg)
{
    waiter_tid = gettid();
    siginfo_t si;
    wait_info(SIGRTMIN + 1, &si);
    waiter_got = si.si_value.sival_int;
    return NULL;
}

static void posix_timers(void)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGRTMIN);
    sigaddset(&block, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    /* a. one shot, SIGEV_SIGNAL: the siginfo. */
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 42 };
    timer_t t;
    printf("2. create %s\n", err(sys(timer_create(CLOCK_MONOTONIC, &ev, &t))));
    struct itimerspec shot = { { 0, 0 }, { 0, 20000000 } }, cur;
    double start = mono_s();
    timer_settime(t, 0, &shot, NULL);
    timer_gettime(t, &cur);
    printf("2. armed remaining %s\n", yes_no(ts_s(&cur.it_value) > 0 && ts_s(&cur.it_value) <= 0.02));
    siginfo_t si;
    wait_info(SIGRTMIN, &si);
    printf("2. signal code SI_TIMER %s, value %d, overrun %d, after the time %s\n", yes_no(si.si_code == SI_TIMER),
           si.si_value.sival_int, si.si_overrun, yes_no(mono_s() - start >= 0.019));
    timer_gettime(t, &cur);
    printf("2. expired one shot reads %ld.%09ld / %ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec,
           (long)cur.it_interval.tv_sec);
    /* b. periodic while blocked: one instance, the missed periods as its overrun. */
    struct itimerspec per = { { 0, 2000000 }, { 0, 2000000 } };
    timer_settime(t, 0, &per, NULL);
    usleep(100000);
    timer_gettime(t, &cur);
    printf("2. pending periodic remaining within a period %s\n", yes_no(ts_s(&cur.it_value) > 0 && ts_s(&cur.it_value) <= 0.002));
    sigset_t pend;
    sigpending(&pend);
    wait_info(SIGRTMIN, &si);
    int ov = timer_getoverrun(t);
    printf("2. overrun counted %s, getoverrun agrees %s\n", yes_no(si.si_overrun >= 20), yes_no(ov == si.si_overrun));
    printf("2. delete %s, again %s\n", err(sys(timer_delete(t))), err(sys(timer_delete(t))));
    /* c. SIGEV_NONE: runs without a signal. */
    struct sigevent none = { .sigev_notify = SIGEV_NONE };
    timer_create(CLOCK_REALTIME, &none, &t);
    struct itimerspec sec = { { 0, 0 }, { 1, 0 } };
    timer_settime(t, 0, &sec, NULL);
    timer_gettime(t, &cur);
    printf("2. none: remaining %s\n", yes_no(ts_s(&cur.it_value) > 0.9 && ts_s(&cur.it_value) <= 1));
    struct itimerspec ms = { { 0, 0 }, { 0, 1000000 } };
    timer_settime(t, 0, &ms, NULL);
    usleep(5000);
    timer_gettime(t, &cur);
    printf("2. none: expired reads %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    /* CLOCK_REALTIME absolute, in the past: it has expired at once. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct itimerspec past = { { 0, 0 }, { now.tv_sec - 1, 0 } };
    timer_settime(t, TIMER_ABSTIME, &past, NULL);
    timer_gettime(t, &cur);
    printf("2. none: absolute past reads %ld.%09ld\n", (long)cur.it_value.tv_sec, cur.it_value.tv_nsec);
    timer_delete(t);
    /* d. SIGEV_THREAD_ID: to that thread. */
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    while (!__atomic_load_n(&waiter_tid, __ATOMIC_SEQ_CST))
        usleep(1000);
    struct sigevent tid = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN + 1, .sigev_value.sival_int = 7 };
    tid._sigev_un._tid = waiter_tid;
    printf("2. thread id create %s\n", err(sys(timer_create(CLOCK_BOOTTIME, &tid, &t))));
    timer_settime(t, 0, &shot, NULL);
    pthread_join(th, NULL);
    printf("2. thread id: the thread took it %s\n", yes_no(waiter_got == 7));
    timer_delete(t);
    tid._sigev_un._tid = 999999;
    printf("2. thread id of no thread %s\n", err(sys(timer_create(CLOCK_MONOTONIC, &tid, &t))));
    /* e. glibc's SIGEV_THREAD. */
    sem_init(&thread_sem, 0, 0);
    struct sigevent thr = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_thread, .sigev_value.sival_int = 9 };
    printf("2. sigev_thread create %s\n", err(sys(timer_create(CLOCK_MONOTONIC, &thr, &t))));
    timer_settime(t, 0, &shot, NULL);
    struct timespec limit;
    clock_gettime(CLOCK_REALTIME, &limit);
    limit.tv_sec += 20;
    printf("2. sigev_thread ran %s, value %d\n", yes_no(sem_timedwait(&thread_sem, &limit) == 0), thread_value);
    timer_delete(t);
    /* f. a CPU clock. b's 2 ms periodic timer may have queued one more SIGRTMIN between its wait
     * and its delete on a slow host, and Linux before 6.13 still delivers that after the delete:
     * drain what is pending, or unblocking would die of it before the handler is in place. */
    struct timespec zero = { 0, 0 };
    while (sigtimedwait(&block, NULL, &zero) > 0)
        ;
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    got_sig = 0;
    handle(SIGRTMIN);
    timer_create(CLOCK_PROCESS_CPUTIME_ID, &ev, &t);
    struct itimerspec cpu = { { 0, 0 }, { 0, 40000000 } };
    double before = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
    timer_settime(t, 0, &cpu, NULL);
    timer_gettime(t, &cur);
    printf("2. cpu timer remaining %s\n", yes_no(ts_s(&cur.it_value) > 0 && ts_s(&cur.it_value) <= 0.04));
    spin_until_sig(20);
    printf("2. cpu timer fired %s after its cpu time %s\n", yes_no(got_sig == SIGRTMIN),
           yes_no(cpu_s(CLOCK_PROCESS_CPUTIME_ID) - before >= 0.039));
    timer_delete(t);
    clockid_t thread_clock;
    pthread_getcpuclockid(pthread_self(), &thread_clock);
    printf("2. thread cpu clock create %s\n", err(sys(timer_create(thread_clock, &ev, &t))));
    timer_delete(t);
    /* g. errors, by raw system call (glibc's wrapper keeps ids of its own for SIGEV_THREAD). */
    int kid;
    printf("2. errors: raw clock %s, coarse %s, unknown %s\n",
           err(sys(syscall(SYS_timer_create, CLOCK_MONOTONIC_RAW, NULL, &kid))),
           err(sys(syscall(SYS_timer_create, CLOCK_MONOTONIC_COARSE, NULL, &kid))),
           err(sys(syscall(SYS_timer_create, 100, NULL, &kid))));
    struct sigevent bad = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = 0 };
    long r1 = sys(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    bad.sigev_signo = 65;
    long r2 = sys(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    bad.sigev_notify = 99;
    bad.sigev_signo = SIGUSR1;
    long r3 = sys(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &kid));
    printf("2. errors: signal 0 %s, signal 65 %s, notify 99 %s\n", err(r1), err(r2), err(r3));
    syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &kid);
    struct itimerspec badns = { { 0, 0 }, { 0, 1000000000 } };
    printf("2. errors: nsec %s, null value %s, unknown id %s\n", err(sys(syscall(SYS_timer_settime, kid, 0, &badns, NULL))),
           err(sys(syscall(SYS_timer_settime, kid, 0, NULL, NULL))),
           err(sys(syscall(SYS_timer_settime, kid + 1000, 0, &shot, NULL))));
    syscall(SYS_timer_delete, kid);
}

static void *spinner(void *arg)
{
    volatile int *stop = arg;
    while (!*stop)
        ;
    return NULL;
}

static void sleeps(void)
{
    struct timespec d = { 0, 30000000 }, rem;
    volatile int stop = 0;
    pthread_t th;
    pthread_create(&th, NULL, spinner, (void *)&stop);
    double before = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
    long r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &d, NULL);
    printf("3. process cpu clock sleep %s, its time passed %s\n", err(sys(r)), yes_no(cpu_s(CLOCK_PROCESS_CPUTIME_ID) - before >= 0.029));
    struct timespec abs;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &abs);
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
    r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &abs, NULL);
    printf("3. process cpu clock absolute %s, reached %s\n", err(sys(r)), yes_no(cpu_s(CLOCK_PROCESS_CPUTIME_ID) >= ts_s(&abs)));
    stop = 1;
    pthread_join(th, NULL);
    clockid_t own;
    pthread_getcpuclockid(pthread_self(), &own);
    printf("3. thread cpu clock %s, own thread's encoded %s\n",
           err(sys(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &d, NULL))),
           err(sys(syscall(SYS_clock_nanosleep, own, 0, &d, NULL))));
    printf("3. raw %s, coarse %s, unknown %s, past absolute %s\n",
           err(sys(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &d, NULL))),
           err(sys(syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &d, NULL))),
           err(sys(syscall(SYS_clock_nanosleep, 100, 0, &d, NULL))),
           err(sys(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &(struct timespec){ 0, 1 }, NULL))));
    /* EINTR and the time left. */
    got_sig = 0;
    handle(SIGALRM);
    struct itimerval shot = { { 0, 0 }, { 0, 30000 } };
    setitimer(ITIMER_REAL, &shot, NULL);
    struct timespec one = { 1, 0 };
    r = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &one, &rem);
    printf("3. monotonic interrupted %s, left %s\n", err(sys(r)), yes_no(ts_s(&rem) > 0.5 && ts_s(&rem) < 1));
    setitimer(ITIMER_REAL, &shot, NULL);
    struct timespec ten = { 10, 0 };
    r = syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, 0, &ten, &rem);
    printf("3. cpu clock interrupted %s, left %s\n", err(sys(r)), yes_no(ts_s(&rem) > 9 && ts_s(&rem) <= 10));
    clockid_t ids[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                        CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME };
    for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        struct timespec res;
        long e = sys(syscall(SYS_clock_getres, ids[i], &res));
        printf("3. getres %d: %s %ld.%09ld\n", ids[i], err(e), (long)res.tv_sec, res.tv_nsec);
    }
    struct timespec res;
    printf("3. getres unknown %s\n", err(sys(syscall(SYS_clock_getres, 100, &res))));
}

static void status_groups(void)
{
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    int n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *g = strstr(buf, "Groups:");
    char *end = g ? strchr(g, '\n') : NULL;
    if (end)
        *end = 0;
    printf("4. status [%s]\n", g ? g : "none");
}

static void groups(const char *self)
{
    gid_t set[] = { 500, 3, 100, 3 }, got[8];
    printf("4. setgroups %s\n", err(sys(setgroups(4, set))));
    int n = getgroups(8, got);
    printf("4. getgroups %d:", n);
    for (int i = 0; i < n; i++)
        printf(" %u", got[i]);
    printf("\n4. count %d, short buffer %s, bad size %s, too many %s\n", getgroups(0, NULL),
           err(sys(getgroups(2, got))), err(sys(syscall(SYS_setgroups, -1, set))),
           err(sys(syscall(SYS_setgroups, 65537, set))));
    status_groups();
    fflush(stdout);
    pid_t c = fork();
    if (!c) {
        n = getgroups(8, got);
        printf("4. child %d groups, last %u\n", n, n > 0 ? got[n - 1] : 0);
        fflush(stdout);
        execl(self, self, "exec-check", "0", (char *)NULL);
        _exit(99);
    }
    waitpid(c, NULL, 0);
    printf("4. parent keeps %d\n", getgroups(0, NULL));
    setgroups(0, NULL);
    status_groups();
}

static void touch(size_t len)
{
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; i < len; i += 4096)
        m[i] = 1;
    munmap(m, len);
}

/* ru_maxrss is a high-water mark: it stays after the memory goes; a child's reaches its parent
 * through wait4 and RUSAGE_CHILDREN. */
static void maxrss(void)
{
    struct rusage after, child, children;
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    int n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    char *rss = strstr(buf, "VmRSS:");
    long now_kb = rss ? atol(rss + 6) : 0;
    touch(8 << 20);
    getrusage(RUSAGE_SELF, &after);
    printf("5. self keeps the high-water mark %s\n", yes_no(now_kb > 0 && after.ru_maxrss >= now_kb + 8000));
    getrusage(RUSAGE_THREAD, &child);
    printf("5. thread reports the process's %s\n", yes_no(child.ru_maxrss >= after.ru_maxrss));
    fflush(stdout);
    pid_t c = fork();
    if (!c) {
        touch(24 << 20);
        _exit(0);
    }
    int st;
    wait4(c, &st, 0, &child);
    getrusage(RUSAGE_CHILDREN, &children);
    printf("5. wait4 has the child's %s, children's agrees %s\n", yes_no(child.ru_maxrss >= 24000),
           yes_no(children.ru_maxrss >= child.ru_maxrss));
}

static void *named(void *arg)
{
    while (!*(volatile int *)arg)
        usleep(1000);
    return NULL;
}

static void show_comm(const char *path)
{
    char buf[64] = { 0 };
    int fd = open(path, O_RDONLY);
    int n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    for (int i = 0; i < n; i++)
        if (buf[i] == '\n')
            buf[i] = '|';
    printf("6. %s [%s]\n", path[6] == 's' && strstr(path, "task") ? "task comm" : "comm", buf);
}

static void comm(void)
{
    char name[17] = { 0 };
    int fd = open("/proc/self/comm", O_WRONLY);
    printf("6. open for writing %s\n", yes_no(fd >= 0));
    printf("6. write %zd\n", write(fd, "newname", 7));
    prctl(PR_GET_NAME, name);
    printf("6. prctl sees [%s]\n", name);
    printf("6. long write %zd\n", write(fd, "abcdefghijklmnopqrstuvwxyz", 26));
    close(fd);
    show_comm("/proc/self/comm");
    fd = open("/proc/self/comm", O_WRONLY | O_TRUNC);
    write(fd, "nl\n", 3);
    close(fd);
    show_comm("/proc/self/comm");
    prctl(PR_SET_NAME, "viaprctl");
    show_comm("/proc/self/comm");
    volatile int stop = 0;
    pthread_t th;
    pthread_create(&th, NULL, named, (void *)&stop);
    printf("6. setname_np %d\n", pthread_setname_np(th, "worker"));
    char tn[16];
    printf("6. getname_np %d [%s]\n", pthread_getname_np(th, tn, sizeof(tn)), tn);
    show_comm("/proc/self/comm");
    stop = 1;
    pthread_join(th, NULL);
    fflush(stdout);
    pid_t parent = getpid(), c = fork();
    if (!c) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", parent);
        fd = open(path, O_WRONLY);
        printf("6. another process's comm: open %s, write %s\n", yes_no(fd >= 0), err(sys(write(fd, "x", 1))));
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
}

/* A group orphaned while a member is stopped: SIGHUP, then SIGCONT, to every member. */
static void orphans(void)
{
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t a = fork();
    if (!a) {
        setsid();
        pid_t b = fork();
        if (!b) {
            setpgid(0, 0);
            close(p[0]);
            sigset_t hup;
            sigemptyset(&hup);
            sigaddset(&hup, SIGHUP);
            sigprocmask(SIG_BLOCK, &hup, NULL);
            raise(SIGSTOP);
            /* Continued: SIGHUP is pending, then our group is orphaned, so SIGTSTP does not stop. */
            sigset_t pend;
            sigpending(&pend);
            char msg[64];
            raise(SIGTSTP);
            int n = snprintf(msg, sizeof(msg), "hup pending %s, ppid is not a %s\n", yes_no(sigismember(&pend, SIGHUP)),
                             yes_no(getppid() != getpid()));
            write(p[1], msg, n);
            _exit(0);
        }
        int st;
        waitpid(b, &st, WUNTRACED);    /* b has stopped: now its parent (us) leaves */
        _exit(WIFSTOPPED(st) ? 0 : 1);
    }
    close(p[1]);
    int st;
    waitpid(a, &st, 0);
    char buf[128] = { 0 };
    int n = read(p[0], buf, sizeof(buf) - 1);
    printf("7. orphaned group: a exit %d; b says %s", WEXITSTATUS(st), n > 0 ? buf : "nothing\n");
    close(p[0]);
}

/* pidfds: open, close-on-exec, a descriptor taken from the child, a signal through it, poll
 * for the exit, waitid(P_PIDFD); the errnos. */
static void pidfds(void)
{
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t c = fork();
    if (!c) {
        char b;
        close(p[1]);
        read(p[0], &b, 1);
        _exit(3);
    }
    int fd = syscall(SYS_pidfd_open, c, 0);
    printf("9. open %s, cloexec %s\n", yes_no(fd >= 0), yes_no(fcntl(fd, F_GETFD) == FD_CLOEXEC));
    struct pollfd pf = { fd, POLLIN, 0 };
    printf("9. poll while it runs %d\n", poll(&pf, 1, 0));
    int got = syscall(SYS_pidfd_getfd, fd, p[0], 0);
    printf("9. getfd %s, cloexec %s, bad fd %s\n", yes_no(got >= 0), yes_no(fcntl(got, F_GETFD) == FD_CLOEXEC),
           err(sys(syscall(SYS_pidfd_getfd, fd, 200, 0))));
    close(got);
    printf("9. signal 0 %s, flags %s, not a pidfd %s\n", err(sys(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0))),
           err(sys(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 3))),
           err(sys(syscall(SYS_pidfd_send_signal, p[0], SIGTERM, NULL, 0))) );
    printf("9. send %s\n", err(sys(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 1 /* PIDFD_SIGNAL_THREAD */))));
    int n = poll(&pf, 1, 20000);
    printf("9. poll after the end %d, readable %s\n", n, yes_no(pf.revents & POLLIN));
    siginfo_t si = { 0 };
    long r = sys(waitid(P_PIDFD, fd, &si, WEXITED));
    printf("9. waitid %s, pid matches %s, killed by %d\n", err(r), yes_no(si.si_pid == c), si.si_status);
    printf("9. waitid again %s\n", r == 0 && waitid(P_PIDFD, fd, &si, WEXITED) == -1 && errno == ECHILD ? "ECHILD" : "other");
    printf("9. signal after reap %s\n", sys(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0)) == -ESRCH ? "ESRCH" : "other");
    close(fd);
    close(p[0]);
    close(p[1]);
    /* clone's CLONE_PIDFD: the pidfd where parent_tid would go. */
    int cfd = -1;
    fflush(stdout);
    long k = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &cfd, 0, 0);
    if (k == 0)
        _exit(5);
    pf = (struct pollfd){ cfd, POLLIN, 0 };
    n = poll(&pf, 1, 20000);
    r = sys(waitid(P_PIDFD, cfd, &si, WEXITED));
    printf("8. clone pidfd %s, poll %d, waitid %s, status %d, cloexec %s\n", yes_no(k > 0 && cfd >= 0), n, err(r),
           si.si_status, yes_no(fcntl(cfd, F_GETFD) == FD_CLOEXEC));
    close(cfd);
    printf("9. clone pidfd with parent_settid %s\n",
           err(sys(syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &cfd, 0, 0))));
    printf("9. open no process %s, flags %s\n", sys(syscall(SYS_pidfd_open, 999999, 0)) == -ESRCH ? "ESRCH" : "other",
           err(sys(syscall(SYS_pidfd_open, getpid(), 1))));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 2 && !strcmp(argv[1], "exec-check"))
        return exec_check(argv[2]);
    char self[256];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = 0;
    itimers(self);
    posix_timers();
    sleeps();
    groups(self);
    maxrss();
    comm();
    orphans();
    pidfds();
    return 0;
}
