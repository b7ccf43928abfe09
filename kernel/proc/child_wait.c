/* Waiting for children (wait4, waitid): which children a call selects, which of their events
 * it asks for (an exit, a completed stop, a continue: jobctl.c), reaping a zombie, and the
 * status and siginfo as Linux encodes them. */
#include "pidfd.h"
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "wait.h"
#include "sched.h"
#include "errno.h"
#include <string.h>

/* Which children and which events: Linux's wait_opts for wait4's pid (and waitid's idtype
 * mapped onto it) and options (WEXITED, WSTOPPED = WUNTRACED, WCONTINUED). */
struct child_query {
    struct process *parent;
    int pid;                  /* > 0: that child; 0: the caller's group; -1: any; < -1: group -pid */
    uint32_t options;
    int tid;                  /* the caller (__WNOTHREAD): the scheduler may test q on another thread */
};

enum child_event { EVENT_NONE, EVENT_EXITED, EVENT_STOPPED, EVENT_CONTINUED };

/* The thread of c's parent that c belongs to (Linux's real_parent): the one that made it, or, once
 * that one is gone, the parent's first live thread, as Linux's find_alive_thread reparents. */
static int owner_tid(const struct process *c)
{
    struct thread *t = thread_find(c->parent_tid);
    if (t && t->proc == c->parent && t->state != THREAD_DEAD)
        return t->tid;
    for (t = c->parent->threads; t; t = t->next)
        if (t->state != THREAD_DEAD)
            return t->tid;
    return 0;
}

/* Linux's eligible_child: __WALL takes every child; otherwise __WCLONE takes only the "clone"
 * children (whose exit signal is not SIGCHLD) and its absence only the others. __WNOTHREAD
 * leaves out the children of the caller's other threads. */
static bool eligible(const struct child_query *q, const struct process *c)
{
    if ((q->options & WNOTHREAD) && owner_tid(c) != q->tid)
        return false;
    if (q->options & WALL)
        return true;
    return (c->exit_signal != SIGCHLD) == !!(q->options & WCLONE);
}

static bool selected(const struct child_query *q, const struct process *c)
{
    if (!eligible(q, c))
        return false;
    if (q->pid > 0)
        return c->pid == q->pid;
    if (q->pid == 0)
        return c->pgid == q->parent->pgid;
    if (q->pid < -1)
        return c->pgid == -q->pid;
    return true;
}

/* What c has to report to q, in Linux's order (wait_consider_task: exit, stop, continue). */
static enum child_event event_of(const struct child_query *q, const struct process *c)
{
    if (c->state == PROCESS_ZOMBIE)
        return q->options & WEXITED ? EVENT_EXITED : EVENT_NONE;
    if (c->exiting)
        return EVENT_NONE;             /* killed while stopped: its exit is what comes next */
    if (c->stop_report && (q->options & WSTOPPED))
        return EVENT_STOPPED;
    if (c->continue_report && (q->options & WCONTINUED))
        return EVENT_CONTINUED;
    return EVENT_NONE;
}

/* A selected child with an event q asks for; *any says whether any child is selected at all. */
static struct process *find_event(const struct child_query *q, bool *any, enum child_event *ev)
{
    *any = false;
    for (struct process *c = q->parent->children; c; c = c->sibling) {
        if (!selected(q, c) || c->autoreap)   /* reaped already, as far as wait can tell */
            continue;
        *any = true;
        *ev = event_of(q, c);
        if (*ev != EVENT_NONE)
            return c;
    }
    return NULL;
}

static bool event_or_none(void *arg)
{
    bool any;
    enum child_event ev;
    return find_event(arg, &any, &ev) || !any;
}

void child_wait_wake(struct process *parent)
{
    for (struct thread *t = parent->threads; t; t = t->next)
        if (t->state == THREAD_WAITING)
            sched_wake(t);
    sched_kick_idle();
}

/* ru_maxrss as wait reports it for c: its own high-water mark or its reaped children's. */
static uint64_t waited_maxrss_kb(const struct process *c)
{
    uint64_t own = process_maxrss_kb(c);
    return own > c->children_maxrss_kb ? own : c->children_maxrss_kb;
}

/* The zombie's pid; it is freed (or, while the scheduler still holds its dead thread, left
 * for it to free). */
static int reap(struct process *c, struct cputime used)
{
    int pid = c->pid;
    cputime_child_reaped(c->parent, used);
    uint64_t kb = waited_maxrss_kb(c);
    if (kb > c->parent->children_maxrss_kb)
        c->parent->children_maxrss_kb = kb;
    if (c->threads)
        c->autoreap = true;            /* process_thread_freed frees it */
    else
        process_free(c);
    return pid;
}

/* Block (unless WNOHANG) until a selected child has an event: it, NULL with 0 (WNOHANG, none
 * yet), or an error (ECHILD: no such child; ERESTARTSYS: a signal came first). */
static int wait_for_event(struct child_query *q, struct process **out, enum child_event *ev)
{
    for (;;) {
        bool any;
        struct process *c = find_event(q, &any, ev);
        if (c) {
            *out = c;
            return 0;
        }
        if (!any)
            return -ECHILD;
        if (q->options & WNOHANG) {
            *out = NULL;
            return 0;
        }
        if (wait_until(event_or_none, q, WAIT_FOREVER) == -EINTR)
            return -ERESTARTSYS;
    }
}

/* The event is reported: a zombie goes (unless WNOWAIT), a stop or continue is reported once. */
static int consume(struct process *c, enum child_event ev, uint32_t options, struct cputime used)
{
    int pid = c->pid;
    if (options & WNOWAIT)
        return pid;
    if (ev == EVENT_EXITED)
        return reap(c, used);
    if (ev == EVENT_STOPPED)
        c->stop_report = 0;
    else
        c->continue_report = false;
    return pid;
}

/* wait4's status word: exits and deaths as the zombie holds them, 0x7f | sig << 8 for a stop
 * (WIFSTOPPED), 0xffff for a continue (WIFCONTINUED). */
static int32_t wait_status(const struct process *c, enum child_event ev)
{
    if (ev == EVENT_STOPPED)
        return 0x7f | c->stop_report << 8;
    if (ev == EVENT_CONTINUED)
        return 0xffff;
    return c->wait_status;
}

/* The child's resource use as Linux's wait reports it: its own CPU time and that of the children
 * it reaped (the other counters are not kept: 0). */
static int put_rusage(uint64_t addr, struct cputime used, const struct process *c)
{
    if (!addr)
        return 0;
    struct linux_rusage ru;
    memset(&ru, 0, sizeof(ru));
    cputime_to_rusage(used, &ru);
    ru.maxrss = (int64_t)waited_maxrss_kb(c);   /* Linux's RUSAGE_BOTH of the child */
    return copy_to_user(addr, &ru, sizeof(ru)) ? -EFAULT : 0;
}

SYSCALL(wait4)
{
    uint32_t options = (uint32_t)a2;
    if (options & ~(uint32_t)(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if ((int32_t)a0 == INT32_MIN)
        return -ESRCH;
    struct child_query q = { current_process(), (int32_t)a0, options | WEXITED, current_thread()->tid };
    struct process *c;
    enum child_event ev;
    int err = wait_for_event(&q, &c, &ev);
    if (err || !c)
        return err;
    int32_t status = wait_status(c, ev);
    if (a1 && copy_to_user(a1, &status, sizeof(status)))
        return -EFAULT;
    struct cputime used = process_waited_cpu_times(c);
    if (put_rusage(a3, used, c))
        return -EFAULT;
    return consume(c, ev, options, used);
}

/* waitid's siginfo_t for a child: si_signo, si_errno, si_code, then pid, uid, status. */
struct child_siginfo {
    int32_t signo, errno_, code, pad;
    int32_t pid;
    uint32_t uid;
    int32_t status;
};

SYSCALL(waitid)
{
    int idtype = (int)a0, id = (int)a1;
    uint32_t options = (uint32_t)a3;
    if (options & ~(uint32_t)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
        return -EINVAL;
    struct child_query q = { current_process(), -1, options, current_thread()->tid };
    switch (idtype) {
    case P_ALL:
        break;
    case P_PID:
        if (id <= 0)
            return -EINVAL;
        q.pid = id;
        break;
    case P_PGID:
        if (id < 0)
            return -EINVAL;
        q.pid = id ? -id : 0;
        break;
    case P_PIDFD: {
        int pid = pidfd_pid(id);
        if (pid < 0)
            return pid;
        q.pid = pid;
        break;
    }
    default:
        return -EINVAL;
    }
    struct process *c;
    enum child_event ev;
    int err = wait_for_event(&q, &c, &ev);
    if (err)
        return err;
    struct child_siginfo si;
    memset(&si, 0, sizeof(si));
    if (c) {
        si.signo = SIGCHLD;
        si.pid = c->pid;
        si.uid = c->cred.uid;
        if (ev == EVENT_STOPPED) {
            si.code = CLD_STOPPED;
            si.status = c->stop_report;
        } else if (ev == EVENT_CONTINUED) {
            si.code = CLD_CONTINUED;
            si.status = SIGCONT;
        } else {
            bool exited = (c->wait_status & 0x7f) == 0;
            si.code = exited ? CLD_EXITED : CLD_KILLED;
            si.status = exited ? (c->wait_status >> 8) & 0xff : c->wait_status & 0x7f;
        }
    }
    if (a2 && copy_to_user(a2, &si, sizeof(si)))
        return -EFAULT;
    struct cputime used = c ? process_waited_cpu_times(c) : (struct cputime){ 0, 0 };
    if (c && put_rusage(a4, used, c))    /* Linux leaves it untouched when WNOHANG found none */
        return -EFAULT;
    if (c)
        consume(c, ev, options, used);
    return 0;
}
