/* Descriptor syscalls: dup, dup3, fcntl, ioctl, close_range. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

static struct process *proc(void) { return current_process(); }

static int64_t dup_to(struct file *f, int min, bool cloexec)
{
    f->refs++;
    int fd = fd_alloc(proc(), f, min, cloexec);
    if (fd < 0)
        f->refs--;
    return fd;
}

SYSCALL(dup)
{
    struct file *f = fd_get(proc(), (int)a0);
    return f ? dup_to(f, 0, false) : -EBADF;
}

SYSCALL(dup3)
{
    struct process *p = proc();
    int oldfd = (int)a0, newfd = (int)a1, flags = (int)a2;
    struct file *f = fd_get(p, oldfd);
    if (flags & ~O_CLOEXEC)
        return -EINVAL;
    if (!f)
        return -EBADF;
    if (oldfd == newfd)
        return -EINVAL;
    if (newfd < 0 || newfd >= MAX_FDS)
        return -EBADF;
    if (p->fds[newfd])
        file_put(p->fds[newfd]);
    f->refs++;
    p->fds[newfd] = f;
    p->cloexec[newfd] = flags & O_CLOEXEC;
    return newfd;
}

SYSCALL(fcntl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    switch ((int)a1) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        if ((int64_t)a2 < 0 || a2 >= MAX_FDS)
            return -EINVAL;
        return dup_to(f, (int)a2, (int)a1 == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return p->cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD:
        p->cloexec[fd] = a2 & FD_CLOEXEC;
        return 0;
    case F_GETFL:
        return f->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    case F_SETFL: {
        /* Only these status flags can change after open, as on Linux. */
        int changeable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT;
        f->flags = (f->flags & ~changeable) | ((int)a2 & changeable);
        return 0;
    }
    default:
        return -EINVAL;
    }
}

SYSCALL(ioctl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get(p, fd);
    if (!f)
        return -EBADF;
    switch ((uint32_t)a1) {
    case FIOCLEX:
        p->cloexec[fd] = true;
        return 0;
    case FIONCLEX:
        p->cloexec[fd] = false;
        return 0;
    case FIONBIO: {
        int on;
        if (copy_from_user(&on, a2, sizeof(on)))
            return -EFAULT;
        f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
        return 0;
    }
    }
    return file_ioctl(f, (uint32_t)a1, a2);   /* the file's own requests (termios, FIONREAD) */
}

SYSCALL(close_range)
{
    uint32_t first = (uint32_t)a0, last = (uint32_t)a1;
    if (a2 & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
        return -EINVAL;
    if (first > last)
        return -EINVAL;
    struct process *p = proc();
    for (uint64_t fd = first; fd <= last && fd < MAX_FDS; fd++) {
        if (!p->fds[fd])
            continue;
        if (a2 & CLOSE_RANGE_CLOEXEC) {
            p->cloexec[fd] = true;
        } else {
            struct file *f = p->fds[fd];
            p->fds[fd] = NULL;
            file_put(f);
        }
    }
    return 0;
}
