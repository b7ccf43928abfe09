/* Syscalls that change the filesystem. The image is mounted read-only until the writable TFS
 * lands, so these answer exactly what Linux answers on a read-only mount: the lookup errors
 * first (ENOENT, ENOTDIR, EEXIST where the call would create an existing name), then EROFS. */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

/* The parent directory of path must exist and be a directory; then `exists` tells whether the
 * final name does. Returns 0 or a lookup error. */
static int classify(int dirfd, uint64_t upath, bool *exists, struct vnode **node)
{
    int err;
    char *path = user_path(upath, &err);
    if (!path)
        return err;
    err = lookup_at(dirfd, path, 0, node);
    if (err == 0) {
        *exists = true;
        goto out;
    }
    if (err != -ENOENT)
        goto out;
    /* Missing final name: the parent decides between ENOENT and "could be created". */
    char *slash = strrchr(path, '/');
    struct vnode *parent;
    if (slash == path)
        err = 0, parent = vfs_root();
    else if (slash) {
        *slash = 0;
        err = lookup_at(dirfd, path, VFS_FOLLOW, &parent);
    } else {
        err = dirfd_vnode(dirfd, "x", &parent);
        if (!err && !parent)
            parent = current_process()->cwd;
    }
    if (!err && parent && vfs_type(parent) != VNODE_DIR)
        err = -ENOTDIR;
    *exists = false;
out:
    kfree(path);
    return err;
}

static int64_t create_call(int dirfd, uint64_t upath)
{
    bool exists;
    struct vnode *v;
    int err = classify(dirfd, upath, &exists, &v);
    return err ? err : exists ? -EEXIST : -EROFS;
}

static int64_t modify_call(int dirfd, uint64_t upath)
{
    bool exists;
    struct vnode *v;
    int err = classify(dirfd, upath, &exists, &v);
    return err ? err : exists ? -EROFS : -ENOENT;
}

SYSCALL(mkdirat) { return create_call((int)a0, a1); }
SYSCALL(mknodat) { return create_call((int)a0, a1); }
SYSCALL(symlinkat) { return create_call((int)a1, a2); }
SYSCALL(linkat) { int64_t e = modify_call((int)a0, a1); return e != -EROFS ? e : create_call((int)a2, a3); }
SYSCALL(unlinkat)
{
    if (a2 & ~(uint64_t)AT_REMOVEDIR)
        return -EINVAL;
    return modify_call((int)a0, a1);
}
SYSCALL(renameat) { return modify_call((int)a0, a1); }
SYSCALL(renameat2) { return a4 & ~7UL ? -EINVAL : sys_renameat(a0, a1, a2, a3, 0, 0); }
SYSCALL(fchmodat) { return modify_call((int)a0, a1); }
SYSCALL(fchownat) { return modify_call((int)a0, a1); }
SYSCALL(truncate) { return modify_call(AT_FDCWD, a0); }

SYSCALL(utimensat)
{
    if (!a1) {   /* futimens(fd): the file itself */
        struct file *f = fd_get(current_process(), (int)a0);
        return f ? -EROFS : -EBADF;
    }
    return modify_call((int)a0, a1);
}

static int64_t fd_write_call(int fd)
{
    struct file *f = fd_get(current_process(), fd);
    if (!f)
        return -EBADF;
    return f->vnode ? -EROFS : -EINVAL;
}

SYSCALL(fchmod) { return fd_write_call((int)a0); }
SYSCALL(fchown) { return fd_write_call((int)a0); }
SYSCALL(ftruncate)
{
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    if ((int64_t)a1 < 0)
        return -EINVAL;
    return (f->flags & O_ACCMODE) == O_RDONLY ? -EINVAL : -EROFS;
}

/* Nothing is ever dirty on a read-only mount: syncing is complete the moment it is asked. */
SYSCALL(fsync) { return fd_get(current_process(), (int)a0) ? 0 : -EBADF; }
SYSCALL(fdatasync) { return fd_get(current_process(), (int)a0) ? 0 : -EBADF; }
SYSCALL(sync) { return 0; }

struct linux_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};

#define TFS_MAGIC  0x55544653   /* "UTFS": our own, as Linux has one per filesystem */
#define ST_RDONLY  1

static int64_t statfs_of(struct vnode *v, uint64_t ubuf)
{
    struct linux_statfs sf;
    struct vstat st;
    int err = vfs_stat(v, &st);
    if (err)
        return err;
    memset(&sf, 0, sizeof(sf));
    sf.f_type = TFS_MAGIC;
    sf.f_bsize = sf.f_frsize = st.blksize;
    sf.f_namelen = 255;
    sf.f_flags = ST_RDONLY;
    return copy_to_user(ubuf, &sf, sizeof(sf)) ? -EFAULT : 0;
}

SYSCALL(statfs)
{
    bool exists;
    struct vnode *v;
    int err = classify(AT_FDCWD, a0, &exists, &v);
    if (err)
        return err;
    return exists ? statfs_of(v, a1) : -ENOENT;
}

SYSCALL(fstatfs)
{
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f)
        return -EBADF;
    return statfs_of(f->vnode ? f->vnode : vfs_root(), a1);
}
