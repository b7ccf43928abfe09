/* ioprio_set/ioprio_get as Linux 6.1's block/ioprio.c answers them. The priority is recorded
 * per thread (thread.h) and reported; no I/O is scheduled by it (one virtio queue, in order).
 * A value is class << 13 | data; IOPRIO_CLASS_NONE (0) means "follow the CPU priority": what
 * IOPRIO_WHO_PROCESS reports raw (0 for a thread that never set one, as Linux 6.0+), and what
 * IOPRIO_WHO_PGRP/USER report as the effective priority the nice value and policy give. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "errno.h"
#include "aio.h"

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_MASK  0x07
#define IOPRIO_PRIO_MASK   ((1u << IOPRIO_CLASS_SHIFT) - 1)
#define IOPRIO_NR_LEVELS   8

#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT   1
#define IOPRIO_CLASS_BE   2
#define IOPRIO_CLASS_IDLE 3

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP    2
#define IOPRIO_WHO_USER    3

static int prio_class(int ioprio) { return (ioprio >> IOPRIO_CLASS_SHIFT) & IOPRIO_CLASS_MASK; }
static int prio_data(int ioprio) { return ioprio & IOPRIO_PRIO_MASK; }
static int prio_value(int class, int data) { return class << IOPRIO_CLASS_SHIFT | data; }

/* ioprio_check_cap (aio.h: an iocb's IOCB_FLAG_IOPRIO goes through it too) */
int64_t ioprio_check(int ioprio)
{
    struct process *me = current_process();
    switch (prio_class(ioprio)) {
    case IOPRIO_CLASS_RT:
        if (!process_capable(me, CAP_SYS_ADMIN) && !process_capable(me, CAP_SYS_NICE))
            return -EPERM;
        __attribute__((fallthrough));   /* a real-time class has levels too */
    case IOPRIO_CLASS_BE:
        return prio_data(ioprio) >= IOPRIO_NR_LEVELS ? -EINVAL : 0;
    case IOPRIO_CLASS_IDLE:
        return 0;
    case IOPRIO_CLASS_NONE:
        return prio_data(ioprio) ? -EINVAL : 0;
    default:
        return -EINVAL;
    }
}

/* __get_task_ioprio: class NONE becomes the class and level the scheduling attributes give
 * (task_nice_ioclass, task_nice_ioprio). */
static int effective(const struct thread *t)
{
    if (prio_class(t->ioprio) != IOPRIO_CLASS_NONE)
        return t->ioprio;
    int policy = t->sched.policy, class = IOPRIO_CLASS_BE;
    if (policy == SCHED_IDLE)
        class = IOPRIO_CLASS_IDLE;
    else if (policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_DEADLINE)
        class = IOPRIO_CLASS_RT;
    return prio_value(class, (t->sched.nice + 20) / 5);
}

/* set_task_ioprio: another user's thread needs CAP_SYS_NICE. */
static int64_t set_one(struct thread *t, int ioprio)
{
    const struct creds *me = &current_process()->cred;
    uint32_t owner = t->proc->cred.uid;
    if (owner != me->euid && owner != me->uid && !process_capable(current_process(), CAP_SYS_NICE))
        return -EPERM;
    t->ioprio = (uint16_t)ioprio;   /* Linux keeps it in an unsigned short */
    return 0;
}

/* Does IOPRIO_WHO_PGRP/USER `who` select p? (who 0: the caller's group / real uid) */
static bool selects(int which, int who, const struct process *p)
{
    const struct process *me = current_process();
    if (which == IOPRIO_WHO_PGRP)
        return p->pgid == (who ? who : me->pgid);
    return p->cred.uid == (who ? (uint32_t)who : me->cred.uid);
}

SYSCALL(ioprio_set)
{
    int which = (int)a0, who = (int)a1, ioprio = (int)a2;
    int64_t err = ioprio_check(ioprio);
    if (err)
        return err;
    if (which == IOPRIO_WHO_PROCESS) {
        struct thread *t = who ? thread_find(who) : current_thread();
        return t ? set_one(t, ioprio) : -ESRCH;
    }
    if (which != IOPRIO_WHO_PGRP && which != IOPRIO_WHO_USER)
        return -EINVAL;
    if (which == IOPRIO_WHO_USER && who == -1)
        return -ESRCH;                 /* not a valid uid */
    err = -ESRCH;
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (!p->live_threads || !selects(which, who, p))
            continue;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->state != THREAD_DEAD && (err = set_one(t, ioprio)))
                return err;            /* Linux stops at the first refusal */
    }
    return err;
}

SYSCALL(ioprio_get)
{
    int which = (int)a0, who = (int)a1;
    if (which == IOPRIO_WHO_PROCESS) {
        struct thread *t = who ? thread_find(who) : current_thread();
        return t ? t->ioprio : -ESRCH;
    }
    if (which != IOPRIO_WHO_PGRP && which != IOPRIO_WHO_USER)
        return -EINVAL;
    int64_t best = -ESRCH;             /* ioprio_best: the numerically lowest, the strongest */
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (!p->live_threads || !selects(which, who, p))
            continue;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->state != THREAD_DEAD && (best == -ESRCH || effective(t) < best))
                best = effective(t);
    }
    return best;
}
