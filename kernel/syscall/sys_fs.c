/* Syscalls that look at the file tree: the stat family, statfs, getdents64, readlinkat, access,
 * and the working directory. */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "kfile.h"
#include "vfs.h"
#include "procfs_pid.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include "perm.h"
#include <string.h>

static struct process *proc(void) { return current_process(); }

/* stat of (dirfd, path, flags) into a struct linux_stat, handling AT_EMPTY_PATH and the kernel-made
 * files (kfile.h); *node is the tree's node it describes (NULL for a device or a pipe). */
static int stat_at(int dirfd, uint64_t upath, int flags, struct linux_stat *st, struct vnode **node)
{
    struct vnode *v = NULL;
    *node = NULL;
    int err;
    char *path = user_path(upath, &err);
    if (!path)
        return err;
    if (!path[0] && (flags & AT_EMPTY_PATH)) {
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(proc(), dirfd);
        if (dirfd == AT_FDCWD) {
            err = vnode_stat(proc()->cwd, st);
            *node = proc()->cwd;
        } else {
            err = f ? file_stat(f, st) : -EBADF;
            *node = f && f->kind == FILE_VNODE ? f->vnode : NULL;
        }
        goto out;
    }
    struct file *dev = kfile_open(path, 0);
    if (kfile_failed(dev)) {
        err = kfile_failed(dev);
        goto out;
    }
    if (dev) {
        err = file_stat(dev, st);
        file_put(dev);
        goto out;
    }
    err = lookup_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW | VFS_STOP_AT_OBJECT, &v);
    if (!err && !(flags & AT_SYMLINK_NOFOLLOW) && vfs_type(v) == VNODE_SYMLINK) {
        err = procfs_fd_stat(v, st);   /* a followed /proc/<pid>/fd/N of a pipe: the pipe's stat */
        goto out;
    }
    if (!err)
        err = vnode_stat(v, st);
    if (!err)
        *node = v;
    if (!err && (kfile_mode(v) & S_IFMT) == S_IFCHR && !vfs_rdev(v)) {   /* a kernel device: its number */
        bool kernel_made;
        struct linux_stat dst;
        struct file *dev = kfile_open_vnode(v, 0, &kernel_made);
        if (kfile_failed(dev))
            dev = NULL;
        if (dev && !file_stat(dev, &dst))
            st->st_rdev = dst.st_rdev;
        if (dev)
            file_put(dev);
    }
out:
    kfree(path);
    return err;
}

SYSCALL(newfstatat)
{
    struct linux_stat st;
    struct vnode *v;
    if ((int)a3 & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        return -EINVAL;
    int err = stat_at((int)a0, a1, (int)a3, &st, &v);
    return err ? err : (copy_to_user(a2, &st, sizeof(st)) ? -EFAULT : 0);
}

SYSCALL(fstat)
{
    struct linux_stat st;
    struct file *f = fd_get(proc(), (int)a0);
    if (!f)
        return -EBADF;
    int err = file_stat(f, &st);
    return err ? err : (copy_to_user(a1, &st, sizeof(st)) ? -EFAULT : 0);
}

SYSCALL(statx)
{
    struct linux_stat st;
    struct linux_statx sx;
    int flags = (int)a2;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
        return -EINVAL;
    if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
        return -EINVAL;
    if ((uint32_t)a3 & STATX__RESERVED)
        return -EINVAL;
    struct vnode *v;
    int err = stat_at((int)a0, a1, flags, &st, &v);
    if (err)
        return err;
    memset(&sx, 0, sizeof(sx));
    sx.stx_mask = STATX_BASIC_STATS;
    /* Linux 6.13 on (multigrain time stamps, tmpfs among them): a call that asks for neither
     * mtime nor ctime gets neither (fill_mg_cmtime). */
    bool cmtime = ((uint32_t)a3 & (STATX_MTIME | STATX_CTIME)) || (st.st_mode & S_IFMT) == S_IFCHR;
    if (!cmtime)
        sx.stx_mask &= ~(STATX_MTIME | STATX_CTIME);   /* devices (devtmpfs) report them always */
    /* The attributes tmpfs can tell (APPEND, IMMUTABLE, NODUMP: never set here) and the ones
     * every Linux filesystem reports (AUTOMOUNT, MOUNT_ROOT, DAX); "/" is a mount's root. */
    sx.stx_attributes_mask = STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND | STATX_ATTR_NODUMP | STATX_ATTR_AUTOMOUNT |
                             STATX_ATTR_MOUNT_ROOT | STATX_ATTR_DAX;
    int64_t born;   /* tmpfs answers STATX_BTIME when asked (shmem_getattr) */
    if (v && ((uint32_t)a3 & STATX_BTIME) && vfs_birth_time(v, &born)) {
        sx.stx_mask |= STATX_BTIME;
        sx.stx_btime.tv_sec = born / 1000000000;
        sx.stx_btime.tv_nsec = (uint32_t)(born % 1000000000);
    }
    struct linux_stat root;
    if (!vnode_stat(vfs_root(), &root) && root.st_ino == st.st_ino && root.st_dev == st.st_dev)
        sx.stx_attributes |= STATX_ATTR_MOUNT_ROOT;
    sx.stx_blksize = st.st_blksize;
    sx.stx_nlink = st.st_nlink;
    sx.stx_uid = st.st_uid;
    sx.stx_gid = st.st_gid;
    sx.stx_mode = (uint16_t)st.st_mode;
    sx.stx_ino = st.st_ino;
    sx.stx_size = st.st_size;
    sx.stx_blocks = st.st_blocks;
    sx.stx_atime.tv_sec = st.st_atime_sec;
    sx.stx_atime.tv_nsec = (uint32_t)st.st_atime_nsec;
    if (cmtime) {
        sx.stx_mtime.tv_sec = st.st_mtime_sec;
        sx.stx_mtime.tv_nsec = (uint32_t)st.st_mtime_nsec;
        sx.stx_ctime.tv_sec = st.st_ctime_sec;
        sx.stx_ctime.tv_nsec = (uint32_t)st.st_ctime_nsec;
    }
    sx.stx_rdev_major = (uint32_t)(st.st_rdev & 0xfff00) >> 8;          /* new_decode_dev */
    sx.stx_rdev_minor = (uint32_t)((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00));
    sx.stx_dev_major = 0;
    sx.stx_dev_minor = (uint32_t)st.st_dev;
    return copy_to_user(a4, &sx, sizeof(sx)) ? -EFAULT : 0;
}

SYSCALL(getdents64)
{
    struct file *f = fd_get_open(proc(), (int)a0);
    uint64_t ubuf = a1, size = a2, used = 0;
    struct vdirent *e = kmalloc(sizeof(*e));
    char *rec = kmalloc(512);
    int64_t ret = 0;
    if (!e || !rec) {
        ret = -ENOMEM;
        goto out;
    }
    if (!f) {
        ret = -EBADF;
        goto out;
    }
    if (f->kind != FILE_VNODE || vfs_type(f->vnode) != VNODE_DIR) {
        ret = -ENOTDIR;
        goto out;
    }
    if (vfs_type(f->vnode) == VNODE_DIR && !(f->flags & O_NOATIME))
        vfs_accessed(f->vnode);        /* iterate_dir's file_accessed */
    for (;;) {
        uint64_t cookie = f->dir_cookie;
        int got = vfs_readdir(f->vnode, &cookie, e);
        if (got < 0) {
            ret = got;
            goto out;
        }
        if (got == 0)
            break;
        size_t namelen = strnlen(e->name, sizeof(e->name) - 1);
        uint64_t reclen = ALIGN_UP(offsetof(struct linux_dirent64, d_name) + namelen + 1, 8);
        if (used + reclen > size) {
            if (used == 0)
                ret = -EINVAL;   /* buffer too small for even one entry */
            break;
        }
        struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
        memset(rec, 0, reclen);
        d->d_ino = e->ino;
        d->d_off = (int64_t)cookie;
        d->d_reclen = (uint16_t)reclen;
        d->d_type = (e->kernel_mode & S_IFMT) == S_IFCHR ? DT_CHR : e->type == VNODE_DIR ? DT_DIR : e->type == VNODE_SYMLINK ? DT_LNK :
                    e->type == VNODE_SOCKET ? DT_SOCK : e->type == VNODE_FIFO ? DT_FIFO :
                    e->type == VNODE_CHR ? DT_CHR : e->type == VNODE_BLK ? DT_BLK : DT_REG;
        memcpy(d->d_name, e->name, namelen);
        if (copy_to_user(ubuf + used, rec, reclen)) {
            ret = -EFAULT;
            goto out;
        }
        used += reclen;
        f->dir_cookie = cookie;
        f->offset = cookie;
    }
    if (ret == 0)
        ret = used;
out:
    kfree(e);
    kfree(rec);
    return ret;
}

SYSCALL(readlinkat)
{
    char *path, *target;
    int64_t ret;
    int err;
    struct vnode *v;
    if ((int64_t)a3 <= 0)
        return -EINVAL;
    if (!(path = user_path(a1, &err)))
        return err;
    if (!(target = kmalloc(VFS_PATH_MAX))) {
        kfree(path);
        return -ENOMEM;
    }
    if (!path[0] && (int)a0 != AT_FDCWD) {   /* Linux 2.6.39 on: the descriptor's own node */
        struct file *f = fd_get(proc(), (int)a0);
        ret = !f ? -EBADF : f->kind != FILE_VNODE ? -ENOENT : 0;
        v = f ? f->vnode : NULL;
    } else {
        ret = lookup_at((int)a0, path, 0, &v);
    }
    if (ret == 0)   /* an empty path names no link: ENOENT, not "not a link" (do_readlinkat) */
        ret = vfs_type(v) == VNODE_SYMLINK ? vfs_readlink(v, target, VFS_PATH_MAX) : path[0] ? -EINVAL : -ENOENT;
    if (ret >= 0) {
        uint64_t n = (uint64_t)ret < a3 ? (uint64_t)ret : a3;
        ret = copy_to_user(a2, target, n) ? -EFAULT : (int64_t)n;
    }
    kfree(path);
    kfree(target);
    return ret;
}

static int64_t access_checked(int dirfd, uint64_t upath, int mode, int flags);

/* do_faccessat: the checks use the real ids (and a real root's permitted capabilities) unless
 * AT_EACCESS asks for the effective ones. */
static int64_t access_at(int dirfd, uint64_t upath, int mode, int flags)
{
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (flags & AT_EACCESS)
        return access_checked(dirfd, upath, mode, flags);
    struct fs_ident real;
    const struct fs_ident *saved;
    perm_access_begin(&real, &saved);
    int64_t err = access_checked(dirfd, upath, mode, flags);
    perm_access_end(saved);
    return err;
}

static int64_t access_checked(int dirfd, uint64_t upath, int mode, int flags)
{
    char *path;
    struct vnode *v;
    struct vstat st;
    int e;
    int64_t err;
    if (mode & ~(R_OK | W_OK | X_OK))
        return -EINVAL;
    if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    if (!(path = user_path(upath, &e)))
        return e;
    struct file *dev = path[0] ? kfile_open(path, 0) : NULL;
    if (kfile_failed(dev)) {
        err = kfile_failed(dev);
        goto out;
    }
    if (dev) {
        file_put(dev);
        err = 0;
        goto out;
    }
    if (!path[0] && (flags & AT_EMPTY_PATH)) {   /* the descriptor's own node (or the cwd) */
        struct file *f = dirfd == AT_FDCWD ? NULL : fd_get(proc(), dirfd);
        err = dirfd == AT_FDCWD ? 0 : !f ? -EBADF : 0;
        if (!err && f && f->kind != FILE_VNODE)
            goto out;                  /* a pipe or socket: root may do anything to it */
        v = f ? f->vnode : proc()->cwd;
        if (err || !v)
            goto out;
    } else {
        err = lookup_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, &v);
    }
    if (err)
        goto out;
    if ((err = vfs_stat(v, &st)))
        goto out;
    if ((mode & W_OK) && st.mode && (st.mode & S_IFMT) != S_IFSOCK && vfs_read_only(v)) {
        err = -EROFS;                  /* a file, directory or link target on a read-only mount */
        goto out;
    }
    err = perm_check(v, mode);         /* R_OK, W_OK, X_OK are MAY_READ, MAY_WRITE, MAY_EXEC */
out:
    kfree(path);
    return err;
}

SYSCALL(faccessat) { return access_at((int)a0, a1, (int)a2, 0); }
SYSCALL(faccessat2) { return access_at((int)a0, a1, (int)a2, (int)a3); }

SYSCALL(getcwd)
{
    char *buf = kmalloc(VFS_PATH_MAX);
    int64_t ret;
    if (!buf)
        return -ENOMEM;
    static const char unreachable[] = "(unreachable)";   /* a cwd outside the chroot: Linux's mark */
    bool outside;
    size_t mark = sizeof(unreachable) - 1;
    ret = vfs_path_seen(proc()->cwd ? proc()->cwd : vfs_root(), buf + mark, VFS_PATH_MAX - mark, &outside);
    if (ret >= 0) {
        if (outside)
            memcpy(buf, unreachable, mark);
        else
            memmove(buf, buf + mark, (size_t)ret + 1);
        uint64_t len = strlen(buf) + 1;
        if (a1 < len)
            ret = -ERANGE;
        else
            ret = copy_to_user(a0, buf, len) ? -EFAULT : (int64_t)len;
    }
    kfree(buf);
    return ret;
}

/* chroot: Linux's ksys_chroot, the lookup (ENOENT, ENOTDIR) before the capability (EPERM). */
SYSCALL(chroot)
{
    struct vnode *v;
    int err = user_lookup_at(AT_FDCWD, a0, VFS_FOLLOW, &v);
    if (err)
        return err;
    if (vfs_type(v) != VNODE_DIR)
        return -ENOTDIR;
    if ((err = perm_check(v, MAY_EXEC)))   /* MAY_EXEC | MAY_CHDIR */
        return err;
    if (!process_capable(proc(), CAP_SYS_CHROOT))
        return -EPERM;
    vfs_set_lookup_root(v);
    return 0;
}

/* chdir and fchdir: a directory the caller may search (MAY_EXEC | MAY_CHDIR). */
static int64_t change_dir(struct vnode *v)
{
    if (vfs_type(v) != VNODE_DIR)
        return -ENOTDIR;
    int err = perm_check(v, MAY_EXEC);
    if (err)
        return err;
    proc()->cwd = v;
    return 0;
}

SYSCALL(chdir)
{
    struct vnode *v;
    int e;
    int64_t err;
    char *path = user_path(a0, &e);
    if (!path)
        return e;
    err = lookup_at(AT_FDCWD, path, VFS_FOLLOW, &v);
    if (err >= 0)
        err = change_dir(v);
    kfree(path);
    return err;
}

SYSCALL(fchdir)
{
    struct file *f = fd_get(proc(), (int)a0);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_VNODE)
        return -ENOTDIR;
    return change_dir(f->vnode);
}

#define TFS_MAGIC  0x55544653   /* "UTFS": our own, as Linux has one per filesystem */

/* Space is memory: what the page allocator has, in the filesystem's block size; on a volume
 * its disk's blocks. */
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
    uint64_t per_block = st.blksize / PAGE_SIZE ? st.blksize / PAGE_SIZE : 1;
    sf.f_blocks = page_total_count() / per_block;
    sf.f_bfree = sf.f_bavail = page_free_count() / per_block;
    uint64_t blocks, bfree;
    if (vfs_volume_space(v, &blocks, &bfree)) {   /* a volume: its disk, not memory */
        sf.f_blocks = blocks;
        sf.f_bfree = sf.f_bavail = bfree;
    }
    sf.f_files = page_total_count();
    sf.f_ffree = page_free_count();
    sf.f_namelen = 255;
    sf.f_flags = ST_VALID | ST_RELATIME | (vfs_read_only(v) ? ST_RDONLY : 0);   /* the atime rule vfs_accessed keeps */
    return copy_to_user(ubuf, &sf, sizeof(sf)) ? -EFAULT : 0;
}

SYSCALL(statfs)
{
    struct vnode *v;
    int err = user_lookup_at(AT_FDCWD, a0, VFS_FOLLOW, &v);
    return err ? err : statfs_of(v, a1);
}

SYSCALL(fstatfs)
{
    struct file *f = fd_get(proc(), (int)a0);
    if (!f)
        return -EBADF;
    return statfs_of(f->vnode ? f->vnode : vfs_root(), a1);
}
