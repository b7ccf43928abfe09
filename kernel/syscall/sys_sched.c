/* Scheduling attributes: sched_setscheduler/getscheduler/setparam/getparam, sched_setattr/
 * getattr, the priority ranges, sched_rr_get_interval, and the nice values of getpriority/
 * setpriority. Linux's checks and answers (kernel/sched/syscalls.c,
 * kernel/sys.c); the attributes are recorded per thread (sched_attr.h) and reported, and the
 * round-robin scheduler does not act on them. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

#define SETPARAM_POLICY (-1)   /* sched_setparam: keep the policy */

/* sched_attr.sched_flags (include/uapi/linux/sched.h) */
#define SCHED_FLAG_RESET_ON_FORK 0x01
#define SCHED_FLAG_RECLAIM       0x02
#define SCHED_FLAG_DL_OVERRUN    0x04
#define SCHED_FLAG_KEEP_POLICY   0x08
#define SCHED_FLAG_KEEP_PARAMS   0x10
#define SCHED_FLAG_UTIL_CLAMP    0x60
#define SCHED_FLAG_ALL           0x7f
#define SCHED_FLAG_SUGOV         0x10000000

#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56

struct linux_sched_attr {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

static bool rt_policy(int policy) { return policy == SCHED_FIFO || policy == SCHED_RR; }
/* Linux's fair_policy: SCHED_IDLE is a CFS policy too but not "fair" here, so sched_setattr
 * leaves an idle thread's nice value alone. */
static bool fair_policy(int policy) { return policy == SCHED_OTHER || policy == SCHED_BATCH; }
static bool known_policy(int policy)
{
    return fair_policy(policy) || policy == SCHED_IDLE || rt_policy(policy) || policy == SCHED_DEADLINE;
}

void sched_attr_inherit(struct thread *child, const struct thread *parent)
{
    child->sched = parent->sched;
    if (parent->sched.reset_on_fork) {
        child->sched.policy = SCHED_OTHER;
        child->sched.rt_priority = 0;
        if (child->sched.nice < 0)
            child->sched.nice = 0;
        child->sched.reset_on_fork = false;
    }
}

int sched_attr_proc_priority(const struct thread_sched *s)
{
    return rt_policy(s->policy) ? -1 - s->rt_priority : 20 + s->nice;
}

/* A sched_* pid names one thread anywhere (0: the caller); negative is EINVAL (checked by the
 * callers, in Linux's order), a free id ESRCH. */
static struct thread *sched_target(int pid)
{
    return pid == 0 ? current_thread() : thread_find((int)pid);
}

/* SCHED_DEADLINE's parameter check (__checkparam_dl, with the default period limits of
 * 100 us and 2^22 us). */
static bool deadline_params_valid(const struct linux_sched_attr *a)
{
    const uint64_t period_min = 100 * 1000ull, period_max = (1ull << 22) * 1000;
    uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;
    if (a->sched_deadline == 0 || a->sched_runtime < (1u << 10))
        return false;
    if ((a->sched_deadline | a->sched_period) & (1ull << 63))
        return false;
    if ((a->sched_period && a->sched_period < a->sched_deadline) || a->sched_deadline < a->sched_runtime)
        return false;
    return period >= period_min && period <= period_max;
}

#define RLIMIT_NICE   13
#define RLIMIT_RTPRIO 14

/* can_nice: a nice value lower than the thread's needs CAP_SYS_NICE or RLIMIT_NICE's room
 * (20 - nice <= the limit). */
static bool may_nice(int nice)
{
    return process_capable(current_process(), CAP_SYS_NICE) || (uint64_t)(20 - nice) <= rlimit_current(RLIMIT_NICE);
}

/* A thread of the caller's user (real or effective uid = the caller's effective uid). */
static bool same_owner(const struct thread *t)
{
    const struct creds *me = &current_process()->cred, *them = &t->proc->cred;
    return them->uid == me->euid || them->euid == me->euid;
}

/* __sched_setscheduler's checks for a caller without CAP_SYS_NICE (kernel/sched/syscalls.c). */
static int64_t unprivileged_change(struct thread *t, const struct linux_sched_attr *a, int policy,
                                   bool reset_on_fork, bool from_setattr)
{
    if (fair_policy(policy) && from_setattr && a->sched_nice < t->sched.nice && !may_nice(a->sched_nice))
        return -EPERM;
    if (rt_policy(policy)) {
        uint64_t rtprio = rlimit_current(RLIMIT_RTPRIO);
        if (policy != t->sched.policy && !rtprio)
            return -EPERM;
        if ((int)a->sched_priority > t->sched.rt_priority && a->sched_priority > rtprio)
            return -EPERM;
    }
    if (policy == SCHED_DEADLINE)
        return -EPERM;
    if (t->sched.policy == SCHED_IDLE && policy != SCHED_IDLE && !may_nice(t->sched.nice))
        return -EPERM;
    if (!same_owner(t))
        return -EPERM;
    if (t->sched.reset_on_fork && !reset_on_fork)
        return -EPERM;
    return 0;
}

/* __sched_setscheduler: a policy below 0 keeps the thread's. */
static int64_t set_scheduler(struct thread *t, const struct linux_sched_attr *a, bool from_setattr)
{
    int policy = (int)a->sched_policy;
    bool reset_on_fork;
    if (policy < 0) {
        policy = t->sched.policy;
        reset_on_fork = t->sched.reset_on_fork;
    } else {
        reset_on_fork = a->sched_flags & SCHED_FLAG_RESET_ON_FORK;
        if (!known_policy(policy))
            return -EINVAL;
    }
    if (a->sched_flags & ~(uint64_t)(SCHED_FLAG_ALL | SCHED_FLAG_SUGOV))
        return -EINVAL;
    if (a->sched_priority > RT_PRIO_MAX)
        return -EINVAL;
    if (policy == SCHED_DEADLINE && !deadline_params_valid(a))
        return -EINVAL;
    if (rt_policy(policy) != (a->sched_priority != 0))
        return -EINVAL;
    if (!process_capable(current_process(), CAP_SYS_NICE)) {
        int64_t err = unprivileged_change(t, a, policy, reset_on_fork, from_setattr);
        if (err)
            return err;
    }
    if (a->sched_flags & SCHED_FLAG_UTIL_CLAMP)
        return -EOPNOTSUPP;   /* utilization clamping is not kept (Linux without UCLAMP_TASK) */
    if (policy == SCHED_DEADLINE)
        return -EBUSY;        /* no bandwidth to admit a deadline task: Linux's failed admission test */
    t->sched.reset_on_fork = reset_on_fork;
    if (a->sched_flags & SCHED_FLAG_KEEP_PARAMS)
        return 0;   /* Linux then skips __setscheduler_params: the policy stays too */
    t->sched.policy = policy;
    t->sched.rt_priority = rt_policy(policy) ? (int)a->sched_priority : 0;
    if (from_setattr && fair_policy(policy))
        t->sched.nice = a->sched_nice;
    return 0;
}

static int64_t setscheduler(int pid, int policy, uint64_t uparam)
{
    int32_t prio;
    if (!uparam || pid < 0)
        return -EINVAL;
    if (copy_from_user(&prio, uparam, sizeof(prio)))
        return -EFAULT;
    struct thread *t = sched_target(pid);
    if (!t)
        return -ESRCH;
    struct linux_sched_attr a = { .sched_policy = (uint32_t)(policy & ~SCHED_RESET_ON_FORK),
                                  .sched_priority = (uint32_t)prio };
    if (policy >= 0 && (policy & SCHED_RESET_ON_FORK))
        a.sched_flags = SCHED_FLAG_RESET_ON_FORK;
    if (policy < 0)
        a.sched_policy = (uint32_t)SETPARAM_POLICY;
    return set_scheduler(t, &a, false);
}

SYSCALL(sched_setparam) { return setscheduler((int)a0, SETPARAM_POLICY, a1); }

SYSCALL(sched_setscheduler)
{
    if ((int)a1 < 0)
        return -EINVAL;
    return setscheduler((int)a0, (int)a1, a2);
}

SYSCALL(sched_getscheduler)
{
    if ((int)a0 < 0)
        return -EINVAL;
    struct thread *t = sched_target((int)a0);
    if (!t)
        return -ESRCH;
    return t->sched.policy | (t->sched.reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYSCALL(sched_getparam)
{
    if (!a1 || (int)a0 < 0)
        return -EINVAL;
    struct thread *t = sched_target((int)a0);
    if (!t)
        return -ESRCH;
    int32_t prio = t->sched.rt_priority;
    return copy_to_user(a1, &prio, sizeof(prio)) ? -EFAULT : 0;
}

SYSCALL(sched_get_priority_max)
{
    int policy = (int)a0;
    if (rt_policy(policy))
        return RT_PRIO_MAX;
    return known_policy(policy) ? 0 : -EINVAL;
}

SYSCALL(sched_get_priority_min)
{
    int policy = (int)a0;
    if (rt_policy(policy))
        return 1;
    return known_policy(policy) ? 0 : -EINVAL;
}

/* SCHED_RR's quantum is Linux's default sched_rr_timeslice (100 ms), FIFO has none; the fair
 * policies get the slice our round robin gives every thread (10 ms). */
SYSCALL(sched_rr_get_interval)
{
    if ((int)a0 < 0)
        return -EINVAL;
    struct thread *t = sched_target((int)a0);
    if (!t)
        return -ESRCH;
    uint64_t ns = t->sched.policy == SCHED_FIFO ? 0 : t->sched.policy == SCHED_RR ? 100000000 : 10000000;
    struct linux_timespec ts = { .tv_sec = (int64_t)(ns / 1000000000), .tv_nsec = (int64_t)(ns % 1000000000) };
    return copy_to_user(a1, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* sched_copy_attr: size 0 is VER0; below VER0 or past a page is E2BIG with the size we know
 * written back; bytes past what we know must be zero. */
static int64_t copy_sched_attr(uint64_t uattr, struct linux_sched_attr *a)
{
    uint32_t size;
    if (copy_from_user(&size, uattr, sizeof(size)))
        return -EFAULT;
    if (size == 0)
        size = SCHED_ATTR_SIZE_VER0;
    if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE) {
        uint32_t known = sizeof(*a);
        return copy_to_user(uattr, &known, sizeof(known)) ? -EFAULT : -E2BIG;
    }
    memset(a, 0, sizeof(*a));
    if (copy_from_user(a, uattr, size < sizeof(*a) ? size : sizeof(*a)))
        return -EFAULT;
    for (uint32_t off = sizeof(*a); off < size; off++) {
        uint8_t byte;
        if (copy_from_user(&byte, uattr + off, 1))
            return -EFAULT;
        if (byte) {
            uint32_t known = sizeof(*a);
            return copy_to_user(uattr, &known, sizeof(known)) ? -EFAULT : -E2BIG;
        }
    }
    if ((a->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
        return -EINVAL;
    if (a->sched_nice < NICE_MIN)
        a->sched_nice = NICE_MIN;
    if (a->sched_nice > NICE_MAX)
        a->sched_nice = NICE_MAX;
    return 0;
}

SYSCALL(sched_setattr)
{
    struct linux_sched_attr a;
    if (!a1 || (int)a0 < 0 || a2)
        return -EINVAL;
    int64_t err = copy_sched_attr(a1, &a);
    if (err)
        return err;
    if ((int)a.sched_policy < 0)
        return -EINVAL;
    if (a.sched_flags & SCHED_FLAG_KEEP_POLICY)
        a.sched_policy = (uint32_t)SETPARAM_POLICY;
    struct thread *t = sched_target((int)a0);
    if (!t)
        return -ESRCH;
    if (a.sched_flags & SCHED_FLAG_KEEP_PARAMS) {   /* get_params: the thread's own */
        a.sched_priority = (uint32_t)t->sched.rt_priority;
        a.sched_nice = t->sched.nice;
    }
    return set_scheduler(t, &a, true);
}

SYSCALL(sched_getattr)
{
    uint32_t usize = (uint32_t)a2;
    if (!a1 || (int)a0 < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 || a3)
        return -EINVAL;
    struct thread *t = sched_target((int)a0);
    if (!t)
        return -ESRCH;
    struct linux_sched_attr a = { .sched_policy = (uint32_t)t->sched.policy,
                                  .sched_flags = t->sched.reset_on_fork ? SCHED_FLAG_RESET_ON_FORK : 0 };
    if (rt_policy(t->sched.policy))
        a.sched_priority = (uint32_t)t->sched.rt_priority;
    else
        a.sched_nice = t->sched.nice;
    uint32_t n = usize < sizeof(a) ? usize : sizeof(a);
    a.size = n;
    return copy_to_user(a1, &a, n) ? -EFAULT : 0;
}

/* getpriority/setpriority (kernel/sys.c): PRIO_PROCESS names one thread, PRIO_PGRP every
 * thread of the group's processes, PRIO_USER every thread whose process's real uid is `who`. */
#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2

static bool prio_selects(int which, int who, struct process *p)
{
    if (which == PRIO_PGRP)
        return p->pgid == (who ? who : current_process()->pgid);
    return p->cred.uid == (uint32_t)(who ? who : (int)current_process()->cred.uid);
}

/* Applies fn to each selected thread; the count of them (0: ESRCH). */
static int for_each_prio_thread(int which, int who, void (*fn)(struct thread *, void *), void *arg)
{
    if (which == PRIO_PROCESS) {
        struct thread *t = sched_target(who);
        if (!t)
            return 0;
        fn(t, arg);
        return 1;
    }
    int n = 0;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (!p->live_threads || !prio_selects(which, who, p))
            continue;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->state != THREAD_DEAD) {
                fn(t, arg);
                n++;
            }
    }
    return n;
}

static void lowest_nice(struct thread *t, void *arg)
{
    int *best = arg;
    if (t->sched.nice < *best)
        *best = t->sched.nice;
}

struct nice_change {
    int nice;
    int64_t error;   /* Linux's set_one_prio: -ESRCH until one thread took it, the last refusal */
};

/* Another user's thread needs CAP_SYS_NICE (EPERM), and so does a lower nice value (EACCES:
 * RLIMIT_NICE is 0). */
static void set_nice(struct thread *t, void *arg)
{
    struct nice_change *c = arg;
    if (!same_owner(t) && !process_capable(current_process(), CAP_SYS_NICE)) {
        c->error = -EPERM;
        return;
    }
    if (c->nice < t->sched.nice && !may_nice(c->nice)) {
        c->error = -EACCES;
        return;
    }
    if (c->error == -ESRCH)
        c->error = 0;
    t->sched.nice = c->nice;
}

/* The raw call returns 20 - nice (1..40, never negative: glibc's getpriority undoes it). */
SYSCALL(getpriority)
{
    int which = (int)a0, who = (int)a1, best = NICE_MAX + 1;
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -EINVAL;
    if (!for_each_prio_thread(which, who, lowest_nice, &best))
        return -ESRCH;
    return 20 - best;
}

SYSCALL(setpriority)
{
    int which = (int)a0, who = (int)a1, nice = (int)a2;
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -EINVAL;
    if (nice < NICE_MIN)
        nice = NICE_MIN;
    if (nice > NICE_MAX)
        nice = NICE_MAX;
    struct nice_change c = { nice, -ESRCH };
    for_each_prio_thread(which, who, set_nice, &c);
    return c.error;
}
