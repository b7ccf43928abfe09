/* Stop and continue, after Linux's group stop (kernel/signal.c do_signal_stop, prepare_signal's
 * SIGCONT). A stop signal's default action starts a group stop: every thread of the process
 * stops at its next return to user space (the ones waiting in the kernel are woken to get
 * there, the ones running elsewhere interrupted by an IPI) and parks in a passive wait, so it
 * costs no CPU anywhere. When the last live thread has stopped the stop is complete: the parent
 * gets SIGCHLD (CLD_STOPPED) and a wait can report it. SIGCONT ends it when sent, not when
 * delivered. A system call interrupted by the stop is restarted after it, as on Linux.
 *
 * Invariants (kernel lock held): stop_signal != 0 exactly while a group stop is in effect; a
 * thread's job_stopped is set only while stop_signal is, and stop_complete means every live
 * thread has job_stopped; stop_report is set only while stop_complete. */
#include "kernel.h"
#include "jobctl.h"
#include "linux_uapi.h"
#include "process.h"
#include "thread.h"
#include "sched.h"
#include "signal.h"
#include "wait.h"

#define STOP_SIGNALS (SIG_BIT(SIGSTOP) | SIG_BIT(SIGTSTP) | SIG_BIT(SIGTTIN) | SIG_BIT(SIGTTOU))

bool jobctl_is_stop_signal(int sig)
{
    return sig >= 1 && sig <= 64 && (STOP_SIGNALS & SIG_BIT(sig));
}

/* Tell the parent (Linux's do_notify_parent_cldstop): SIGCHLD unless it asked for none with
 * SA_NOCLDSTOP, and its threads in wait4/waitid look again either way. */
static void notify_parent(struct process *p, int code, int status)
{
    struct process *parent = p->parent;
    if (!parent)
        return;
    if (!(parent->sig.action[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
        struct ksiginfo info = { .signo = SIGCHLD, .code = code, .pid = p->pid, .uid = p->cred.uid,
                                 .value = (uint64_t)status };
        signal_send(parent, SIGCHLD, &info);
    }
    child_wait_wake(parent);
}

static void drop_pending(struct process *p, uint64_t set)
{
    for (int sig = 1; set; sig++, set >>= 1)
        if (set & 1)
            signal_discard(p, sig);
}

/* The stop is complete once no live thread is left running. */
static void check_complete(struct process *p)
{
    if (p->stop_complete)
        return;
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->state != THREAD_DEAD && !t->job_stopped)
            return;
    p->stop_complete = true;
    p->stop_report = p->stop_signal;
    p->continue_report = false;
    notify_parent(p, CLD_STOPPED, p->stop_signal);
}

static void resume(struct process *p)
{
    bool was_complete = p->stop_complete;
    p->stop_signal = 0;
    p->stop_complete = false;
    p->stop_report = 0;
    for (struct thread *t = p->threads; t; t = t->next) {
        t->job_stopped = false;
        sched_wake(t);
    }
    /* Linux reports a continue to wait (SIGNAL_STOP_CONTINUED) whether or not every thread had
     * stopped; SIGCHLD says CLD_CONTINUED only for a complete stop. */
    p->continue_report = true;
    if (was_complete)
        notify_parent(p, CLD_CONTINUED, SIGCONT);
}

void jobctl_signal_sent(struct process *p, int sig)
{
    if (p->exiting)
        return;
    if (jobctl_is_stop_signal(sig)) {
        signal_discard(p, SIGCONT);
    } else if (sig == SIGCONT) {
        drop_pending(p, STOP_SIGNALS);
        if (p->stop_signal)
            resume(p);
    }
}

bool jobctl_stop_pending(struct thread *t)
{
    return t->proc->stop_signal && !t->job_stopped;
}

static bool kill_pending(struct thread *t)
{
    return (signal_pending_set(t) & SIG_BIT(SIGKILL)) != 0;
}

bool jobctl_stopped_wait_ends(struct thread *t)
{
    return t->proc->exiting || kill_pending(t);
}

static bool stop_over(void *arg)
{
    struct thread *t = arg;
    return !t->job_stopped || jobctl_stopped_wait_ends(t);
}

void jobctl_stop(int sig)
{
    struct thread *self = current_thread();
    struct process *p = self->proc;
    if (!p->stop_signal) {
        p->stop_signal = sig;
        for (struct thread *t = p->threads; t; t = t->next)
            if (t != self && t->state != THREAD_DEAD)
                sched_interrupt(t);    /* woken, or stopped on its CPU by an IPI */
    }
    self->job_stopped = true;
    check_complete(p);
    while (!stop_over(self))
        wait_until_woken(stop_over, self, WAIT_FOREVER);
}

/* Linux's will_become_orphaned_pgrp: no member other than `ignore` (and none already gone) has
 * a parent in another group of the same session. pid 1 is a container's init here, not the
 * global one Linux skips, so its children count like any others. */
bool jobctl_group_orphaned(int pgid, const struct process *ignore)
{
    for (struct process *p = process_first(); p; p = p->all_next) {
        if (p == ignore || p->pgid != pgid || p->state != PROCESS_LIVE || !p->parent)
            continue;
        if (p->parent->pgid != pgid && p->parent->sid == p->sid)
            return false;
    }
    return true;
}

static bool group_has_stopped(int pgid)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == pgid && p->state == PROCESS_LIVE && p->stop_signal)
            return true;
    return false;
}

void jobctl_signal_group(int pgid, int sig)
{
    struct ksiginfo info = { .signo = sig, .code = SI_KERNEL };
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == pgid && p->state == PROCESS_LIVE)
            signal_send(p, sig, &info);
}

/* Linux's kill_orphaned_pgrp: p's group, seen through `parent` (p's own when NULL: p leaves;
 * else the leaving parent of p, which was just given to pid 1), becomes orphaned with a stopped
 * member: SIGHUP, then SIGCONT, to every member (POSIX: so a stopped job is not left for good). */
void jobctl_check_orphaned(struct process *p, struct process *parent)
{
    const struct process *ignore = parent ? NULL : p;
    if (!parent)
        parent = p->parent;
    if (parent && parent->pgid != p->pgid && parent->sid == p->sid &&
        jobctl_group_orphaned(p->pgid, ignore) && group_has_stopped(p->pgid)) {
        jobctl_signal_group(p->pgid, 1 /* SIGHUP */);
        jobctl_signal_group(p->pgid, SIGCONT);
    }
}
