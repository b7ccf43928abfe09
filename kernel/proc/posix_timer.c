/* POSIX timers (timer_create, timer_settime, timer_gettime, timer_getoverrun, timer_delete), as
 * Linux's kernel/time/posix-timers.c and posix-cpu-timers.c behave. A timer belongs to its
 * process (ids 0, 1, ... from a per-process counter), counts on a wall clock (CLOCK_REALTIME,
 * MONOTONIC, BOOTTIME: a timer event at its deadline) or a CPU clock (a process's or thread's,
 * checked at every tick as Linux's tick-based CPU timers are), and notifies by a signal to the
 * process (SIGEV_SIGNAL; glibc's SIGEV_THREAD arrives as that), to one of its threads
 * (SIGEV_THREAD_ID), or not at all (SIGEV_NONE: only timer_gettime sees it run).
 *
 * Invariants (kernel lock held): a timer has at most one signal instance queued (`queued`);
 * while it is, a periodic timer is not re-armed: the delivery forwards it past now and the
 * periods skipped are the signal's si_overrun (Linux's REQUEUE_PENDING). Deadlines are on the
 * timer's own clock, except CLOCK_REALTIME's, kept on the monotonic clock; an absolute one
 * (TIMER_ABSTIME) is moved when the clock is set, a relative one is not (Linux's hrtimers put a
 * relative realtime timer on the monotonic base). */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "signal.h"
#include "posix_timer.h"
#include "cputime.h"
#include "timer.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include <stddef.h>

struct posix_timer {
    int id;
    struct process *proc;
    int64_t clock;
    bool cpu;                          /* counts CPU time: `ref` is its clock */
    struct cpu_clock_ref ref;
    int notify;                        /* SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID */
    int signo, tid;
    uint64_t value;                    /* sigev_value */
    uint64_t deadline_ns;              /* 0: disarmed */
    uint64_t interval_ns;
    bool wall_abs;                     /* an absolute CLOCK_REALTIME setting: follows clock_settime */
    bool queued;                       /* its signal is pending, not delivered yet */
    int overrun_last;                  /* timer_getoverrun: the last delivered signal's overrun */
    struct timer_event event;          /* wall clocks */
    struct posix_timer *next;
};

struct linux_sigevent {
    uint64_t value;
    int32_t signo, notify;
    int32_t tid;                       /* sigev_notify_thread_id */
    int32_t pad[11];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "struct sigevent as on arm64");

static int cpu_timers_armed;           /* CPU-clock timers with a deadline, for the tick */
static bool tick_hooked;

static uint64_t mono_ns(void) { return counter_to_ns(counter_now()); }

/* The timer's clock now (false: the CPU clock's process or thread is gone). */
static bool clock_now(const struct posix_timer *t, uint64_t *ns)
{
    if (t->cpu)
        return cpu_clock_ref_read(&t->ref, ns);
    *ns = mono_ns();
    return true;
}

static struct posix_timer *find(struct process *p, int id)
{
    for (struct posix_timer *t = p->posix_timers; t; t = t->next)
        if (t->id == id)
            return t;
    return NULL;
}

static void set_deadline(struct posix_timer *t, uint64_t deadline)
{
    if (t->cpu && !t->deadline_ns != !deadline)
        cpu_timers_armed += deadline ? 1 : -1;
    t->deadline_ns = deadline;
}

/* The wall-clock event follows the deadline; a queued periodic timer waits for its delivery. */
static void arm_event(struct posix_timer *t)
{
    if (!t->cpu && t->deadline_ns && !t->queued && t->notify != SIGEV_NONE)
        timer_event_arm(&t->event, ns_to_counter(t->deadline_ns));
    else
        timer_event_cancel(&t->event);
}

/* Periods between the deadline and now: the deadline moves to the first one after now. */
static uint64_t forward(struct posix_timer *t, uint64_t now)
{
    if (!t->interval_ns || t->deadline_ns > now)
        return 0;
    uint64_t periods = (now - t->deadline_ns) / t->interval_ns + 1;
    set_deadline(t, t->deadline_ns + periods * t->interval_ns);
    return periods;
}

static void expire(struct posix_timer *t, uint64_t now)
{
    if (t->notify == SIGEV_NONE) {
        if (!t->interval_ns)
            set_deadline(t, 0);
        return;
    }
    struct thread *to = NULL;
    if (t->notify == SIGEV_THREAD_ID) {
        to = thread_find(t->tid);
        if (!to || to->proc != t->proc || to->state == THREAD_DEAD)
            to = NULL;
    }
    struct ksiginfo info = { .signo = t->signo, .code = SI_TIMER, .pid = t->id, .uid = 0, .value = t->value };
    bool sent = (t->notify != SIGEV_THREAD_ID || to) && signal_send_timer(t->proc, to, &info);
    if (sent && t->interval_ns) {
        t->queued = true;              /* re-armed when delivered */
    } else if (t->interval_ns) {
        forward(t, now);               /* ignored: the timer goes on */
    } else {
        t->queued = sent;
        set_deadline(t, 0);
    }
}

static void wall_fired(struct timer_event *e)
{
    struct posix_timer *t = (struct posix_timer *)((char *)e - offsetof(struct posix_timer, event));
    uint64_t now = mono_ns();
    if (t->proc->state != PROCESS_LIVE || !t->deadline_ns || t->queued)
        return;
    if (t->deadline_ns <= now)
        expire(t, now);
    arm_event(t);
}

static void cpu_tick(void)
{
    if (!cpu_timers_armed)
        return;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (p->state != PROCESS_LIVE)
            continue;
        for (struct posix_timer *t = p->posix_timers; t; t = t->next) {
            uint64_t now;
            if (t->cpu && t->deadline_ns && !t->queued && clock_now(t, &now) && t->deadline_ns <= now)
                expire(t, now);
        }
    }
}

void posix_timer_delivered(struct process *p, struct ksiginfo *info)
{
    struct posix_timer *t = find(p, info->pid);
    if (!t || !t->queued)
        return;                        /* deleted (Linux delivers it still) or re-set since */
    t->queued = false;
    uint64_t now;
    if (t->interval_ns && t->deadline_ns && clock_now(t, &now)) {
        uint64_t periods = forward(t, now);
        int overrun = periods > 1 ? (periods - 1 > 0x7fffffff ? 0x7fffffff : (int)(periods - 1)) : 0;
        info->uid = (uint32_t)overrun;
        t->overrun_last = overrun;
        arm_event(t);
    }
}

static void unlink_timer(struct process *p, struct posix_timer *t)
{
    for (struct posix_timer **link = &p->posix_timers; *link; link = &(*link)->next)
        if (*link == t) {
            *link = t->next;
            break;
        }
    set_deadline(t, 0);
    timer_event_cancel(&t->event);
    signal_uncharge_preallocated();
    kfree(t);
}

void posix_timer_clock_was_set(int64_t shift_ns)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        for (struct posix_timer *t = p->posix_timers; t; t = t->next)
            if (p->state == PROCESS_LIVE && t->wall_abs && t->deadline_ns) {
                int64_t moved = (int64_t)t->deadline_ns - shift_ns;
                uint64_t now = mono_ns();
                set_deadline(t, moved > 0 ? (uint64_t)moved : 1);
                if (t->deadline_ns <= now && !t->queued && t->notify != SIGEV_NONE)
                    expire(t, now);    /* now past: at once, as the hrtimer's retrigger */
                arm_event(t);
            }
}

void posix_timers_delete_all(struct process *p)
{
    while (p->posix_timers)
        unlink_timer(p, p->posix_timers);
}

/* clockid_t is an int: the CPU clocks' encoded ids are negative. */
static int64_t clock_arg(uint64_t a) { return (int32_t)a; }

/* The clocks Linux can time on: wall clocks with a timer, CPU clocks; the alarm clocks need an
 * RTC alarm device (none here: EOPNOTSUPP, as alarm_timer_create says without one). */
static int timer_clock(struct posix_timer *t, int64_t id)
{
    t->clock = id;
    if (cpu_clock_id(id)) {
        t->cpu = true;
        return cpu_clock_resolve(id, &t->ref);
    }
    if (id == CLOCK_REALTIME_ALARM || id == CLOCK_BOOTTIME_ALARM)
        return -EOPNOTSUPP;
    if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
        return -EOPNOTSUPP;            /* clocks Linux has, without timers */
    return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_BOOTTIME ? 0 : -EINVAL;
}

/* Linux's good_sigevent. */
static int timer_notify(struct posix_timer *t, const struct linux_sigevent *ev)
{
    t->notify = ev->notify == SIGEV_THREAD ? SIGEV_SIGNAL : ev->notify;
    t->signo = ev->signo;
    t->value = ev->value;
    switch (ev->notify) {
    case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
        struct thread *to = thread_find(ev->tid);
        if (!to || to->proc != current_process() || to->state == THREAD_DEAD)
            return -EINVAL;
        t->tid = ev->tid;
    }
        /* fallthrough */
    case SIGEV_SIGNAL:
    case SIGEV_THREAD:
        return ev->signo <= 0 || ev->signo > NSIG ? -EINVAL : 0;
    case SIGEV_NONE:
        return 0;
    default:
        return -EINVAL;
    }
}

SYSCALL(timer_create)
{
    struct process *p = current_process();
    struct linux_sigevent ev;
    if (a1 && copy_from_user(&ev, a1, sizeof(ev)))
        return -EFAULT;
    struct posix_timer *t = kzalloc(sizeof(*t));
    if (!t)
        return -EAGAIN;
    t->proc = p;
    int err = timer_clock(t, clock_arg(a0));
    if (err) {
        kfree(t);
        return err;
    }
    /* Linux's order: the clock, then the timer's preallocated signal, charged against
     * RLIMIT_SIGPENDING with every pending siginfo of the user (past it, EAGAIN), then the
     * sigevent's checks. */
    if (!signal_charge_preallocated()) {
        kfree(t);
        return -EAGAIN;
    }
    if (a1)
        err = timer_notify(t, &ev);
    if (err) {
        signal_uncharge_preallocated();
        kfree(t);
        return err;
    }
    /* Linux's id allocation: the next free id from the process's counter, wrapping at INT_MAX. */
    do {
        t->id = p->next_timer_id;
        p->next_timer_id = (p->next_timer_id + 1) & 0x7fffffff;
    } while (find(p, t->id));
    if (!a1) {                         /* SIGEV_SIGNAL, SIGALRM, the id as the value */
        t->notify = SIGEV_SIGNAL;
        t->signo = SIGALRM;
        t->value = (uint64_t)t->id;
    }
    t->event.fire = wall_fired;
    int32_t id = t->id;
    if (copy_to_user(a2, &id, sizeof(id))) {
        signal_uncharge_preallocated();
        kfree(t);
        return -EFAULT;
    }

    t->next = p->posix_timers;
    p->posix_timers = t;
    if (t->cpu && !tick_hooked) {
        timer_add_tick_hook(cpu_tick);
        tick_hooked = true;
    }
    return 0;
}

static struct linux_timespec ns_ts(uint64_t ns)
{
    return (struct linux_timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
}

static bool ts_valid(const struct linux_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (int64_t)NSEC_PER_SEC;
}

static uint64_t ts_ns(const struct linux_timespec *ts)
{
    return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

/* Linux's common_timer_get: a periodic timer waiting for its delivery (or a SIGEV_NONE one) is
 * seen forwarded past now; an expired timer whose signal is not delivered yet shows 1 ns. */
static struct linux_itimerspec current_setting(struct posix_timer *t)
{
    struct linux_itimerspec v = { ns_ts(t->interval_ns), { 0, 0 } };   /* it_interval, it_value */
    uint64_t now;
    if (!t->deadline_ns || !clock_now(t, &now))
        return v;
    if (t->interval_ns && (t->queued || t->notify == SIGEV_NONE) && t->deadline_ns <= now) {
        uint64_t periods = (now - t->deadline_ns) / t->interval_ns + 1;
        v.it_value = ns_ts(t->deadline_ns + periods * t->interval_ns - now);
    } else if (t->deadline_ns > now) {
        v.it_value = ns_ts(t->deadline_ns - now);
    } else if (t->notify != SIGEV_NONE) {
        v.it_value.tv_nsec = 1;
    }
    return v;
}

SYSCALL(timer_gettime)
{
    struct posix_timer *t = find(current_process(), (int32_t)a0);
    if (!t)
        return -EINVAL;
    struct linux_itimerspec v = current_setting(t);
    return copy_to_user(a1, &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL(timer_settime)
{
    struct posix_timer *t = find(current_process(), (int32_t)a0);
    struct linux_itimerspec v;
    if (!a2)
        return -EINVAL;
    if (copy_from_user(&v, a2, sizeof(v)))
        return -EFAULT;
    if (!t)
        return -EINVAL;
    if (!ts_valid(&v.it_value) || !ts_valid(&v.it_interval))
        return -EINVAL;
    struct linux_itimerspec old = current_setting(t);
    uint64_t value = ts_ns(&v.it_value), now;
    if (!clock_now(t, &now))
        return -ESRCH;
    uint64_t deadline = 0;
    if (value) {
        if (!(a1 & TIMER_ABSTIME))
            deadline = now + value;
        else if (t->clock == CLOCK_REALTIME)   /* kept on the monotonic clock */
            deadline = value > time_realtime_offset_ns() ? value - time_realtime_offset_ns() : 1;
        else
            deadline = value;
        if (!deadline)
            deadline = 1;
    }
    t->wall_abs = (a1 & TIMER_ABSTIME) && t->clock == CLOCK_REALTIME;
    t->queued = false;                 /* a signal still pending is delivered, not re-armed from */
    t->interval_ns = value ? ts_ns(&v.it_interval) : 0;
    t->overrun_last = 0;
    set_deadline(t, deadline);
    if (deadline && deadline <= now && !t->cpu && t->notify != SIGEV_NONE)
        expire(t, now);                /* already passed: at once, as hrtimer_start does */
    arm_event(t);
    if (a3 && copy_to_user(a3, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(timer_getoverrun)
{
    struct posix_timer *t = find(current_process(), (int32_t)a0);
    return t ? t->overrun_last : -EINVAL;
}

SYSCALL(timer_delete)
{
    struct process *p = current_process();
    struct posix_timer *t = find(p, (int32_t)a0);
    if (!t)
        return -EINVAL;
    unlink_timer(p, t);
    return 0;
}
