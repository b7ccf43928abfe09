/* Resource limits, per process as on Linux (signal->rlim): inherited by fork, kept across
 * execve; getrlimit/setrlimit/prlimit64 (glibc's setrlimit is prlimit64). Where they are enforced:
 * RLIMIT_NOFILE (fd_limit, fdtable.c), RLIMIT_FSIZE (rlimit_file_size, the write paths),
 * RLIMIT_NPROC (rlimit_may_fork, fork); the memory limits (RLIMIT_AS, RLIMIT_MEMLOCK,
 * RLIMIT_STACK) in rlimit_mem.c. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "signal.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>


/* Linux's defaults for a root process (init_task's, with systemd's NOFILE). */
static const struct linux_rlimit defaults[RLIM_NLIMITS] = {
    [0] = { RLIM_INFINITY, RLIM_INFINITY },    /* RLIMIT_CPU */
    [RLIMIT_FSIZE] = { RLIM_INFINITY, RLIM_INFINITY },
    [RLIMIT_DATA] = { RLIM_INFINITY, RLIM_INFINITY },
    [RLIMIT_STACK] = { 8UL << 20, RLIM_INFINITY },
    [4] = { 0, RLIM_INFINITY },                /* RLIMIT_CORE */
    [5] = { RLIM_INFINITY, RLIM_INFINITY },    /* RLIMIT_RSS */
    [RLIMIT_NPROC] = { 0x3fff, 0x3fff },
    [RLIMIT_NOFILE] = { FD_LIMIT_DEFAULT, FD_NR_OPEN },
    [RLIMIT_MEMLOCK] = { 8UL << 20, 8UL << 20 },
    [RLIMIT_AS] = { RLIM_INFINITY, RLIM_INFINITY },
    [10] = { RLIM_INFINITY, RLIM_INFINITY },   /* RLIMIT_LOCKS */
    [11] = { 0x3fff, 0x3fff },                 /* RLIMIT_SIGPENDING */
    [12] = { 819200, 819200 },                 /* RLIMIT_MSGQUEUE */
    [13] = { 0, 0 },                           /* RLIMIT_NICE */
    [14] = { 0, 0 },                           /* RLIMIT_RTPRIO */
    [15] = { RLIM_INFINITY, RLIM_INFINITY },   /* RLIMIT_RTTIME */
};

void rlimit_init(struct process *p)
{
    memcpy(p->rlimits, defaults, sizeof(defaults));
}

uint64_t rlimit_current(int resource)
{
    return current_process()->rlimits[resource].rlim_cur;
}

/* Linux's generic_write_check_limits: a write that would start at or past RLIMIT_FSIZE is
 * SIGXFSZ and EFBIG; one that crosses it is cut short. The bytes that may be written. */
int64_t rlimit_file_size(uint64_t pos, uint64_t count)
{
    uint64_t limit = rlimit_current(RLIMIT_FSIZE);
    if (limit == RLIM_INFINITY || count == 0)
        return (int64_t)count;
    if (pos >= limit) {
        signal_send_self(SIGXFSZ, SI_USER);
        return -EFBIG;
    }
    return (int64_t)(count < limit - pos ? count : limit - pos);
}

/* Linux's inode_newsize_ok: may a file grow to `size` under RLIMIT_FSIZE? If not, SIGXFSZ
 * (the caller answers EFBIG). Shrinking is always allowed. */
bool rlimit_new_file_size(uint64_t size)
{
    uint64_t limit = rlimit_current(RLIMIT_FSIZE);
    if (limit == RLIM_INFINITY || size <= limit)
        return true;
    signal_send_self(SIGXFSZ, SI_USER);
    return false;
}

/* copy_process's RLIMIT_NPROC check: the processes of the caller's real uid (zombies count,
 * until reaped), the new one included, may not exceed the limit; root and CAP_SYS_RESOURCE
 * are exempt. */
bool rlimit_may_fork(struct process *parent)
{
    uint32_t uid = parent->cred.uid;
    if (uid == 0 || process_capable(parent, CAP_SYS_RESOURCE) || process_capable(parent, CAP_SYS_ADMIN))
        return true;
    uint64_t n = 1;
    for (struct process *p = process_first(); p; p = p->all_next)
        if (p->cred.uid == uid)
            n++;
    return n <= parent->rlimits[RLIMIT_NPROC].rlim_cur;
}

/* Linux's check_prlimit_permission: the caller's ids all match the target's real ones, or
 * CAP_SYS_RESOURCE. */
static bool may_touch(const struct process *caller, const struct process *t)
{
    const struct creds *c = &caller->cred, *o = &t->cred;
    if (caller == t)
        return true;
    if (c->uid == o->euid && c->uid == o->suid && c->uid == o->uid &&
        c->gid == o->egid && c->gid == o->sgid && c->gid == o->gid)
        return true;
    return process_capable(caller, CAP_SYS_RESOURCE);
}

/* Linux's do_prlimit: the resource and the new pair checked, then set; `old` gets the pair
 * it replaced (or the current one). */
static int do_prlimit(struct process *t, unsigned int resource, const struct linux_rlimit *new,
                      struct linux_rlimit *old)
{
    if (resource >= RLIM_NLIMITS)
        return -EINVAL;
    if (new) {
        if (new->rlim_cur > new->rlim_max)
            return -EINVAL;
        if (resource == RLIMIT_NOFILE && new->rlim_max > FD_NR_OPEN)
            return -EPERM;             /* Linux: above fs.nr_open */
        if (new->rlim_max > t->rlimits[resource].rlim_max &&
            !process_capable(current_process(), CAP_SYS_RESOURCE))
            return -EPERM;
    }
    if (old)
        *old = t->rlimits[resource];
    if (new) {
        t->rlimits[resource] = *new;
        if (resource == RLIMIT_NOFILE)
            t->fd_limit = new->rlim_cur;
    }
    return 0;
}

/* Linux's order: the new pair is read (EFAULT), the target found (ESRCH) and may be touched
 * (EPERM), do_prlimit, and only then the old pair written: an EFAULT there leaves the new
 * limit set. */
SYSCALL(prlimit64)
{
    struct process *me = current_process();
    struct linux_rlimit new, old;
    if (a2 && copy_from_user(&new, a2, sizeof(new)))
        return -EFAULT;
    struct process *t = (int)a0 == 0 ? me : process_find((int)a0);
    if (!t || t->state == PROCESS_ZOMBIE)
        return -ESRCH;
    if (!may_touch(me, t))
        return -EPERM;
    int err = do_prlimit(t, (unsigned int)a1, a2 ? &new : NULL, a3 ? &old : NULL);
    if (!err && a3 && copy_to_user(a3, &old, sizeof(old)))
        return -EFAULT;
    return err;
}

/* The old setrlimit (glibc calls prlimit64; a raw syscall(SYS_setrlimit) comes here). */
SYSCALL(setrlimit)
{
    struct linux_rlimit new;
    if (copy_from_user(&new, a1, sizeof(new)))
        return -EFAULT;
    return do_prlimit(current_process(), (unsigned int)a0, &new, NULL);
}

SYSCALL(getrlimit)
{
    if ((unsigned int)a0 >= RLIM_NLIMITS)
        return -EINVAL;
    return copy_to_user(a1, &current_process()->rlimits[(int)a0], sizeof(struct linux_rlimit)) ? -EFAULT : 0;
}
