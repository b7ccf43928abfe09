/* Signal conformance sweep: every signal call's answer (return value or errno name, flags, masks,
 * siginfo fields, wait statuses) printed section by section. The oracle is this program under
 * qemu-aarch64-static on the host's kernel. Nothing that differs between two correct kernels is
 * printed: no pids or addresses, only whether they are the expected ones. A section that may
 * kill its process runs in a forked child. Only pids this probe forked are ever signalled. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/select.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "probe_print.h"

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)     /* linux/signal.h; glibc does not export it */
#endif

static const char *dir;

/* The kernel's struct sigaction (rt_sigaction's own layout on arm64). */
struct ksa {
    uint64_t handler, flags, restorer, mask;
};

static long rt_sigaction(int sig, const struct ksa *act, struct ksa *old, size_t size)
{
    return syscall(SYS_rt_sigaction, sig, act, old, size);
}

static void on(int sig, void (*h)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigaction(sig, &sa, NULL);
}

static void dfl(int sig) { signal(sig, SIG_DFL); }

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) && errno == EINTR)
        ;
}

/* Until `pid` sleeps in a blocking call (its /proc state is S), at most about 2 s. */
static void wait_asleep(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 400; i++) {
        int fd = open(path, O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (n > 0) {
            buf[n] = 0;
            char *p = strrchr(buf, ')');
            if (p && p[2] == 'S')
                break;
        }
        sleep_ms(5);
    }
    sleep_ms(20);
}

static pid_t reap(pid_t pid)
{
    int st;
    return waitpid(pid, &st, 0);
}

static void status(const char *what, int st)
{
    if (WIFEXITED(st))
        say("   %s exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        say("   %s killed by %d core %d\n", what, WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);
    else if (WIFSTOPPED(st))
        say("   %s stopped by %d\n", what, WSTOPSIG(st));
    else
        say("   %s status %#x\n", what, st);
}

/* A section that may kill its process: run in a child, its end reported. */
static void isolated(void (*fn)(void))
{
    pid_t pid = fork();
    if (pid == 0) {
        alarm(20);
        fn();
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        status("section's process", st);
}

/* ---- 1. rt_sigaction ---- */

static volatile int hits, last_sig;
static volatile uint64_t mask_in_handler;
static volatile int had_info;

static void count(int sig, siginfo_t *si, void *uc)
{
    hits++;
    last_sig = sig;
    had_info = si != NULL && uc != NULL && si->si_signo == sig;
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    mask_in_handler = *(uint64_t *)&m;
}

static void plain(int sig) { hits++; last_sig = sig; }

static void section_sigaction(void)
{
    say("1. rt_sigaction\n");
    struct ksa act = { (uint64_t)plain, 0, 0, 0 }, old;
    r("signal 0", rt_sigaction(0, &act, NULL, 8));
    r("signal 65", rt_sigaction(65, &act, NULL, 8));
    r("signal -1", rt_sigaction(-1, NULL, &old, 8));
    r("set SIGKILL", rt_sigaction(SIGKILL, &act, NULL, 8));
    r("set SIGSTOP", rt_sigaction(SIGSTOP, &act, NULL, 8));
    r("read SIGKILL", rt_sigaction(SIGKILL, NULL, &old, 8));
    say("   SIGKILL handler %lu flags %#lx\n", old.handler, old.flags);
    r("sigsetsize 4", rt_sigaction(SIGUSR1, &act, NULL, 4));
    r("sigsetsize 16", rt_sigaction(SIGUSR1, NULL, &old, 16));
    r("bad act pointer", rt_sigaction(SIGUSR1, (void *)8, NULL, 8));
    r("bad old pointer", rt_sigaction(SIGUSR1, NULL, (void *)8, 8));
    r("SIGRTMAX (64)", rt_sigaction(64, NULL, &old, 8));

    /* glibc's sigaction and what the kernel keeps of it. */
    struct sigaction sa = {0};
    sa.sa_handler = plain;
    sa.sa_flags = SA_RESTART | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGUSR2);
    sigaddset(&sa.sa_mask, SIGKILL);
    sigaddset(&sa.sa_mask, SIGSTOP);
    sigaddset(&sa.sa_mask, SIGRTMIN + 2);
    r("glibc sigaction", sigaction(SIGUSR1, &sa, NULL));
    rt_sigaction(SIGUSR1, NULL, &old, 8);
    say("   read back: handler ok %d flags %#lx restorer set %d mask %#lx\n", old.handler == (uint64_t)plain,
        old.flags, old.restorer != 0, old.mask);
    struct sigaction back;
    sigaction(SIGUSR1, NULL, &back);
    say("   glibc read back: flags %#x mask has USR2 %d KILL %d\n", back.sa_flags,
        sigismember(&back.sa_mask, SIGUSR2), sigismember(&back.sa_mask, SIGKILL));
    act = (struct ksa){ (uint64_t)plain, 0x7fffffffUL, 0, 0 };
    r("every flag bit", rt_sigaction(SIGUSR2, &act, &old, 8));
    rt_sigaction(SIGUSR2, NULL, &old, 8);
    say("   kept flags %#lx\n", old.flags);
    act = (struct ksa){ (uint64_t)SIG_DFL, 0, 0, 0 };
    rt_sigaction(SIGUSR2, &act, &old, 8);
    say("   old action handler ok %d\n", old.handler == (uint64_t)plain);
    rt_sigaction(SIGTERM, NULL, &old, 8);
    say("   untouched SIGTERM: handler %lu flags %#lx mask %#lx\n", old.handler, old.flags, old.mask);

    /* SA_RESETHAND: the first delivery resets it; the signal is blocked while it runs. */
    on(SIGUSR1, count, SA_RESETHAND);
    hits = 0;
    raise(SIGUSR1);
    rt_sigaction(SIGUSR1, NULL, &old, 8);
    say("   SA_RESETHAND: hits %d now default %d, USR1 blocked in handler %d\n", hits, old.handler == 0,
        !!(mask_in_handler & (1UL << (SIGUSR1 - 1))));
    on(SIGUSR1, count, 0);
    raise(SIGUSR1);
    say("   no flags: USR1 blocked in handler %d, info given %d\n", !!(mask_in_handler & (1UL << (SIGUSR1 - 1))),
        had_info);
    on(SIGUSR1, count, SA_NODEFER);
    raise(SIGUSR1);
    say("   SA_NODEFER: USR1 blocked in handler %d\n", !!(mask_in_handler & (1UL << (SIGUSR1 - 1))));
    struct sigaction m = {0};
    m.sa_sigaction = count;
    m.sa_flags = SA_SIGINFO;
    sigaddset(&m.sa_mask, SIGUSR2);
    sigaddset(&m.sa_mask, SIGRTMIN);
    sigaction(SIGUSR1, &m, NULL);
    raise(SIGUSR1);
    say("   sa_mask: blocked in handler %#lx\n", mask_in_handler);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    say("   after the handler %#lx\n", *(uint64_t *)&now);
    dfl(SIGUSR1);
}

/* ---- 2. SA_RESTART against EINTR ---- */

enum call { READ_PIPE, NANOSLEEP, WAIT4, WAITID, FUTEX, FUTEX_TIMED, EPOLL_WAIT, POLL, SELECT, ACCEPT,
            RECV, RECV_TIMEO, SIGTIMEDWAIT_, SIGSUSPEND_, PAUSE_ };
static const char *const call_names[] = { "read of a pipe", "nanosleep", "wait4", "waitid", "futex wait",
                                          "futex wait with timeout", "epoll_wait", "poll", "select", "accept",
                                          "recv", "recv with SO_RCVTIMEO", "sigtimedwait",
                                          "sigsuspend", "pause" };

static void interrupted(enum call c, int restart)
{
    struct sigaction sa = {0};
    sa.sa_handler = plain;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGUSR1, &sa, NULL);
    int p[2];
    pipe(p);
    int *futex_word = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    bind(lfd, (struct sockaddr *)&a, sizeof a);
    listen(lfd, 4);
    getsockname(lfd, (struct sockaddr *)&a, &alen);
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
    struct timeval tv = { 2, 0 };
    if (c == RECV_TIMEO)
        setsockopt(sp[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    sigprocmask(SIG_BLOCK, &usr2, NULL);
    pid_t parent = getpid();
    hits = 0;
    pid_t child = fork();
    if (child == 0) {
        wait_asleep(parent);
        kill(parent, SIGUSR1);
        sleep_ms(50);
        /* What ends the call if it is restarted. */
        write(p[1], "x", 1);
        write(sp[1], "x", 1);
        kill(parent, SIGUSR2);
        *futex_word = 1;
        syscall(SYS_futex, futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        connect(s, (struct sockaddr *)&a, sizeof a);
        sleep_ms(c == WAIT4 ? 0 : 100);
        _exit(3);
    }
    long ret = 0;
    char b;
    struct timespec ts = { 2, 0 };
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    int st;
    sigset_t none;
    sigemptyset(&none);
    switch (c) {
    case READ_PIPE: ret = read(p[0], &b, 1); break;
    case NANOSLEEP: ret = nanosleep(&ts, NULL); break;
    case WAIT4: ret = wait4(child, &st, 0, NULL); if (ret == child) ret = 1000; break;
    case FUTEX: ret = syscall(SYS_futex, futex_word, FUTEX_WAIT, 0, NULL, NULL, 0); break;
    case FUTEX_TIMED: ret = syscall(SYS_futex, futex_word, FUTEX_WAIT, 0, &ts, NULL, 0); break;
    case WAITID: {
        siginfo_t wi;
        ret = waitid(P_PID, child, &wi, WEXITED);
        if (!ret)
            ret = 1000;
        break;
    }
    case EPOLL_WAIT: ret = epoll_wait(ep, &got, 1, 2000); break;
    case POLL: {
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        ret = poll(&pfd, 1, 2000);
        break;
    }
    case SELECT: {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(p[0], &r);
        struct timeval t = { 2, 0 };
        ret = select(p[0] + 1, &r, NULL, NULL, &t);
        break;
    }
    case RECV:
    case RECV_TIMEO: ret = recv(sp[0], &b, 1, 0); break;
    case SIGTIMEDWAIT_: ret = sigtimedwait(&usr2, NULL, &ts); break;
    case ACCEPT: ret = accept(lfd, NULL, NULL); if (ret >= 0) ret = 1000; break;
    case SIGSUSPEND_: ret = sigsuspend(&none); break;
    case PAUSE_: ret = pause(); break;
    }
    char what[80];
    snprintf(what, sizeof what, "%s%s (hits %d)", call_names[c], restart ? " SA_RESTART" : "", hits);
    r(what, ret);
    if ((c != WAIT4 && c != WAITID) || ret != 1000)
        reap(child);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);     /* a USR2 still pending is ignored: dropped */
    close(sp[0]);
    close(sp[1]);
    close(p[0]);
    close(p[1]);
    close(lfd);
    close(ep);
    munmap(futex_word, 4096);
    dfl(SIGUSR1);
}

static void section_restart(void)
{
    say("2. SA_RESTART and EINTR\n");
    signal(SIGUSR2, SIG_IGN);
    for (int c = READ_PIPE; c <= PAUSE_; c++)
        for (int restart = 0; restart < 2; restart++)
            if (c < SIGSUSPEND_ || !restart)
                interrupted(c, restart);
}

/* ---- 3. rt_sigprocmask, sigpending, sigsuspend, sigtimedwait ---- */

static uint64_t blocked_now(void)
{
    uint64_t m = 0;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &m, 8);
    return m;
}

static void section_mask(void)
{
    say("3. rt_sigprocmask, sigpending, sigsuspend, rt_sigtimedwait\n");
    uint64_t set = (1UL << (SIGUSR1 - 1)) | (1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)) | (1UL << 40), old;
    r("SIG_BLOCK", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, &old, 8));
    say("   before %#lx now %#lx\n", old, blocked_now());
    set = 1UL << (SIGUSR2 - 1);
    r("SIG_BLOCK USR2", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &set, NULL, 8));
    set = 1UL << (SIGUSR1 - 1);
    r("SIG_UNBLOCK USR1", syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, &old, 8));
    say("   before %#lx now %#lx\n", old, blocked_now());
    set = ~0UL;
    r("SIG_SETMASK all", syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8));
    say("   now %#lx\n", blocked_now());
    r("how 3", syscall(SYS_rt_sigprocmask, 3, &set, NULL, 8));
    r("how -1", syscall(SYS_rt_sigprocmask, -1, &set, NULL, 8));
    r("how 3 without a set", syscall(SYS_rt_sigprocmask, 3, NULL, &old, 8));
    r("sigsetsize 4", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 4));
    r("sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &old, 16));
    r("bad set pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, (void *)8, NULL, 8));
    r("bad old pointer", syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, (void *)8, 8));
    set = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &set, NULL, 8);

    /* Pending: only blocked ones show. */
    on(SIGUSR1, count, 0);
    on(SIGUSR2, count, 0);
    sigset_t s, p;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    hits = 0;
    raise(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    sigpending(&p);
    uint64_t pend = 0;
    r("rt_sigpending size 8", syscall(SYS_rt_sigpending, &pend, 8));
    say("   pending %#lx (glibc %d) hits %d\n", pend, sigismember(&p, SIGUSR1), hits);
    r("rt_sigpending size 9", syscall(SYS_rt_sigpending, &pend, 9));
    r("rt_sigpending size 4", syscall(SYS_rt_sigpending, &pend, 4));
    r("rt_sigpending bad pointer", syscall(SYS_rt_sigpending, (void *)8, 8));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   unblocked: standard signal coalesced, hits %d\n", hits);

    /* An ignored signal that is blocked stays pending (it may be unignored before it is
     * unblocked); making it ignored again discards it. */
    signal(SIGUSR2, SIG_IGN);
    sigset_t u2;
    sigemptyset(&u2);
    sigaddset(&u2, SIGUSR2);
    sigaddset(&u2, SIGWINCH);
    sigprocmask(SIG_BLOCK, &u2, NULL);
    raise(SIGUSR2);
    raise(SIGWINCH);
    sigpending(&p);
    say("   blocked and ignored: USR2 pending %d, WINCH (default ignored) pending %d\n", sigismember(&p, SIGUSR2),
        sigismember(&p, SIGWINCH));
    signal(SIGUSR2, SIG_IGN);
    signal(SIGWINCH, SIG_DFL);
    sigpending(&p);
    say("   after setting them ignored again: USR2 %d WINCH %d\n", sigismember(&p, SIGUSR2), sigismember(&p, SIGWINCH));
    raise(SIGUSR2);
    on(SIGUSR2, count, 0);
    hits = 0;
    sigprocmask(SIG_UNBLOCK, &u2, NULL);
    say("   sent while ignored, handled once unblocked with a handler: hits %d\n", hits);

    /* sigsuspend: the temporary mask lets USR1 in, the old mask is back after. */
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    sigset_t empty;
    sigemptyset(&empty);
    hits = 0;
    r("sigsuspend", sigsuspend(&empty));
    say("   hits %d, mask after %#lx\n", hits, blocked_now());
    r("rt_sigsuspend size 4", syscall(SYS_rt_sigsuspend, &empty, 4));
    r("rt_sigsuspend bad pointer", syscall(SYS_rt_sigsuspend, (void *)8, 8));

    /* sigtimedwait */
    struct timespec ts = { 0, 10000000 };
    siginfo_t si;
    r("sigtimedwait timeout", sigtimedwait(&s, &si, &ts));
    struct timespec zero = { 0, 0 };
    r("sigtimedwait zero timeout", sigtimedwait(&s, &si, &zero));
    struct timespec bad = { 0, 1000000000 };
    r("sigtimedwait bad nsec", sigtimedwait(&s, &si, &bad));
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    r("sigtimedwait negative", sigtimedwait(&s, &si, &bad));
    r("rt_sigtimedwait size 4", syscall(SYS_rt_sigtimedwait, &s, &si, &ts, 4));
    kill(getpid(), SIGUSR1);
    memset(&si, 0, sizeof si);
    long got = sigtimedwait(&s, &si, &ts);
    r("sigtimedwait after kill", got);
    say("   signo %d code %d pid ok %d uid ok %d errno %d\n", si.si_signo, si.si_code, si.si_pid == getpid(),
        si.si_uid == getuid(), si.si_errno);
    raise(SIGUSR1);
    got = sigwaitinfo(&s, &si);
    r("sigwaitinfo after raise", got);
    say("   signo %d code %d pid ok %d\n", si.si_signo, si.si_code, si.si_pid == getpid());
    raise(SIGUSR1);
    r("sigtimedwait without info", syscall(SYS_rt_sigtimedwait, &s, NULL, &ts, 8));
    sigset_t kill_only;
    sigemptyset(&kill_only);
    sigaddset(&kill_only, SIGKILL);
    r("sigtimedwait for SIGKILL only", sigtimedwait(&kill_only, &si, &ts));
    /* A signal outside the waited set interrupts it. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    pid_t parent = getpid(), child = fork();
    if (child == 0) {
        wait_asleep(parent);
        kill(parent, SIGUSR2);
        _exit(0);
    }
    struct timespec two = { 2, 0 };
    hits = 0;
    r("sigtimedwait interrupted by a handled signal", sigtimedwait(&s, &si, &two));
    say("   hits %d\n", hits);
    reap(child);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

/* ---- 4. sending: kill, tkill, tgkill, rt_sigqueueinfo, order ---- */

static volatile int order[16], norder;
static volatile long values[16];

static void record(int sig, siginfo_t *si, void *uc)
{
    if (norder < 16) {
        values[norder] = si->si_value.sival_int;
        order[norder++] = sig;
    }
}

static void section_send(void)
{
    say("4. kill, tkill, tgkill, rt_sigqueueinfo, delivery order\n");
    pid_t me = getpid();
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    reap(gone);
    r("kill reaped pid", kill(gone, SIGUSR1));
    r("kill reaped pid signal 0", kill(gone, 0));
    r("kill self signal 0", kill(me, 0));
    r("kill self signal 65", kill(me, 65));
    r("kill self signal -1", kill(me, -1));
    r("kill INT_MIN", kill(INT32_MIN, 0));
    r("kill reaped pid signal 65", kill(gone, 65));
    r("tkill 0", syscall(SYS_tkill, 0, 0));
    r("tkill -1", syscall(SYS_tkill, -1, 0));
    r("tkill self 0", syscall(SYS_tkill, gettid(), 0));
    r("tkill self 65", syscall(SYS_tkill, gettid(), 65));
    r("tkill reaped", syscall(SYS_tkill, gone, 0));
    r("tgkill 0 tid", syscall(SYS_tgkill, 0, gettid(), 0));
    r("tgkill pid 0", syscall(SYS_tgkill, me, 0, 0));
    r("tgkill wrong group", syscall(SYS_tgkill, gone, gettid(), 0));
    r("tgkill self 0", syscall(SYS_tgkill, me, gettid(), 0));
    r("tgkill self 65", syscall(SYS_tgkill, me, gettid(), 65));

    /* A zombie still takes signal 0 and others. */
    pid_t zombie = fork();
    if (zombie == 0)
        _exit(0);
    sleep_ms(100);
    r("kill zombie signal 0", kill(zombie, 0));
    r("kill zombie SIGKILL", kill(zombie, SIGKILL));
    int st;
    waitpid(zombie, &st, 0);
    status("zombie", st);

    /* rt_sigqueueinfo */
    siginfo_t si;
    memset(&si, 0, sizeof si);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGRTMIN);
    sigaddset(&s, SIGRTMIN + 1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 7;
    si.si_pid = 12345;
    r("rt_sigqueueinfo self SI_QUEUE", syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    siginfo_t got;
    struct timespec ts = { 0, 0 };
    sigtimedwait(&s, &got, &ts);
    say("   got signo %d code %d pid %d value %d\n", got.si_signo, got.si_code, got.si_pid, got.si_value.sival_int);
    si.si_code = 0;
    r("rt_sigqueueinfo self code 0", syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    sigtimedwait(&s, &got, &ts);
    say("   got code %d pid %d\n", got.si_code, got.si_pid);
    si.si_code = SI_TKILL;
    r("rt_sigqueueinfo self SI_TKILL", syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, &si));
    sigtimedwait(&s, &got, &ts);
    r("rt_sigqueueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, me, SIGUSR1, (void *)8));
    si.si_code = SI_QUEUE;
    r("rt_sigqueueinfo signal 65", syscall(SYS_rt_sigqueueinfo, me, 65, &si));
    r("rt_sigqueueinfo signal 0", syscall(SYS_rt_sigqueueinfo, me, 0, &si));
    r("rt_sigqueueinfo reaped", syscall(SYS_rt_sigqueueinfo, gone, SIGUSR1, &si));
    pid_t other = fork();
    if (other == 0) {
        sigset_t w;
        sigemptyset(&w);
        sigaddset(&w, SIGUSR1);
        sigprocmask(SIG_BLOCK, &w, NULL);
        siginfo_t in;
        struct timespec t = { 5, 0 };
        int sig = sigtimedwait(&w, &in, &t);
        _exit(sig == SIGUSR1 && in.si_code == SI_QUEUE && in.si_value.sival_int == 9 ? 40 : 41);
    }
    si.si_code = 0;
    r("rt_sigqueueinfo other code 0", syscall(SYS_rt_sigqueueinfo, other, SIGUSR1, &si));
    si.si_code = SI_TKILL;
    r("rt_sigqueueinfo other SI_TKILL", syscall(SYS_rt_sigqueueinfo, other, SIGUSR1, &si));
    si.si_code = SI_USER;
    r("rt_tgsigqueueinfo other SI_USER", syscall(SYS_rt_tgsigqueueinfo, other, other, SIGUSR1, &si));
    si.si_code = SI_QUEUE;
    si.si_value.sival_int = 9;
    r("rt_sigqueueinfo other SI_QUEUE", syscall(SYS_rt_sigqueueinfo, other, SIGUSR1, &si));
    waitpid(other, &st, 0);
    status("receiver", st);
    r("rt_tgsigqueueinfo self", syscall(SYS_rt_tgsigqueueinfo, me, gettid(), SIGUSR1, &si));
    sigtimedwait(&s, &got, &ts);
    say("   got code %d value %d\n", got.si_code, got.si_value.sival_int);
    r("rt_tgsigqueueinfo tid 0", syscall(SYS_rt_tgsigqueueinfo, me, 0, SIGUSR1, &si));
    r("rt_tgsigqueueinfo wrong group", syscall(SYS_rt_tgsigqueueinfo, gone, gettid(), SIGUSR1, &si));

    /* Order: lowest number first; real-time ones each queued, in order. */
    on(SIGUSR1, record, 0);
    on(SIGUSR2, record, 0);
    on(SIGTERM, record, 0);
    on(SIGRTMIN, record, 0);
    on(SIGRTMIN + 1, record, 0);
    norder = 0;
    raise(SIGTERM);
    raise(SIGUSR2);
    raise(SIGUSR1);
    raise(SIGUSR2);
    for (int i = 1; i <= 3; i++)
        sigqueue(me, SIGRTMIN + 1, (union sigval){ .sival_int = i });
    for (int i = 4; i <= 5; i++)
        sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = i });
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   order:");
    for (int i = 0; i < norder; i++)
        say(" %s%d/%ld", order[i] >= SIGRTMIN ? "RTMIN+" : "", order[i] >= SIGRTMIN ? order[i] - SIGRTMIN : order[i],
            order[i] >= SIGRTMIN ? values[i] : 0L);
    say("\n");
    /* The same with handlers that block everything: they run one after another, in the order
     * they are taken (lowest number first, a real-time signal's instances in sending order). */
    struct sigaction all = { .sa_sigaction = record, .sa_flags = SA_SIGINFO };
    sigfillset(&all.sa_mask);
    int sigs[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGRTMIN, SIGRTMIN + 1 };
    for (int i = 0; i < 5; i++)
        sigaction(sigs[i], &all, NULL);
    sigprocmask(SIG_BLOCK, &s, NULL);
    norder = 0;
    raise(SIGTERM);
    raise(SIGUSR2);
    raise(SIGUSR1);
    for (int i = 1; i <= 3; i++)
        sigqueue(me, SIGRTMIN + 1, (union sigval){ .sival_int = i });
    for (int i = 4; i <= 5; i++)
        sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = i });
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   one at a time:");
    for (int i = 0; i < norder; i++)
        say(" %s%d/%ld", order[i] >= SIGRTMIN ? "RTMIN+" : "", order[i] >= SIGRTMIN ? order[i] - SIGRTMIN : order[i],
            order[i] >= SIGRTMIN ? values[i] : 0L);
    say("\n");
    /* kill() of a real-time signal queues too. */
    sigprocmask(SIG_BLOCK, &s, NULL);
    norder = 0;
    kill(me, SIGRTMIN);
    kill(me, SIGRTMIN);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   two kill()s of SIGRTMIN: %d deliveries\n", norder);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
    dfl(SIGTERM);
    dfl(SIGRTMIN);
    dfl(SIGRTMIN + 1);
}

/* ---- 5. siginfo of SIGCHLD ---- */

static void chld_info(const char *what, pid_t pid, const sigset_t *s)
{
    siginfo_t si;
    struct timespec ts = { 3, 0 };
    memset(&si, 0, sizeof si);
    int sig = sigtimedwait(s, &si, &ts);
    say("   %s: signal %d code %d status %d pid ok %d uid ok %d\n", what, sig, si.si_code, si.si_status,
        si.si_pid == pid, si.si_uid == getuid());
}

static void section_sigchld(void)
{
    say("5. SIGCHLD siginfo\n");
    struct rlimit nocore = { 0, 0 };
    setrlimit(RLIMIT_CORE, &nocore);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGCHLD);
    sigprocmask(SIG_BLOCK, &s, NULL);
    pid_t c = fork();
    if (c == 0)
        _exit(7);
    chld_info("exit 7", c, &s);
    reap(c);
    c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    kill(c, SIGTERM);
    chld_info("SIGTERM", c, &s);
    reap(c);
    c = fork();
    if (c == 0) {
        abort();
    }
    chld_info("abort (no core)", c, &s);
    int st;
    waitpid(c, &st, 0);
    status("abort", st);
    int go[2];
    pipe(go);
    c = fork();
    if (c == 0) {
        char b;
        raise(SIGSTOP);
        read(go[0], &b, 1);        /* exits only once the continue was seen */
        _exit(5);
    }
    chld_info("SIGSTOP", c, &s);
    waitpid(c, &st, WUNTRACED);
    status("stopped", st);
    kill(c, SIGCONT);
    chld_info("SIGCONT", c, &s);
    waitpid(c, &st, WCONTINUED);
    say("   WIFCONTINUED %d\n", WIFCONTINUED(st));
    write(go[1], "g", 1);
    chld_info("then exit 5", c, &s);
    waitpid(c, &st, 0);
    status("continued", st);
    struct timespec zero = { 0, 0 };
    siginfo_t si;
    r("nothing more", sigtimedwait(&s, &si, &zero));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* ---- 6. fault siginfo ---- */

/* Address 16: never mapped (the compiler must not see a constant it could warn about). */
static volatile int *volatile low_address = (volatile int *)16;

static sigjmp_buf jump;
static volatile int f_sig, f_code;
static volatile uintptr_t f_addr, f_pc;

static void fault(int sig, siginfo_t *si, void *uc)
{
    f_sig = sig;
    f_code = si->si_code;
    f_addr = (uintptr_t)si->si_addr;
    f_pc = ((ucontext_t *)uc)->uc_mcontext.pc;
    siglongjmp(jump, 1);
}

extern char udf_at[], brk_at[];

static void show_fault(const char *what, uintptr_t addr)
{
    say("   %s: signal %d code %d addr %s\n", what, f_sig, f_code,
        f_addr == addr ? "ok" : f_addr ? "other" : "0");
}

static void section_faults(void)
{
    say("6. fault siginfo\n");
    on(SIGSEGV, fault, 0);
    on(SIGBUS, fault, 0);
    on(SIGILL, fault, 0);
    on(SIGTRAP, fault, 0);
    f_sig = 0;
    if (!sigsetjmp(jump, 1))
        *low_address = 1;
    show_fault("write to 16", 16);
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(jump, 1))
        m[5] = 1;
    show_fault("write to a read-only page", (uintptr_t)m + 5);
    mprotect(m, page, PROT_NONE);
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)(m + 9);
    show_fault("read of PROT_NONE", (uintptr_t)m + 9);
    munmap(m + page, page);
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)(m + page + 3);
    show_fault("read of an unmapped page", (uintptr_t)m + page + 3);
    munmap(m, page);

    char path[256];
    snprintf(path, sizeof path, "%s/sigconf-bus", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "0123456789", 10);
    char *f = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)(f + 100);
    say("   inside the file's last page: signal %d\n", f_sig == SIGBUS ? SIGBUS : 0);
    f_sig = 0;
    if (!sigsetjmp(jump, 1))
        (void)*(volatile char *)(f + page + 1);
    show_fault("past the end of the file", (uintptr_t)f + page + 1);
    munmap(f, 2 * page);
    close(fd);
    unlink(path);

    if (!sigsetjmp(jump, 1))
        __asm__ volatile(".globl udf_at\nudf_at: udf #0");
    show_fault("udf", (uintptr_t)udf_at);
    say("   pc at the udf %d\n", f_pc == (uintptr_t)udf_at);
    if (!sigsetjmp(jump, 1))
        __asm__ volatile(".globl brk_at\nbrk_at: brk #0x7");
    show_fault("brk", (uintptr_t)brk_at);
    say("   pc at the brk %d\n", f_pc == (uintptr_t)brk_at);

    volatile int zero = 0, num = 7;
    volatile int q = num / zero;
    volatile unsigned long uq = 9UL / (unsigned long)zero;
    say("   division by zero: %d %lu, no SIGFPE\n", q, uq);

    /* A blocked fault signal still kills. */
    pid_t c = fork();
    if (c == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        *low_address = 1;
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    status("blocked SIGSEGV", st);
    c = fork();
    if (c == 0) {
        signal(SIGSEGV, SIG_IGN);
        *low_address = 1;
        _exit(0);
    }
    waitpid(c, &st, 0);
    status("ignored SIGSEGV", st);
    dfl(SIGSEGV);
    dfl(SIGBUS);
    dfl(SIGILL);
    dfl(SIGTRAP);
}

/* ---- 7. siginfo of raise, kill, timers ---- */

static siginfo_t last_info;

static void keep(int sig, siginfo_t *si, void *uc) { last_info = *si; }

static void section_sources(void)
{
    say("7. siginfo of raise, kill, sigqueue, timers\n");
    on(SIGUSR1, keep, 0);
    raise(SIGUSR1);
    say("   raise: code %d pid ok %d uid ok %d\n", last_info.si_code, last_info.si_pid == getpid(),
        last_info.si_uid == getuid());
    kill(getpid(), SIGUSR1);
    say("   kill: code %d pid ok %d uid ok %d\n", last_info.si_code, last_info.si_pid == getpid(),
        last_info.si_uid == getuid());
    sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 33 });
    say("   sigqueue: code %d pid ok %d value %d\n", last_info.si_code, last_info.si_pid == getpid(),
        last_info.si_value.sival_int);
    timer_t t;
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1 };
    ev.sigev_value.sival_int = 42;
    timer_create(CLOCK_MONOTONIC, &ev, &t);
    struct itimerspec it = { .it_value = { 0, 1000000 } };
    memset(&last_info, 0, sizeof last_info);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    timer_settime(t, 0, &it, NULL);
    sigset_t empty;
    sigemptyset(&empty);
    sigsuspend(&empty);
    say("   timer: code %d value %d overrun %d\n", last_info.si_code, last_info.si_value.sival_int,
        last_info.si_overrun);
    timer_delete(t);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    alarm(0);
    dfl(SIGALRM);
    struct sigaction sa = { .sa_sigaction = keep, .sa_flags = SA_SIGINFO };
    sigaction(SIGALRM, &sa, NULL);
    memset(&last_info, 0, sizeof last_info);
    sigprocmask(SIG_BLOCK, NULL, &s);
    /* SIGALRM blocked until sigsuspend lets it in: a 2 ms timer can fire before the call on a
     * loaded host, and the wait would then be for nothing. */
    sigset_t with_alrm = s;
    sigaddset(&with_alrm, SIGALRM);
    sigprocmask(SIG_SETMASK, &with_alrm, NULL);
    struct itimerval iv = { .it_value = { 0, 2000 } };
    setitimer(ITIMER_REAL, &iv, NULL);
    sigsuspend(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
    say("   setitimer: signo %d code %d\n", last_info.si_signo, last_info.si_code);
    dfl(SIGUSR1);
    dfl(SIGALRM);
}

/* ---- 8. sigaltstack and the ucontext ---- */

static char *alt;
static size_t alt_size;
static volatile int on_alt, alt_flags, eperm, nested_depth, uc_has_usr2, uc_has_usr1;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
    char here;
    on_alt = &here > alt && &here < alt + alt_size;
    stack_t o;
    sigaltstack(NULL, &o);
    alt_flags = o.ss_flags;
    stack_t n = { .ss_sp = alt, .ss_size = alt_size };
    eperm = sigaltstack(&n, NULL) ? errno : 0;
    ucontext_t *u = uc;
    uc_has_usr2 = sigismember(&u->uc_sigmask, SIGUSR2);
    uc_has_usr1 = sigismember(&u->uc_sigmask, SIGUSR1);
    alt_flags |= (u->uc_stack.ss_flags & 0xff) << 8;
}

static volatile int inner_on_alt, inner_flags;

static void inner(int sig, siginfo_t *si, void *uc)
{
    char here;
    inner_on_alt = &here > alt && &here < alt + alt_size;
    ucontext_t *u = uc;
    inner_flags = u->uc_stack.ss_flags;
    nested_depth++;
}

static void outer(int sig, siginfo_t *si, void *uc)
{
    nested_depth++;
    raise(SIGUSR2);       /* runs now, nested on top of this frame */
    nested_depth *= 10;
}

static volatile int skipped;
extern char skip_at[];

/* A JIT's trick: step over the faulting instruction by editing the saved pc. */
static void skip(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    skipped = uc->uc_mcontext.pc == (uintptr_t)skip_at;
    uc->uc_mcontext.pc += 4;
    uc->uc_mcontext.regs[9] = 1234;
}

/* A handler that edits uc_sigmask: sigreturn installs the edited mask. */
static void add_usr2(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    sigaddset(&uc->uc_sigmask, SIGUSR2);
    sigaddset(&uc->uc_sigmask, SIGKILL);
}

static volatile int fp_found, fp_size, fp_value_ok;

static void fpsimd(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    struct _aarch64_ctx *h = (struct _aarch64_ctx *)uc->uc_mcontext.__reserved;
    for (int i = 0; i < 8 && h->magic; i++) {
        if (h->magic == FPSIMD_MAGIC) {
            fp_found = 1;
            fp_size = h->size;
            struct fpsimd_context *fp = (struct fpsimd_context *)h;
            fp_value_ok = (uint64_t)fp->vregs[8] == 0x1122334455667788ULL;
            fp->vregs[9] = (__uint128_t)0x55;
        }
        h = (struct _aarch64_ctx *)((char *)h + h->size);
    }
}

static void section_altstack(void)
{
    say("8. sigaltstack, nesting, the ucontext\n");
    stack_t o, n;
    r("query", sigaltstack(NULL, &o));
    say("   none: flags %d size %zu\n", o.ss_flags, o.ss_size);
    alt_size = 65536;
    alt = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    /* 5120: arm64's MINSIGSTKSZ in the kernel's uapi (glibc's macro may be a sysconf). */
    n = (stack_t){ .ss_sp = alt, .ss_size = 4096 };
    r("4096 bytes", sigaltstack(&n, NULL));
    n.ss_size = 5119;
    r("5119 bytes", sigaltstack(&n, NULL));
    n.ss_size = 5120;
    r("5120 bytes", sigaltstack(&n, NULL));
    n.ss_flags = 7;
    r("flags 7", sigaltstack(&n, NULL));
    n.ss_flags = SS_ONSTACK;
    r("flags SS_ONSTACK", sigaltstack(&n, NULL));
    sigaltstack(NULL, &o);
    say("   now flags %d size ok %d\n", o.ss_flags, o.ss_size == 5120);
    n.ss_flags = SS_DISABLE;
    n.ss_size = 1;
    r("SS_DISABLE with size 1", sigaltstack(&n, NULL));
    sigaltstack(NULL, &o);
    say("   disabled: flags %d\n", o.ss_flags);
    r("bad pointer", syscall(SYS_sigaltstack, (void *)8, NULL));
    r("bad old pointer", syscall(SYS_sigaltstack, NULL, (void *)8));

    n = (stack_t){ .ss_sp = alt, .ss_size = alt_size };
    sigaltstack(&n, NULL);
    on(SIGUSR1, alt_handler, SA_ONSTACK);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   SA_ONSTACK: on it %d, flags inside %d, uc_stack flags %d, change inside %s\n", on_alt,
        alt_flags & 0xff, alt_flags >> 8, eperm ? strerrorname_np(eperm) : "0");
    say("   uc_sigmask: USR2 %d USR1 %d\n", uc_has_usr2, uc_has_usr1);
    on(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    say("   without SA_ONSTACK: on it %d, flags inside %d, change inside %s\n", on_alt, alt_flags & 0xff,
        eperm ? strerrorname_np(eperm) : "0");
    sigaltstack(NULL, &o);
    say("   after: flags %d\n", o.ss_flags);

    /* Nested: the inner one runs on top of the outer, both on the alternate stack. */
    on(SIGUSR1, outer, SA_ONSTACK);
    on(SIGUSR2, inner, SA_ONSTACK);
    nested_depth = 0;
    raise(SIGUSR1);
    say("   nested: depth %d, inner on the alt stack %d, its uc_stack flags %d\n", nested_depth,
        inner_on_alt, inner_flags);

    /* uc_stack holds the flags as sigaltstack was given them. */
    n = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = SS_ONSTACK };
    sigaltstack(&n, NULL);
    on(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    say("   set with SS_ONSTACK, handler off it: uc_stack flags %d\n", alt_flags >> 8);
    n = (stack_t){ .ss_flags = SS_DISABLE };
    sigaltstack(&n, NULL);
    raise(SIGUSR1);
    say("   none: uc_stack flags %d\n", alt_flags >> 8);

    /* SS_AUTODISARM: inside, the stack reads as disabled; restored after. */
    n = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = SS_AUTODISARM };
    r("SS_AUTODISARM", sigaltstack(&n, NULL));
    on(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    say("   autodisarm: on it %d, flags inside %d, change inside %s\n", on_alt, alt_flags & 0xff,
        eperm ? strerrorname_np(eperm) : "0");
    sigaltstack(NULL, &o);
    say("   after: flags %#x size ok %d\n", o.ss_flags, o.ss_size == alt_size);
    n = (stack_t){ .ss_flags = SS_DISABLE };
    sigaltstack(&n, NULL);

    /* The saved pc, and a handler that moves it past the faulting instruction. */
    on(SIGILL, skip, 0);
    long x9;
    __asm__ volatile("mov x9, #5\n.globl skip_at\nskip_at: udf #1\nmov %0, x9" : "=r"(x9) : : "x9");
    say("   pc edited: resumed %d, saved pc was the udf %d, x9 from the frame %ld\n", 1, skipped, x9);

    on(SIGUSR1, add_usr2, 0);
    raise(SIGUSR1);
    say("   uc_sigmask edited: mask after the handler %#lx\n", blocked_now());
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);

    /* fpsimd_context: present, Linux's size, holds the live v8, edits to v9 are restored. */
    on(SIGUSR1, fpsimd, 0);
    uint64_t v9;
    __asm__ volatile("ldr x10, =0x1122334455667788\nfmov d8, x10\nfmov d9, xzr\n"
                     "mov x8, %1\nmov x0, %2\nmov x1, %3\nmov x2, %4\nsvc #0\nfmov %0, d9"
                     : "=r"(v9)
                     : "r"((long)SYS_tgkill), "r"((long)getpid()), "r"((long)gettid()), "r"((long)SIGUSR1)
                     : "x0", "x1", "x2", "x8", "x10", "v8", "v9", "memory");
    say("   fpsimd record %d size %d holds v8 %d, v9 restored from it %d\n", fp_found, fp_size, fp_value_ok,
        v9 == 0x55);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
    dfl(SIGILL);
}

/* ---- stack overflow on a thread's small stack, caught on the alternate stack ---- */

static volatile int overflow_sig, overflow_code, overflow_on_alt, overflow_in_guard;
static char *guard_lo, *guard_hi;

static void overflow_handler(int sig, siginfo_t *si, void *uc)
{
    char here;
    overflow_sig = sig;
    overflow_code = si->si_code;
    overflow_on_alt = &here > alt && &here < alt + alt_size;
    overflow_in_guard = (char *)si->si_addr >= guard_lo && (char *)si->si_addr < guard_hi;
    pthread_exit(NULL);
}

static int recurse(volatile char *prev, int depth)
{
    volatile char buf[512];
    buf[0] = prev ? prev[0] + 1 : 0;
    return depth > 100000 ? buf[0] : recurse(buf, depth + 1) + buf[1];
}

static void *overflowing(void *arg)
{
    stack_t n = { .ss_sp = alt, .ss_size = alt_size };
    sigaltstack(&n, NULL);
    pthread_attr_t a;
    pthread_getattr_np(pthread_self(), &a);
    void *lo;
    size_t size, guard;
    pthread_attr_getstack(&a, &lo, &size);
    pthread_attr_getguardsize(&a, &guard);
    guard_lo = (char *)lo - guard;
    guard_hi = (char *)lo;
    recurse(NULL, 0);
    return NULL;
}

static void section_overflow(void)
{
    say("8b. stack overflow\n");
    alt_size = 65536;
    alt = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    on(SIGSEGV, overflow_handler, SA_ONSTACK);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 128 * 1024);
    pthread_t t;
    pthread_create(&t, &a, overflowing, NULL);
    pthread_join(t, NULL);
    say("   signal %d code %d on the alt stack %d, address in the guard %d\n", overflow_sig, overflow_code,
        overflow_on_alt, overflow_in_guard);
    dfl(SIGSEGV);
}

/* ---- 9. default actions and wait statuses ---- */

static void section_defaults(void)
{
    say("9. default actions, wait statuses\n");
    struct rlimit nocore = { 0, 0 };
    setrlimit(RLIMIT_CORE, &nocore);
    for (int sig = 1; sig < 32; sig++) {
        if (sig == SIGSTOP || sig == SIGKILL)
            continue;
        pid_t c = fork();
        if (c == 0) {
            setsid();          /* an orphaned group: SIGTSTP/SIGTTIN/SIGTTOU do nothing there */
            raise(sig);
            _exit(100);
        }
        int st;
        waitpid(c, &st, WUNTRACED);
        char what[32];
        snprintf(what, sizeof what, "signal %d", sig);
        status(what, st);
        if (WIFSTOPPED(st)) {
            kill(c, SIGKILL);
            waitpid(c, &st, 0);
        }
    }
    pid_t c = fork();
    if (c == 0) {
        raise(SIGSTOP);
        _exit(9);
    }
    int st;
    waitpid(c, &st, WUNTRACED);
    status("SIGSTOP", st);
    kill(c, SIGCONT);
    waitpid(c, &st, 0);
    status("continued", st);
    c = fork();
    if (c == 0) {
        pause();
        _exit(0);
    }
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    status("SIGKILL", st);
    /* SIG_IGN'd SIGCHLD: children are reaped by themselves. */
    signal(SIGCHLD, SIG_IGN);
    pid_t c2 = fork();
    if (c2 == 0)
        _exit(1);
    sleep_ms(100);
    r("wait with SIGCHLD ignored", wait(&st));
    r("wait again", wait(&st));
    dfl(SIGCHLD);
    struct sigaction sa = { .sa_handler = plain, .sa_flags = SA_NOCLDWAIT };
    sigaction(SIGCHLD, &sa, NULL);
    hits = 0;
    c = fork();
    if (c == 0)
        _exit(1);
    sleep_ms(100);
    pid_t w = wait(&st);
    say("   wait with SA_NOCLDWAIT = %s\n", w == c ? "the child" : w < 0 ? strerrorname_np(errno) : "?");
    say("   SIGCHLD still sent %d\n", hits);
    sa = (struct sigaction){ .sa_handler = plain, .sa_flags = SA_NOCLDSTOP | SA_RESTART };
    sigaction(SIGCHLD, &sa, NULL);
    hits = 0;
    int running[2];
    pipe(running);
    c = fork();
    if (c == 0) {
        raise(SIGSTOP);
        write(running[1], "c", 1);
        pause();
        _exit(2);
    }
    /* SIGCHLD for a stop or an exit is sent before wait sees it; a continue's is sent by the
     * continued child before it runs on (its write), so each count below is settled. */
    waitpid(c, &st, WUNTRACED);
    say("   SA_NOCLDSTOP: handler after the stop %d\n", hits);
    kill(c, SIGCONT);
    char b;
    read(running[0], &b, 1);
    say("   after SIGCONT %d\n", hits);
    kill(c, SIGKILL);
    waitpid(c, &st, 0);
    say("   after the kill %d\n", hits);
    dfl(SIGCHLD);
}

/* ---- 10. fork ---- */

static void section_fork(void)
{
    say("10. signals across fork\n");
    on(SIGUSR1, count, 0);
    signal(SIGUSR2, SIG_IGN);
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGTERM);
    sigprocmask(SIG_BLOCK, &s, NULL);
    raise(SIGUSR1);
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        sigset_t pend, mask;
        sigpending(&pend);
        sigprocmask(SIG_BLOCK, NULL, &mask);
        struct sigaction a, b;
        sigaction(SIGUSR1, NULL, &a);
        sigaction(SIGUSR2, NULL, &b);
        char line[160];
        int n = snprintf(line, sizeof line, "   child: USR1 pending %d, mask %#lx, USR1 handled %d, USR2 ignored %d\n",
                         sigismember(&pend, SIGUSR1), *(uint64_t *)&mask, a.sa_sigaction == count,
                         b.sa_handler == SIG_IGN);
        write(p[1], line, n);
        _exit(0);
    }
    close(p[1]);
    char buf[200];
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    say("%s", buf);
    close(p[0]);
    reap(c);
    sigset_t pend;
    sigpending(&pend);
    say("   parent: USR1 still pending %d\n", sigismember(&pend, SIGUSR1));
    hits = 0;
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   delivered after unblocking %d\n", hits);
    dfl(SIGUSR1);
    dfl(SIGUSR2);
}

/* ---- 11. threads: process-wide and thread-directed signals, per-thread masks ---- */

static volatile pid_t handled_by;
static volatile int thread_ready, thread_done;
static pid_t worker_tid;

static void note_tid(int sig) { handled_by = gettid(); }

static void *worker(void *arg)
{
    worker_tid = gettid();
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    thread_ready = 1;
    while (!thread_done)
        sleep_ms(5);
    return NULL;
}

static void wait_handled(void)
{
    for (int i = 0; i < 400 && !handled_by; i++)
        sleep_ms(5);
}

static void section_threads(void)
{
    say("11. threads\n");
    signal(SIGUSR1, note_tid);
    sigset_t s, p;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    while (!thread_ready)
        sleep_ms(1);
    handled_by = 0;
    kill(getpid(), SIGUSR1);
    wait_handled();
    say("   kill to the process: taken by the thread that does not block it %d\n", handled_by == worker_tid);
    handled_by = 0;
    r("tgkill to the other thread", syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1));
    wait_handled();
    say("   handled by it %d\n", handled_by == worker_tid);
    handled_by = 0;
    r("tgkill to the blocking main thread", syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1));
    sleep_ms(50);
    sigpending(&p);
    say("   stays pending on it %d, handled %d\n", sigismember(&p, SIGUSR1), handled_by != 0);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    say("   unblocked: handled by the main thread %d\n", handled_by == gettid());
    thread_done = 1;
    pthread_join(th, NULL);        /* (its tid may linger a moment after the join on Linux) */
    dfl(SIGUSR1);
}

/* ---- 13. RLIMIT_SIGPENDING at 0: what still gets through, and with which siginfo ---- */

static void waited(const char *what, const sigset_t *s)
{
    siginfo_t si;
    struct timespec zero = { 0, 0 };
    memset(&si, 0, sizeof si);
    int sig = sigtimedwait(s, &si, &zero);
    say("   %s: signal %s code %d pid ok %d value %d\n", what, sig == SIGRTMIN ? "RTMIN" : sig < 0 ? "none" :
        sig == SIGUSR1 ? "USR1" : sig == SIGUSR2 ? "USR2" : "other", si.si_code, si.si_pid == getpid(),
        si.si_value.sival_int);
}

static void section_sigpending_limit(void)
{
    say("13. RLIMIT_SIGPENDING 0\n");
    pid_t me = getpid();
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigaddset(&s, SIGUSR2);
    sigaddset(&s, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct rlimit old, none;
    getrlimit(RLIMIT_SIGPENDING, &old);
    none = (struct rlimit){ 0, old.rlim_max };
    setrlimit(RLIMIT_SIGPENDING, &none);
    r("sigqueue SIGRTMIN", sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = 5 }));
    waited("then", &s);
    r("sigqueue SIGUSR1", sigqueue(me, SIGUSR1, (union sigval){ .sival_int = 6 }));
    waited("its siginfo lost", &s);
    r("kill SIGRTMIN", kill(me, SIGRTMIN));
    waited("kill's real-time signal", &s);
    r("kill SIGUSR2", kill(me, SIGUSR2));
    waited("kill's standard signal", &s);
    r("raise SIGUSR1", raise(SIGUSR1));
    waited("raise's", &s);
    timer_t timer;                     /* a timer's preallocated siginfo counts against the limit */
    r("timer_create", timer_create(CLOCK_MONOTONIC, NULL, &timer));
    setrlimit(RLIMIT_SIGPENDING, &old);
    r("sigqueue SIGRTMIN with the limit back", sigqueue(me, SIGRTMIN, (union sigval){ .sival_int = 7 }));
    waited("then", &s);
    int made = timer_create(CLOCK_MONOTONIC, NULL, &timer);
    r("timer_create with the limit back", made);
    if (made == 0)
        r("timer_delete", timer_delete(timer));
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* ---- 14. pidfd_send_signal on an open /proc/<pid> directory (Linux's tgid_pidfd_to_pid) ---- */

static long pidfd_send(int fd, int sig) { return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0); }

static void try_fd(const char *what, const char *path, int flags)
{
    int fd = open(path, flags);
    char line[96];
    snprintf(line, sizeof line, "%s: signal 0", what);
    r(line, fd < 0 ? fd : pidfd_send(fd, 0));
    if (fd >= 0)
        close(fd);
}

static void section_proc_dir_pidfd(void)
{
    say("14. pidfd_send_signal on /proc/<pid>\n");
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    int self = open("/proc/self", O_RDONLY | O_DIRECTORY);
    r("own /proc/self: SIGUSR1", pidfd_send(self, SIGUSR1));
    waited("then", &s);
    r("pidfd_getfd on it", syscall(SYS_pidfd_getfd, self, 0, 0));
    siginfo_t si;
    r("waitid P_PIDFD on it", waitid(P_PIDFD, self, &si, WEXITED | WNOHANG));
    close(self);
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d", getpid(), getpid());
    try_fd("its task/<tid> directory", path, O_RDONLY | O_DIRECTORY);
    try_fd("/proc/self/status", "/proc/self/status", O_RDONLY);
    try_fd("/proc", "/proc", O_RDONLY | O_DIRECTORY);
    try_fd("/", "/", O_RDONLY | O_DIRECTORY);
    r("a bad descriptor", pidfd_send(999, 0));
    pid_t c = fork();
    if (c == 0) {
        alarm(10);
        pause();
        _exit(0);
    }
    snprintf(path, sizeof path, "/proc/%d", c);
    int cfd = open(path, O_RDONLY | O_DIRECTORY);
    wait_asleep(c);
    r("a child's /proc/<pid>: SIGTERM", pidfd_send(cfd, SIGTERM));
    int st;
    waitpid(c, &st, 0);
    status("child", st);
    r("after its reap: signal 0", pidfd_send(cfd, 0));
    close(cfd);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

/* ---- 12. execve: printed by the exec'd program ---- */

static void exec_report(void)
{
    sigset_t pend, mask;
    sigpending(&pend);
    sigprocmask(SIG_BLOCK, NULL, &mask);
    struct sigaction a, b, c;
    sigaction(SIGUSR1, NULL, &a);
    sigaction(SIGUSR2, NULL, &b);
    sigaction(SIGTERM, NULL, &c);
    stack_t o;
    sigaltstack(NULL, &o);
    say("   after execve: USR1 %s, USR2 %s, TERM %s, mask %#lx, TERM pending %d, altstack flags %d\n",
        a.sa_handler == SIG_DFL ? "default" : "other", b.sa_handler == SIG_IGN ? "ignored" : "other",
        c.sa_handler == SIG_DFL ? "default" : "other", *(uint64_t *)&mask, sigismember(&pend, SIGTERM),
        o.ss_flags);
}

static void section_exec(const char *self)
{
    say("12. signals across execve\n");
    pid_t c = fork();
    if (c == 0) {
        on(SIGUSR1, count, 0);
        signal(SIGUSR2, SIG_IGN);
        on(SIGTERM, count, 0);
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGHUP);
        sigprocmask(SIG_BLOCK, &s, NULL);
        raise(SIGTERM);
        stack_t n = { .ss_sp = malloc(65536), .ss_size = 65536 };
        sigaltstack(&n, NULL);
        char *args[] = { (char *)self, "exec-report", NULL };
        execv(self, args);
        _exit(127);
    }
    int st;
    waitpid(c, &st, 0);
    status("exec'd child", st);
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "exec-report")) {
        exec_report();
        return 0;
    }
    dir = argc > 1 ? argv[1] : "/tmp";
    alarm(100);                        /* a backstop: nothing here may hang */
    isolated(section_sigaction);
    isolated(section_restart);
    isolated(section_mask);
    isolated(section_send);
    isolated(section_sigchld);
    isolated(section_faults);
    isolated(section_sources);
    isolated(section_altstack);
    isolated(section_overflow);
    isolated(section_defaults);
    isolated(section_fork);
    isolated(section_threads);
    isolated(section_sigpending_limit);
    isolated(section_proc_dir_pidfd);
    section_exec(argv[0]);
    return 0;
}
