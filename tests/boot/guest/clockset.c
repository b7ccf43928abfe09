/* Setting CLOCK_REALTIME, and what Linux's clock_was_set moves with it: the vDSO's and the
 * system call's readings, an absolute realtime clock_nanosleep, FUTEX_CLOCK_REALTIME waits,
 * absolute realtime timerfds (TFD_TIMER_CANCEL_ON_SET) and POSIX timers; relative ones and the
 * monotonic clock stay put. It really sets the clock, so no oracle may run it on a host: it
 * refuses to run unless it is pid 1 (a guest's program). The expected answers are Linux's
 * documented ones (clock_settime(2), timerfd_create(2), hrtimers' REALTIME base), in the test. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "probe_print.h"

static int64_t ns_of(struct timespec ts) { return ts.tv_sec * 1000000000LL + ts.tv_nsec; }

static int64_t now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);             /* the vDSO */
    return ns_of(ts);
}

static int64_t now_by_syscall(clockid_t c)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, c, &ts);
    return ns_of(ts);
}

static struct timespec ts_of(int64_t ns) { return (struct timespec){ ns / 1000000000LL, ns % 1000000000LL }; }

/* CLOCK_REALTIME moved by `by` ns from where it is now. */
static long jump(int64_t by)
{
    struct timespec to = ts_of(now(CLOCK_REALTIME) + by);
    return syscall(SYS_clock_settime, CLOCK_REALTIME, &to);
}

static int near(int64_t got, int64_t want) { return got >= want - 2000000000LL && got <= want + 2000000000LL; }

static void *abs_sleeper(void *arg)
{
    struct timespec until = ts_of(now(CLOCK_REALTIME) + 100 * 1000000000LL);
    *(long *)arg = syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
    return NULL;
}

static uint32_t word;

static void *futex_waiter(void *arg)
{
    struct timespec until = ts_of(now(CLOCK_REALTIME) + 100 * 1000000000LL);
    long r = syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &until, NULL, FUTEX_BITSET_MATCH_ANY);
    *(int *)arg = r == -1 ? errno : 0;
    return NULL;
}

/* A thread blocked until a jump forward ends its wait; how long it took after the jump. */
static void ended_by_jump(const char *what, void *(*fn)(void *), void *result)
{
    pthread_t th;
    pthread_create(&th, NULL, fn, result);
    usleep(300000);                    /* until it sleeps */
    jump(200 * 1000000000LL);
    int64_t t0 = now(CLOCK_MONOTONIC);
    pthread_join(th, NULL);
    say("   %s: ended within 2 s of the jump %d\n", what, now(CLOCK_MONOTONIC) - t0 < 2000000000LL);
}

static void timerfds(void)
{
    int64_t rt = now(CLOCK_REALTIME);
    int cancel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK), abs_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    int rel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK), mono = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec far = { {0, 0}, ts_of(rt + 50 * 1000000000LL) }, fifty = { {0, 0}, {50, 0} };
    r("timerfd CANCEL_ON_SET", timerfd_settime(cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &far, NULL));
    r("timerfd absolute +50 s", timerfd_settime(abs_fd, TFD_TIMER_ABSTIME, &far, NULL));
    r("timerfd relative 50 s", timerfd_settime(rel, 0, &fifty, NULL));
    r("timerfd MONOTONIC relative 50 s", timerfd_settime(mono, 0, &fifty, NULL));
    uint64_t n = 0;
    r("read CANCEL_ON_SET before", read(cancel, &n, sizeof n));
    r("jump +60 s", jump(60 * 1000000000LL));
    usleep(100000);
    r("read CANCEL_ON_SET", read(cancel, &n, sizeof n));
    r("read it again", read(cancel, &n, sizeof n));
    n = 0;
    long got = read(abs_fd, &n, sizeof n);
    r("read absolute", got);
    say("   expirations %llu\n", (unsigned long long)n);
    r("read relative", read(rel, &n, sizeof n));
    r("read MONOTONIC", read(mono, &n, sizeof n));
    struct itimerspec left;
    timerfd_gettime(rel, &left);
    say("   relative one still has 45-50 s: %d\n", left.it_value.tv_sec >= 45 && left.it_value.tv_sec <= 50);
}

static void posix_timers(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGRTMIN);
    sigaddset(&s, SIGRTMIN + 1);
    sigprocmask(SIG_BLOCK, &s, NULL);
    struct sigevent abs_ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
    struct sigevent rel_ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN + 1 };
    timer_t a, b;
    timer_create(CLOCK_REALTIME, &abs_ev, &a);
    timer_create(CLOCK_REALTIME, &rel_ev, &b);
    struct itimerspec far = { {0, 0}, ts_of(now(CLOCK_REALTIME) + 50 * 1000000000LL) }, fifty = { {0, 0}, {50, 0} };
    r("timer_settime absolute +50 s", timer_settime(a, TIMER_ABSTIME, &far, NULL));
    r("timer_settime relative 50 s", timer_settime(b, 0, &fifty, NULL));
    r("jump +60 s", jump(60 * 1000000000LL));
    struct timespec second = {1, 0};
    siginfo_t si;
    int sig = sigtimedwait(&s, &si, &second);
    say("   signal: %s\n", sig == SIGRTMIN ? "the absolute timer's" : sig == SIGRTMIN + 1 ? "the relative timer's" : "none");
    struct itimerspec left;
    timer_gettime(b, &left);
    say("   relative one still has 45-50 s: %d\n", left.it_value.tv_sec >= 45 && left.it_value.tv_sec <= 50);
    timer_delete(a);
    timer_delete(b);
}

int main(void)
{
    if (getpid() != 1) {
        fprintf(stderr, "clockset: it sets CLOCK_REALTIME; it runs only as a guest's pid 1\n");
        return 2;
    }
    alarm(60);
    int64_t rt0 = now(CLOCK_REALTIME), mono0 = now(CLOCK_MONOTONIC);
    say("1. clock_settime and the readers\n");
    struct timespec to = ts_of(rt0 + 1000 * 1000000000LL);
    r("clock_settime REALTIME +1000 s", syscall(SYS_clock_settime, CLOCK_REALTIME, &to));
    int64_t want = rt0 + 1000 * 1000000000LL;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    say("   vDSO %d, system call %d, gettimeofday %d, time() %d\n", near(now(CLOCK_REALTIME), want),
        near(now_by_syscall(CLOCK_REALTIME), want), near(tv.tv_sec * 1000000000LL, want),
        near(time(NULL) * 1000000000LL, want));
    say("   MONOTONIC unmoved %d, TAI follows %d\n", near(now(CLOCK_MONOTONIC), mono0),
        near(now(CLOCK_TAI), want));
    struct timeval back = { rt0 / 1000000000LL, 0 };
    r("settimeofday back", syscall(SYS_settimeofday, &back, NULL));
    say("   REALTIME back %d\n", near(now(CLOCK_REALTIME), rt0));

    say("2. waits on a wall-clock deadline\n");
    long slept = -2;
    ended_by_jump("absolute clock_nanosleep +100 s, jump +200 s", abs_sleeper, &slept);
    r("its result", slept);
    int futexed = -1;
    ended_by_jump("FUTEX_CLOCK_REALTIME wait +100 s, jump +200 s", futex_waiter, &futexed);
    say("   its result %s\n", futexed ? strerrorname_np(futexed) : "0");
    struct timespec rel = {0, 300000000};
    jump(-3600 * 1000000000LL);        /* a relative sleep is not lengthened by a jump back */
    int64_t t0 = now(CLOCK_MONOTONIC);
    nanosleep(&rel, NULL);
    say("   relative nanosleep after a jump back: 0.3-2 s %d\n",
        now(CLOCK_MONOTONIC) - t0 >= 300000000LL && now(CLOCK_MONOTONIC) - t0 < 2000000000LL);

    say("3. timerfd\n");
    timerfds();
    say("4. POSIX timers\n");
    posix_timers();

    to = ts_of(rt0 + now(CLOCK_MONOTONIC) - mono0);
    syscall(SYS_clock_settime, CLOCK_REALTIME, &to);
    return 0;
}
