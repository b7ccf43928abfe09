/* Descriptor syscalls: dup, dup3, fcntl (with its record locks: fs/filelock.c), flock, ioctl,
 * close_range. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "dnotify.h"
#include "filelock.h"
#include "pipe.h"
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

/* Files whose kind has Linux's ->fasync (pipes, sockets, the terminal, inotify): only there
 * does O_ASYNC stick (setfl leaves FASYNC to ->fasync; SETFL_MASK does not hold it). */
static bool has_fasync(struct file *f)
{
    return f->kind == FILE_PIPE || f->kind == FILE_SOCKET || f->kind == FILE_CONSOLE || f->kind == FILE_INOTIFY;
}

static void set_async(struct file *f, int fd, bool on)
{
    if (!has_fasync(f))
        return;
    f->flags = on ? (f->flags | O_ASYNC) : (f->flags & ~O_ASYNC);
    if (on)
        f->async_fd = fd;
}

/* The commands an O_PATH descriptor answers (Linux's check_fcntl_cmd); the rest are EBADF. */
static bool path_fd_command(int cmd)
{
    return cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC || cmd == F_GETFD || cmd == F_SETFD || cmd == F_GETFL;
}

SYSCALL(fcntl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get(p, fd);
    if (!f || ((f->flags & O_PATH) && !path_fd_command((int)a1)))
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
        /* Only these status flags can change after open, as on Linux (SETFL_MASK). */
        int changeable = O_APPEND | O_NONBLOCK | O_NOATIME | O_DIRECT;
        f->flags = (f->flags & ~changeable) | ((int)a2 & changeable);
        set_async(f, fd, a2 & O_ASYNC);
        return 0;
    }
    case F_SETOWN:
        f->owner = (int)a2;
        return 0;
    case F_GETOWN:
        return f->owner;
    case F_SETOWN_EX:
    case F_GETOWN_EX: {   /* glibc's F_GETOWN is F_GETOWN_EX (a process group comes back whole) */
        struct linux_f_owner_ex ex;
        if ((int)a1 == F_GETOWN_EX) {
            ex.type = f->owner < 0 ? F_OWNER_PGRP : F_OWNER_PID;
            ex.pid = f->owner < 0 ? -f->owner : f->owner;
            return copy_to_user(a2, &ex, sizeof(ex)) ? -EFAULT : 0;
        }
        if (copy_from_user(&ex, a2, sizeof(ex)))
            return -EFAULT;
        if (ex.type == F_OWNER_TID)
            return -EINVAL;   /* SIGIO goes to a process, never to one chosen thread */
        if (ex.type != F_OWNER_PID && ex.type != F_OWNER_PGRP)
            return -EINVAL;
        f->owner = ex.type == F_OWNER_PGRP ? -ex.pid : ex.pid;
        return 0;
    }
    case F_SETSIG:
        if (a2 > NSIG)
            return -EINVAL;
        f->owner_sig = (int)a2;
        return 0;
    case F_GETSIG:
        return f->owner_sig;
    case F_NOTIFY:
        return dnotify_fcntl(p, fd, f, (uint32_t)a2);
    case F_GETLEASE:
        return F_UNLCK;       /* no lease is ever held: F_SETLEASE is not supported (EINVAL) */
    case F_GETPIPE_SZ:
    case F_SETPIPE_SZ:
        return f->kind == FILE_PIPE ? pipe_fcntl_size(f, (int)a1 == F_SETPIPE_SZ, a2) : -EBADF;
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
    struct file *f = fd_get_open(proc(), (int)a0);
    return f ? filelock_flock(f, (int)a1) : -EBADF;
}

SYSCALL(ioctl)
{
    struct process *p = proc();
    int fd = (int)a0;
    struct file *f = fd_get_open(p, fd);
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
        set_async(f, (int)a0, on);
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
