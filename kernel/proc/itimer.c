/* Interval timers (setitimer/getitimer; glibc's alarm() is setitimer on arm64), one set per
 * process as on Linux. ITIMER_REAL counts wall time and fires from a timer event at its exact
 * deadline; ITIMER_VIRTUAL counts the process's user time and ITIMER_PROF its user + system
 * time (cputime.c), checked at each tick as Linux's tick-based CPU timers are. A fork's child
 * starts with none armed; execve keeps them. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "signal.h"
#include "timer.h"
#include "cputime.h"
#include <stddef.h>
#include "uaccess.h"
#include "errno.h"

#define USEC           1000000L

struct timeval_k {
    int64_t tv_sec, tv_usec;
};

struct itimerval_k {
    struct timeval_k interval, value;
};

static bool tick_hooked;

static uint64_t wall_ns(void) { return counter_to_ns(counter_now()); }

static uint64_t cpu_ns(struct process *p, int which)
{
    struct cputime c = process_cpu_times(p);
    return which == ITIMER_VIRTUAL ? c.user_ns : c.user_ns + c.system_ns;
}

static uint64_t clock_of(struct process *p, int which)
{
    return which == ITIMER_REAL ? wall_ns() : cpu_ns(p, which);
}

static const int signal_of[3] = { SIGALRM, 26 /* SIGVTALRM */, 27 /* SIGPROF */ };

/* An expired timer: the signal (SI_KERNEL, as Linux's it_real_fn), and the next period. */
static void expire(struct process *p, int which, uint64_t now)
{
    struct itimer *t = &p->itimers.t[which];
    signal_send(p, signal_of[which], NULL);
    if (!t->interval_ns) {
        t->deadline_ns = 0;
        return;
    }
    t->deadline_ns += t->interval_ns;
    if (t->deadline_ns <= now)         /* periods missed while late are skipped */
        t->deadline_ns = now + t->interval_ns - (now - t->deadline_ns) % t->interval_ns;
}

static void arm_real(struct process *p)
{
    struct process_itimers *it = &p->itimers;
    if (it->t[ITIMER_REAL].deadline_ns)
        timer_event_arm(&it->real_event, ns_to_counter(it->t[ITIMER_REAL].deadline_ns));
    else
        timer_event_cancel(&it->real_event);
}

static void real_fired(struct timer_event *e)
{
    struct process *p = (struct process *)((char *)e - offsetof(struct process, itimers.real_event));
    uint64_t now = wall_ns();
    if (p->state == PROCESS_LIVE && p->itimers.t[ITIMER_REAL].deadline_ns &&
        p->itimers.t[ITIMER_REAL].deadline_ns <= now) {
        expire(p, ITIMER_REAL, now);
        arm_real(p);
    }
}

/* Every tick: the CPU-time timers of every live process that has one armed. */
static void cpu_tick(void)
{
    for (struct process *p = process_first(); p; p = p->all_next) {
        struct itimer *t = p->itimers.t;
        if (p->state != PROCESS_LIVE || (!t[ITIMER_VIRTUAL].deadline_ns && !t[ITIMER_PROF].deadline_ns))
            continue;
        for (int which = ITIMER_VIRTUAL; which <= ITIMER_PROF; which++) {
            uint64_t now = cpu_ns(p, which);
            if (t[which].deadline_ns && t[which].deadline_ns <= now)
                expire(p, which, now);
        }
    }
}

void itimer_process_gone(struct process *p)
{
    for (int which = ITIMER_REAL; which <= ITIMER_PROF; which++)
        p->itimers.t[which] = (struct itimer){ 0, 0 };
    timer_event_cancel(&p->itimers.real_event);
}

static uint64_t timeval_ns(const struct timeval_k *tv)
{
    return (uint64_t)tv->tv_sec * NSEC_PER_SEC + (uint64_t)tv->tv_usec * 1000;
}

static struct timeval_k ns_timeval(uint64_t ns)
{
    return (struct timeval_k){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
}

static struct itimerval_k current_value(struct process *p, int which)
{
    const struct itimer *t = &p->itimers.t[which];
    struct itimerval_k v = { ns_timeval(t->interval_ns), { 0, 0 } };
    if (t->deadline_ns) {
        uint64_t now = clock_of(p, which);
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
    struct itimerval_k v = current_value(current_process(), which);
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
    struct process *p = current_process();
    struct itimerval_k old = current_value(p, which);
    struct itimer *t = &p->itimers.t[which];
    uint64_t value = timeval_ns(&v.value);
    t->interval_ns = value ? timeval_ns(&v.interval) : 0;
    t->deadline_ns = value ? clock_of(p, which) + value : 0;
    if (which == ITIMER_REAL) {
        p->itimers.real_event.fire = real_fired;
        arm_real(p);
    } else if (!tick_hooked) {
        timer_add_tick_hook(cpu_tick);
        tick_hooked = true;
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}
