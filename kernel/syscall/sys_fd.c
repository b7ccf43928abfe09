/* Descriptor syscalls: dup, dup3, fcntl (with its record locks: fs/filelock.c), flock, ioctl,
 * close_range. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "filelock.h"
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
    if (newfd < 0 || (uint64_t)newfd >= p->fd_limit)
        return -EBADF;
    f->refs++;
    if (fd_install(p, newfd, f, flags & O_CLOEXEC)) {
        f->refs--;
        return -ENOMEM;
    }
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
        if ((int64_t)a2 < 0 || a2 >= p->fd_limit)
            return -EINVAL;
        return dup_to(f, (int)a2, (int)a1 == F_DUPFD_CLOEXEC);
    case F_GETFD:
        return fd_cloexec(p, fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
        fd_set_cloexec(p, fd, a2 & FD_CLOEXEC);
        return 0;
    case F_GETFL:
        return f->flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
    case F_SETFL: {
        /* Only these status flags can change after open, as on Linux. */
        int changeable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT | O_ASYNC;
        f->flags = (f->flags & ~changeable) | ((int)a2 & changeable);
        return 0;
    }
    case F_SETOWN:
        f->owner = (int)a2;
        return 0;
    case F_GETOWN:
        return f->owner;
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW:
        return filelock_fcntl(p, f, (int)a1, a2);
    default:
        return -EINVAL;
    }
}

SYSCALL(flock)
{
    struct file *f = fd_get(proc(), (int)a0);
    return f ? filelock_flock(f, (int)a1) : -EBADF;
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
        fd_set_cloexec(p, fd, true);
        return 0;
    case FIONCLEX:
        fd_set_cloexec(p, fd, false);
        return 0;
    case FIONBIO: {
        int on;
        if (copy_from_user(&on, a2, sizeof(on)))
            return -EFAULT;
        f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
        return 0;
    }
    case FIOASYNC: {
        int on;
        if (copy_from_user(&on, a2, sizeof(on)))
            return -EFAULT;
        f->flags = on ? (f->flags | O_ASYNC) : (f->flags & ~O_ASYNC);
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
    for (uint64_t fd = first; fd <= last && fd < (uint64_t)fd_table_end(p); fd++) {
        if (!fd_get(p, (int)fd))
            continue;
        if (a2 & CLOSE_RANGE_CLOEXEC)
            fd_set_cloexec(p, (int)fd, true);
        else
            fd_close(p, (int)fd);
    }
    return 0;
}
