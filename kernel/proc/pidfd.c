/* Process descriptors (pidfd_open, pidfd_send_signal, pidfd_getfd; waitid's P_PIDFD), as Linux's
 * kernel/pid.c and pidfd_poll: a descriptor naming a process (the leader of its thread group),
 * always close-on-exec, readable in poll/epoll once the process has exited (a zombie, or
 * reaped). It holds the process itself, as Linux holds the struct pid, until the process is
 * freed (reaped): from then on it names nothing, so a process that reuses the pid is never
 * taken for it. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "thread.h"
#include "signal.h"
#include "pidfd.h"
#include "file.h"
#include "wait.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include "procfs_pid.h"

#define PIDFD_SIGNAL_THREAD        1
#define PIDFD_SIGNAL_THREAD_GROUP  2
#define PIDFD_SIGNAL_PROCESS_GROUP 4

struct pidfd {
    struct process *proc;              /* NULL once it is freed */
    struct file *file;
    struct pidfd *next;                /* every pidfd, for the exit's wake-up and the free */
};

static struct pidfd *all;

static struct process *live_target(const struct pidfd *d)
{
    return d->proc && d->proc->state == PROCESS_LIVE ? d->proc : NULL;
}

/* Readable once the process has exited; hung up too once it is reaped, as Linux's pidfd_poll
 * reports a pid with no task left. */
static uint32_t pidfd_poll(struct file *f)
{
    const struct pidfd *d = f->priv;
    return live_target(d) ? 0 : d->proc ? POLLIN | POLLRDNORM : POLLIN | POLLRDNORM | POLLHUP;
}

static int64_t pidfd_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    return -EINVAL;
}

static int64_t pidfd_write(struct file *f, const void *kbuf, uint64_t len) { return -EINVAL; }

static void pidfd_release(struct file *f)
{
    struct pidfd *d = f->priv;
    for (struct pidfd **link = &all; *link; link = &(*link)->next)
        if (*link == d) {
            *link = d->next;
            break;
        }
    kfree(d);
}

static const struct file_ops pidfd_ops = {
    .kind = FILE_PIDFD, .read = pidfd_read, .write = pidfd_write, .poll = pidfd_poll,
    .release = pidfd_release,
};

void pidfd_process_exited(struct process *p)
{
    for (struct pidfd *d = all; d; d = d->next)
        if (d->proc == p)
            wake_up(&d->file->waiters, POLLIN | POLLRDNORM);
}

void pidfd_process_freed(struct process *p)
{
    for (struct pidfd *d = all; d; d = d->next)
        if (d->proc == p)
            d->proc = NULL;
}

int pidfd_pid(int fd)
{
    struct file *f = fd_get(current_process(), fd);
    if (!f)
        return -EBADF;
    if (f->ops != &pidfd_ops)
        return -EBADF;
    struct process *p = ((struct pidfd *)f->priv)->proc;
    return p ? p->pid : -ECHILD;       /* reaped: no child can be it */
}

static struct pidfd *pidfd_of(int fd, int *err)
{
    struct file *f = fd_get(current_process(), fd);
    *err = !f || f->ops != &pidfd_ops ? -EBADF : 0;
    return *err ? NULL : f->priv;
}

SYSCALL(pidfd_open)
{
    int pid = (int)a0;
    if (a1 & ~(uint64_t)O_NONBLOCK)
        return -EINVAL;
    if (pid <= 0)
        return -EINVAL;
    struct process *p = process_find(pid);
    if (!p) {
        struct thread *t = thread_find(pid);
        return t ? -EINVAL : -ESRCH;   /* a thread that is not its process's leader */
    }
    return pidfd_new_fd(p, (int)a1);
}

int pidfd_new_fd(struct process *p, int flags)
{
    struct pidfd *d = kzalloc(sizeof(*d));
    if (!d)
        return -ENOMEM;
    d->proc = p;
    struct file *f = file_alloc(&pidfd_ops, d, O_RDWR | (flags & O_NONBLOCK));
    if (!f) {
        kfree(d);
        return -ENOMEM;
    }
    d->file = f;
    d->next = all;
    all = d;
    int fd = fd_alloc(current_process(), f, 0, true);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* Linux's pidfd_send_signal: no flags yet; with a siginfo, its signo must be sig, and only the
 * caller itself may claim a kernel or tkill code (si_code >= 0 or SI_TKILL) for another. */
SYSCALL(pidfd_send_signal)
{
    int sig = (int)a1, pid = 0;
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    if (f->ops != &pidfd_ops && (pid = procfs_pid_dir_pid(f)) < 0)   /* Linux also takes an open /proc/<pid> */
        return pid;
    /* Linux 6.9's scopes: the pidfd's thread, its thread group (the default), its process
     * group; at most one. */
    if ((a3 & ~(uint64_t)(PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP)) ||
        (a3 & (a3 - 1)))
        return -EINVAL;
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    /* A /proc/<pid> directory names its process by the pid (one reused after the reap would
     * be taken for it); a pidfd holds its process. */
    struct process *p = f->ops == &pidfd_ops ? live_target(f->priv) : process_find(pid);
    if (!p || p->state != PROCESS_LIVE)
        return -ESRCH;
    struct process *me = current_process();
    struct ksiginfo info = { .signo = sig, .code = SI_USER, .pid = me->pid, .uid = me->cred.uid };
    if (a2) {
        struct { int32_t signo, errno_, code, pad; int32_t pid; uint32_t uid; uint64_t value; } si;
        if (copy_from_user(&si, a2, sizeof(si)))
            return -EFAULT;
        if (si.signo != sig)
            return -EINVAL;
        if (p != me && (si.code >= 0 || si.code == SI_TKILL))
            return -EPERM;
        info = (struct ksiginfo){ .signo = sig, .code = si.code, .pid = si.pid, .uid = si.uid, .value = si.value };
    }
    if (!sig)
        return 0;
    if (a3 & PIDFD_SIGNAL_THREAD) {
        struct thread *t = thread_find(p->pid);   /* its leader, the thread the pid is */
        if (!t || t->proc != p || t->state == THREAD_DEAD)
            return -ESRCH;
        signal_send_thread(t, sig, &info);
    } else if (a3 & PIDFD_SIGNAL_PROCESS_GROUP) {
        for (struct process *q = process_first(); q; q = q->all_next)
            if (q->pgid == p->pgid && q->state == PROCESS_LIVE)
                signal_send(q, sig, &info);
    } else {
        signal_send(p, sig, &info);
    }
    return 0;
}

/* A duplicate of another process's descriptor, close-on-exec (every process here may do what
 * root may, so ptrace's access check always passes). */
SYSCALL(pidfd_getfd)
{
    int err;
    struct pidfd *d = pidfd_of((int)a0, &err);
    if (!d)
        return err;
    if (a2)
        return -EINVAL;
    struct process *p = live_target(d);
    if (!p)
        return -ESRCH;
    struct file *f = fd_get(p, (int)a1);
    if (!f)
        return -EBADF;
    f->refs++;
    int fd = fd_alloc(current_process(), f, 0, true);
    if (fd < 0)
        file_put(f);
    return fd;
}
