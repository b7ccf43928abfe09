/* Process groups and sessions (setpgid, getpgid, setsid, getsid) with Linux's rules: a group
 * lives inside one session, only a process or its parent (before the child's exec) moves it,
 * and a session leader never changes group. pid 1 starts as leader of session and group 1. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "errno.h"

/* pid 0 is the caller. */
static struct process *target(int pid)
{
    if (pid == 0)
        return current_process();
    struct process *p = process_find(pid);
    return p && p->state == PROCESS_LIVE ? p : NULL;
}

static bool group_in_session(int pgid, int sid)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == pgid && p->sid == sid && p->state == PROCESS_LIVE)
            return true;
    return false;
}

SYSCALL(setpgid)
{
    struct process *self = current_process();
    int pid = (int)a0, pgid = (int)a1;
    if (pgid < 0)
        return -EINVAL;
    struct process *p = target(pid);
    if (!p || (p != self && p->parent != self))
        return -ESRCH;
    if (pgid == 0)
        pgid = p->pid;
    if (p != self) {
        if (p->sid != self->sid)
            return -EPERM;
        if (p->did_exec)
            return -EACCES;
    }
    if (p->sid == p->pid)              /* a session leader */
        return -EPERM;
    if (pgid != p->pid && !group_in_session(pgid, self->sid))
        return -EPERM;
    p->pgid = pgid;
    return 0;
}

SYSCALL(getpgid)
{
    struct process *p = (int)a0 ? process_find((int)a0) : current_process();
    return p ? p->pgid : -ESRCH;
}

SYSCALL(getsid)
{
    struct process *p = (int)a0 ? process_find((int)a0) : current_process();
    return p ? p->sid : -ESRCH;
}

SYSCALL(setsid)
{
    struct process *self = current_process();
    /* A process whose pid is some group's id cannot lead a new session (Linux's ksys_setsid). */
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == self->pid)
            return -EPERM;
    self->sid = self->pgid = self->pid;
    self->tty = NULL;                  /* a new session starts without a terminal */
    return self->sid;
}
