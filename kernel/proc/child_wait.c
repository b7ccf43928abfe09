/* Waiting for children (wait4, waitid): which children a call selects, reaping a zombie, and
 * the status and siginfo as Linux encodes them. Stopped and continued children are never
 * reported: stop signals do not stop anything here (signal.c ignores them). */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "wait.h"
#include "errno.h"
#include <string.h>

/* Which children: Linux's wait_opts for wait4's pid (and waitid's idtype mapped onto it). */
struct child_query {
    struct process *parent;
    int pid;                  /* > 0: that child; 0: the caller's group; -1: any; < -1: group -pid */
};

static bool selected(const struct child_query *q, const struct process *c)
{
    if (q->pid > 0)
        return c->pid == q->pid;
    if (q->pid == 0)
        return c->pgid == q->parent->pgid;
    if (q->pid < -1)
        return c->pgid == -q->pid;
    return true;
}

/* A selected zombie child; *any says whether any child is selected at all. */
static struct process *find_zombie(const struct child_query *q, bool *any)
{
    *any = false;
    for (struct process *c = q->parent->children; c; c = c->sibling) {
        if (!selected(q, c) || c->autoreap)   /* reaped already, as far as wait can tell */
            continue;
        *any = true;
        if (c->state == PROCESS_ZOMBIE)
            return c;
    }
    return NULL;
}

static bool zombie_or_none(void *arg)
{
    bool any;
    return find_zombie(arg, &any) || !any;
}

/* The zombie's pid; it is freed (or, while the scheduler still holds its dead thread, left
 * for it to free). */
static int reap(struct process *c)
{
    int pid = c->pid;
    if (c->threads)
        c->autoreap = true;            /* process_thread_freed frees it */
    else
        process_free(c);
    return pid;
}

/* Block (unless WNOHANG) until a selected child is a zombie: it, NULL with 0 (WNOHANG, none
 * yet), or an error (ECHILD: no such child; ERESTARTSYS: a signal came first). */
static int wait_for_zombie(struct child_query *q, bool nohang, struct process **out)
{
    for (;;) {
        bool any;
        struct process *c = find_zombie(q, &any);
        if (c) {
            *out = c;
            return 0;
        }
        if (!any)
            return -ECHILD;
        if (nohang) {
            *out = NULL;
            return 0;
        }
        if (wait_until(zombie_or_none, q, WAIT_FOREVER) == -EINTR)
            return -ERESTARTSYS;
    }
}

SYSCALL(wait4)
{
    uint32_t options = (uint32_t)a2;
    if (options & ~(uint32_t)(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE))
        return -EINVAL;
    if ((int32_t)a0 == INT32_MIN)
        return -ESRCH;
    struct child_query q = { current_process(), (int32_t)a0 };
    struct process *c;
    int err = wait_for_zombie(&q, options & WNOHANG, &c);
    if (err || !c)
        return err;
    int32_t status = c->wait_status;
    if (a1 && copy_to_user(a1, &status, sizeof(status)))
        return -EFAULT;
    if (a3) {
        /* The child's resource use is not accounted per process yet: nothing recorded. */
        uint8_t rusage[144];
        memset(rusage, 0, sizeof(rusage));
        if (copy_to_user(a3, rusage, sizeof(rusage)))
            return -EFAULT;
    }
    return reap(c);
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
    struct child_query q = { current_process(), -1 };
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
    default:                           /* P_PIDFD: there are no pidfds (clone's CLONE_PIDFD is ENOSYS) */
        return -EINVAL;
    }
    struct process *c = NULL;
    int err = 0;
    if (options & WEXITED)
        err = wait_for_zombie(&q, options & WNOHANG, &c);
    else if (!(options & WNOHANG))
        return -ECHILD;                /* only stops or continues asked for: none ever comes */
    if (err)
        return err;
    struct child_siginfo si;
    memset(&si, 0, sizeof(si));
    if (c) {
        bool exited = (c->wait_status & 0x7f) == 0;
        si.signo = SIGCHLD;
        si.code = exited ? CLD_EXITED : CLD_KILLED;
        si.pid = c->pid;
        si.status = exited ? (c->wait_status >> 8) & 0xff : c->wait_status & 0x7f;
    }
    if (a2 && copy_to_user(a2, &si, sizeof(si)))
        return -EFAULT;
    if (a4) {
        uint8_t rusage[144];
        memset(rusage, 0, sizeof(rusage));
        if (copy_to_user(a4, rusage, sizeof(rusage)))
            return -EFAULT;
    }
    if (c && !(options & WNOWAIT))
        reap(c);
    return 0;
}
