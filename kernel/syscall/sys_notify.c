/* Descriptors that report events: timerfd_create/settime/gettime, signalfd4 and inotify_*.
 * The objects are in kernel/fs/timerfd.c, signalfd.c and inotify.c; here the ABI is checked in
 * the order Linux checks it. */
#include "kernel.h"
#include "perm.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "anonfd.h"
#include "signal.h"
#include "vfs.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

/* A new file in the lowest free descriptor, or the error (the file is dropped then). */
static int64_t install(struct file *f, bool cloexec)
{
    if (!f)
        return -ENOMEM;
    int fd = fd_alloc(current_process(), f, 0, cloexec);
    if (fd < 0)
        file_put(f);
    return fd;
}

SYSCALL(timerfd_create)
{
    int clock = (int)a0, flags = (int)a1;
    if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
        return -EINVAL;
    if (clock != CLOCK_MONOTONIC && clock != CLOCK_REALTIME && clock != CLOCK_BOOTTIME &&
        clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM)
        return -EINVAL;
    return install(timerfd_create(clock, flags), flags & TFD_CLOEXEC);
}

static bool timespec_valid(const struct linux_timespec *ts)
{
    return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000L;
}

SYSCALL(timerfd_settime)
{
    int flags = (int)a1;
    struct linux_itimerspec value, old;
    if (copy_from_user(&value, a2, sizeof(value)))
        return -EFAULT;
    if (flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) || !timespec_valid(&value.it_value) ||
        !timespec_valid(&value.it_interval))
        return -EINVAL;
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    int err = timerfd_settime(f, flags, &value, &old);
    if (err)
        return err;
    return a3 && copy_to_user(a3, &old, sizeof(old)) ? -EFAULT : 0;
}

SYSCALL(timerfd_gettime)
{
    struct file *f = fd_get(current_process(), (int)a0);
    struct linux_itimerspec now;
    if (!f)
        return -EBADF;
    int err = timerfd_gettime(f, &now);
    if (err)
        return err;
    return copy_to_user(a1, &now, sizeof(now)) ? -EFAULT : 0;
}

SYSCALL(signalfd4)
{
    int fd = (int)a0, flags = (int)a3;
    uint64_t mask;
    if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
        return -EINVAL;
    if (a2 != sizeof(mask))
        return -EINVAL;
    if (copy_from_user(&mask, a1, sizeof(mask)))
        return -EFAULT;
    if (fd == -1)
        return install(signalfd_create(mask, flags), flags & SFD_CLOEXEC);
    struct file *f = fd_get(current_process(), fd);
    if (!f)
        return -EBADF;
    int err = signalfd_set_mask(f, mask);
    return err ? err : fd;
}

SYSCALL(inotify_init1)
{
    int flags = (int)a0;
    if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
        return -EINVAL;
    return install(inotify_create(flags), flags & IN_CLOEXEC);
}

/* Linux's order: the mask, the descriptor, the path (followed unless IN_DONT_FOLLOW). */
SYSCALL(inotify_add_watch)
{
    uint32_t mask = (uint32_t)a2;
    if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
        return -EINVAL;
    if (!(mask & IN_ALL_EVENTS))
        return -EINVAL;
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    if (!file_is_inotify(f))
        return -EINVAL;
    struct vnode *v;
    int err = user_lookup_at(AT_FDCWD, a1, mask & IN_DONT_FOLLOW ? 0 : VFS_FOLLOW, &v);
    if (err)
        return err;
    if ((mask & IN_ONLYDIR) && vfs_type(v) != VNODE_DIR)
        return -ENOTDIR;
    if ((err = perm_check(v, MAY_READ)))   /* inotify_find_inode */
        return err;
    return inotify_watch(f, v, mask);
}

SYSCALL(inotify_rm_watch)
{
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    return inotify_unwatch(f, (int)a1);
}
