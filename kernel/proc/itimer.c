/* Interval timers (setitimer/getitimer; glibc's alarm() is setitimer on arm64). ITIMER_REAL
 * counts wall time and fires from a timer event at its exact deadline; ITIMER_VIRTUAL and
 * ITIMER_PROF count the process's CPU time, which here is the time the CPU was not idle since
 * the program started (the kernel only ever works for it), checked at each tick as Linux's
 * tick-based accounting does. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "signal.h"
#include "timer.h"
#include "idle.h"
#include "uaccess.h"
#include "errno.h"

#define USEC           1000000L

struct timeval_k {
    int64_t tv_sec, tv_usec;
};

struct itimerval_k {
    struct timeval_k interval, value;
};

struct itimer {
    uint64_t deadline_ns;      /* on the timer's own clock; 0: disarmed */
    uint64_t interval_ns;
};

static struct itimer timers[3];
static struct timer_event real_event;
static bool tick_hooked;

static uint64_t cpu_ns(void) { return cpu_busy_ns(); }
static uint64_t wall_ns(void) { return counter_to_ns(counter_now()); }
static uint64_t clock_of(int which) { return which == ITIMER_REAL ? wall_ns() : cpu_ns(); }

static const int signal_of[3] = { SIGALRM, 26 /* SIGVTALRM */, 27 /* SIGPROF */ };

/* An expired timer: the signal (SI_KERNEL, as Linux's it_real_fn), and the next period. */
static void expire(int which, uint64_t now)
{
    struct itimer *t = &timers[which];
    signal_send(current_process(), signal_of[which], NULL);
    if (!t->interval_ns) {
        t->deadline_ns = 0;
        return;
    }
    t->deadline_ns += t->interval_ns;
    if (t->deadline_ns <= now)         /* periods missed while late are skipped */
        t->deadline_ns = now + t->interval_ns - (now - t->deadline_ns) % t->interval_ns;
}

static void arm_real(void)
{
    if (timers[ITIMER_REAL].deadline_ns)
        timer_event_arm(&real_event, ns_to_counter(timers[ITIMER_REAL].deadline_ns));
    else
        timer_event_cancel(&real_event);
}

static void real_fired(struct timer_event *e)
{
    uint64_t now = wall_ns();
    if (timers[ITIMER_REAL].deadline_ns && timers[ITIMER_REAL].deadline_ns <= now) {
        expire(ITIMER_REAL, now);
        arm_real();
    }
}

static void cpu_tick(void)
{
    uint64_t now = cpu_ns();
    for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++)
        if (timers[which].deadline_ns && timers[which].deadline_ns <= now)
            expire(which, now);
}

static uint64_t timeval_ns(const struct timeval_k *tv)
{
    return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000;
}

static struct timeval_k ns_timeval(uint64_t ns)
{
    return (struct timeval_k){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
}

static struct itimerval_k current_value(int which)
{
    const struct itimer *t = &timers[which];
    struct itimerval_k v = { ns_timeval(t->interval_ns), { 0, 0 } };
    if (t->deadline_ns) {
        uint64_t now = clock_of(which);
        /* Linux reports at least 1 us for a timer that is still armed. */
        v.value = ns_timeval(t->deadline_ns > now + 1000 ? t->deadline_ns - now : 1000);
    }
    return v;
}

static bool timeval_valid(const struct timeval_k *tv)
{
    return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < USEC;
}

SYSCALL(getitimer)
{
    int which = (int)a0;
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    struct itimerval_k v = current_value(which);
    return copy_to_user(a1, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL(setitimer)
{
    int which = (int)a0;
    struct itimerval_k v = { { 0, 0 }, { 0, 0 } };
    if (a1) {
        if (copy_from_user(&v, a1, sizeof(v)))
            return -EFAULT;
        if (!timeval_valid(&v.value) || !timeval_valid(&v.interval))
            return -EINVAL;
    }
    if (which < ITIMER_REAL || which > ITIMER_PROF)
        return -EINVAL;
    struct itimerval_k old = current_value(which);
    struct itimer *t = &timers[which];
    uint64_t value = timeval_ns(&v.value);
    t->interval_ns = value ? timeval_ns(&v.interval) : 0;
    t->deadline_ns = value ? clock_of(which) + value : 0;
    if (which == ITIMER_REAL) {
        real_event.fire = real_fired;
        arm_real();
    } else if (!tick_hooked) {
        timer_add_tick_hook(cpu_tick);
        tick_hooked = true;
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}
