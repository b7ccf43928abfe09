/* Controlling terminals and the terminal's side of job control, after Linux 6.1's
 * drivers/tty/tty_jobctrl.c. A process's terminal is `process->tty` (inherited by fork, dropped
 * by setsid); the terminal knows the session it controls and its foreground group.
 *
 * Invariant (kernel lock held): p->tty == t only while t's master is open and t->session ==
 * p->sid; the master's close (tty_hangup_session) clears every such reference, so a process
 * never points at a freed pair. */
#include "kernel.h"
#include "tty.h"
#include "file.h"
#include "process.h"
#include "thread.h"
#include "signal.h"
#include "jobctl.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"


static bool session_leader(const struct process *p) { return p->sid == p->pid; }

/* Session 1's terminal is the console (fs/devfs.c: pid 1's, as a container's started with a
 * tty), so its processes never take a pseudo-terminal as theirs; when the host gives no
 * terminal at all it has none, as a container's without -t. */
static bool has_terminal(const struct process *p)
{
    return p->tty || (p->sid == PROCESS_PID && devfs_console_is_terminal());
}

static void set_ctty(struct tty *t, struct process *p)
{
    t->session = p->sid;
    t->pgrp = p->pgid;
    p->tty = t;
}

/* Linux's tty_open_proc_set_tty. */
void tty_open_acquire(struct tty *t, int flags)
{
    struct process *p = current_process();
    if (!(flags & O_NOCTTY) && session_leader(p) && !has_terminal(p) && !t->session)
        set_ctty(t, p);
}

/* The session loses t: every member's reference goes (session_clear_tty). */
static void clear_session(struct tty *t)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->tty == t)
            p->tty = NULL;
    t->session = 0;
    t->pgrp = 0;
}

void tty_signal_foreground(struct tty *t, int sig)
{
    if (t->pgrp)
        jobctl_signal_group(t->pgrp, sig);
}

/* sig ignored or blocked by the caller (tty_jobctrl.c's is_ignored). */
static bool ignored(int sig)
{
    struct thread *self = current_thread();
    return (self->sig.blocked & SIG_BIT(sig)) || self->proc->sig.action[sig - 1].handler == SIG_IGN;
}

/* __tty_check_change. */
int tty_job_check(struct tty *t, int sig)
{
    struct process *p = current_process();
    if (p->tty != t || !t->pgrp || p->pgid == t->pgrp)
        return 0;
    if (ignored(sig))
        return sig == SIGTTIN ? -EIO : 0;
    if (jobctl_group_orphaned(p->pgid, NULL))
        return -EIO;
    jobctl_signal_group(p->pgid, sig);
    return -ERESTARTSYS;
}

void tty_hangup_session(struct tty *t)
{
    int sid = t->session;
    if (!sid)
        return;
    /* tty_signal_session_leader: the leader is told, each member loses the terminal. */
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->sid == sid && p->state == PROCESS_LIVE && p->tty == t && session_leader(p)) {
            struct ksiginfo info = { .signo = SIGHUP, .code = SI_KERNEL };
            signal_send(p, SIGHUP, &info);
            info.signo = SIGCONT;
            signal_send(p, SIGCONT, &info);
        }
    clear_session(t);
}

/* Linux's disassociate_ctty(0) for a leader giving its terminal up: SIGHUP and SIGCONT to the
 * foreground group, and the session has no terminal any more. */
static void disassociate(struct tty *t)
{
    int pgrp = t->pgrp;
    if (pgrp) {
        jobctl_signal_group(pgrp, SIGHUP);
        jobctl_signal_group(pgrp, SIGCONT);
    }
    clear_session(t);
}

static bool group_exists_in(int pgid, int *sid)
{
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->pgid == pgid && p->state == PROCESS_LIVE) {
            *sid = p->sid;
            return true;
        }
    return false;
}

static int64_t set_pgrp(struct tty *t, uint64_t arg)
{
    struct process *self = current_process();
    int err = tty_job_check(t, SIGTTOU);
    if (err == -EIO)
        return -ENOTTY;
    if (err)
        return err;
    int pgrp;
    if (copy_from_user(&pgrp, arg, sizeof(pgrp)))
        return -EFAULT;
    if (pgrp < 0)
        return -EINVAL;
    if (self->tty != t || t->session != self->sid)
        return -ENOTTY;
    int sid;
    if (!group_exists_in(pgrp, &sid))
        return -ESRCH;
    if (sid != self->sid)
        return -EPERM;
    t->pgrp = pgrp;
    return 0;
}

int64_t tty_ctty_ioctl(struct tty *t, struct file *f, bool is_master, uint32_t cmd, uint64_t arg)
{
    struct process *self = current_process();
    switch (cmd) {
    case TIOCSCTTY:        /* tiocsctty */
        if (session_leader(self) && self->sid == t->session)
            return 0;
        if (!session_leader(self) || has_terminal(self))
            return -EPERM;
        if (t->session) {
            if ((int)arg != 1 || !process_capable(self, 21 /* CAP_SYS_ADMIN */))
                return -EPERM;
            clear_session(t);          /* root steals it */
        }
        if ((f->flags & O_ACCMODE) == O_WRONLY && !process_capable(self, 21))
            return -EPERM;
        set_ctty(t, self);
        return 0;
    case TIOCNOTTY:
        if (is_master || self->tty != t)
            return -ENOTTY;
        if (session_leader(self))
            disassociate(t);
        self->tty = NULL;
        return 0;
    case TIOCGPGRP:
    case TIOCGSID: {
        if (!is_master && self->tty != t)
            return -ENOTTY;
        if (cmd == TIOCGSID && !t->session)
            return -ENOTTY;
        int id = cmd == TIOCGSID ? t->session : t->pgrp;
        return copy_to_user(arg, &id, sizeof(id)) ? -EFAULT : 0;
    }
    case TIOCSPGRP:
        return set_pgrp(t, arg);
    default:
        return -ENOTTY;
    }
}

/* do_exit's disassociate_ctty(1) for a pty: the foreground group gets SIGHUP and the session
 * has no terminal any more. */
void tty_process_exit(struct process *p)
{
    struct tty *t = p->tty;
    if (!t || !session_leader(p))
        return;
    if (t->pgrp)
        jobctl_signal_group(t->pgrp, SIGHUP);
    clear_session(t);
}

uint32_t tty_stat_number(const struct process *p) { return p->tty ? pty_device_number(p->tty->pty) : 0; }
int tty_stat_foreground(const struct process *p) { return p->tty ? p->tty->pgrp : -1; }
