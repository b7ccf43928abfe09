/* mount(2) and umount2: the arguments and checks in Linux's order (fs/namespace.c: sys_mount,
 * do_mount, path_mount; ksys_umount, path_umount), the table itself in fs/mount.c. */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "mount.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_uapi.h"
#include <string.h>

#define MOUNT_STRING_MAX 4096          /* strndup_user's PATH_MAX */

/* copy_mount_string: NULL stays NULL; longer than PATH_MAX is EINVAL. */
static int mount_string(uint64_t u, char **out)
{
    *out = NULL;
    if (!u)
        return 0;
    char *s = kmalloc(MOUNT_STRING_MAX);
    if (!s)
        return -ENOMEM;
    int64_t n = strncpy_from_user(s, u, MOUNT_STRING_MAX);
    if (n < 0) {
        kfree(s);
        return n == -ENAMETOOLONG ? -EINVAL : (int)n;
    }
    *out = s;
    return 0;
}

/* copy_mount_options: up to a page, what can be read of it (only a first byte that faults is EFAULT). */
static int mount_options(uint64_t u, char **out)
{
    *out = NULL;
    if (!u)
        return 0;
    char *s = kzalloc(PAGE_SIZE);
    if (!s)
        return -ENOMEM;
    size_t got = 0;
    while (got < PAGE_SIZE - 1 && !copy_from_user(s + got, u + got, 1) && s[got])
        got++;
    if (got == 0 && copy_from_user(s, u, 1)) {
        kfree(s);
        return -EFAULT;
    }
    s[got] = 0;
    *out = s;
    return 0;
}

static int64_t do_mount(const char *source, uint64_t utarget, const char *type, unsigned long flags, const char *data)
{
    struct vnode *at;
    int err = user_lookup_at(AT_FDCWD, utarget, VFS_FOLLOW, &at);
    if (err)
        return err;
    if ((flags & MOUNT_MGC_MASK) == MOUNT_MGC_VAL)
        flags &= ~(unsigned long)MOUNT_MGC_MASK;
    if (flags & MOUNT_NOUSER)
        return -EINVAL;
    if (!process_capable(current_process(), CAP_SYS_ADMIN))
        return -EPERM;
    if ((flags & (MOUNT_REMOUNT | MOUNT_BIND)) == (MOUNT_REMOUNT | MOUNT_BIND) || (flags & MOUNT_REMOUNT))
        return mount_remount(at, flags, data);
    if (flags & MOUNT_BIND) {
        if (!source || !*source)
            return -EINVAL;
        struct vnode *from;
        if ((err = lookup_at(AT_FDCWD, source, VFS_FOLLOW, &from)))
            return err;
        return mount_bind(from, at, flags & MOUNT_REC);
    }
    if (flags & MOUNT_PROPAGATION)
        return mount_propagation(at, flags & (MOUNT_PROPAGATION | MOUNT_REC | MOUNT_SILENT));
    if (flags & MOUNT_MOVE) {
        if (!source || !*source)
            return -EINVAL;
        struct vnode *from;
        if ((err = lookup_at(AT_FDCWD, source, VFS_FOLLOW, &from)))
            return err;
        return mount_move(from, at);
    }
    if (!type)
        return -EINVAL;
    return mount_new(at, type, source, flags, data);
}

SYSCALL(mount)
{
    char *type = NULL, *source = NULL, *data = NULL;
    int err = mount_string(a2, &type);
    if (!err)
        err = mount_string(a0, &source);
    if (!err)
        err = mount_options(a4, &data);
    int64_t r = err ? err : do_mount(source, a1, type, (unsigned long)a3, data);
    if (r == -ENOSYS)
        kinfo("mount: remounting the boot image or a volume is not implemented, returning ENOSYS\n");
    kfree(type);
    kfree(source);
    kfree(data);
    return r;
}

SYSCALL(umount2)
{
    int flags = (int)a1;
    if (flags & ~(UMOUNT_FORCE | UMOUNT_DETACH | UMOUNT_EXPIRE | UMOUNT_NOFOLLOW))
        return -EINVAL;
    if (!process_capable(current_process(), CAP_SYS_ADMIN))
        return -EPERM;
    struct vnode *at;
    int err = user_lookup_at(AT_FDCWD, a0, flags & UMOUNT_NOFOLLOW ? 0 : VFS_FOLLOW, &at);
    if (err)
        return err;
    err = mount_umount(at, flags);
    if (err == -ENOSYS)
        kinfo("umount2: unmounting a volume is not implemented, returning ENOSYS\n");
    return err;
}
