/* Syscalls that change the file tree. Changes live in memory for the life of the program (the
 * VFS overlays the read-only image); the checks and their order follow Linux's fs/namei.c, so a
 * program sees the errors it would see on a tmpfs. */
#include "kernel.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "timer.h"
#include "linux_abi.h"
#include "perm.h"
#include <string.h>

#define NSEC       1000000000L

static struct process *proc(void) { return current_process(); }

/* A path's directory and last component, for the calls that make or remove names. */
struct parent {
    char *path;                /* kernel copy; name points into it */
    struct vnode *dir;
    const char *name;
    size_t len;
    bool trailing;
};

static int parent_of(int dirfd, uint64_t upath, struct parent *pp)
{
    int err;
    pp->path = user_path(upath, &err);
    if (!pp->path)
        return err;
    err = lookup_parent_at(dirfd, pp->path, &pp->dir, &pp->name, &pp->len, &pp->trailing);
    if (err) {
        kfree(pp->path);
        pp->path = NULL;
    }
    return err;
}

static void parent_done(struct parent *pp) { kfree(pp->path); }

static int64_t make_node(int dirfd, uint64_t upath, enum vnode_type type, uint32_t mode, const char *target)
{
    struct parent pp;
    int err = parent_of(dirfd, upath, &pp);
    if (err)
        return err;
    if (pp.trailing && type != VNODE_DIR) {
        /* "name/" can only ever be a directory: an existing name is EEXIST, else ENOENT. */
        struct vnode *v;
        err = vfs_lookup(pp.dir, pp.name, 0, &v) == 0 ? -EEXIST : -ENOENT;
    } else {
        err = vfs_create(pp.dir, pp.name, pp.len, type, mode & ~proc()->umask, target, NULL);
    }
    parent_done(&pp);
    return err;
}

/* mkdir keeps the sticky bit but never set-user-ID or set-group-ID (vfs_mkdir's mode mask). */
SYSCALL(mkdirat) { return make_node((int)a0, a1, VNODE_DIR, (uint32_t)a2 & 01777, NULL); }

/* Linux's do_mknodat over tmpfs: the type's check (may_mknod), then the name (EEXIST...), then
 * CAP_MKNOD for a device node. FIFOs and sockets keep no number; a device node keeps dev. */
SYSCALL(mknodat)
{
    uint32_t mode = (uint32_t)a2, type = mode & S_IFMT, dev = (uint32_t)a3;
    if (type == S_IFDIR)
        return -EPERM;                 /* may_mknod: mkdir(2) makes directories */
    if (type != 0 && type != S_IFREG && type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
        return -EINVAL;
    if (type == S_IFIFO)
        return make_node((int)a0, a1, VNODE_FIFO, mode & 07777, NULL);
    if (type == S_IFSOCK)              /* a name nothing listens behind: connect is ECONNREFUSED */
        return make_node((int)a0, a1, VNODE_SOCKET, mode & 07777, NULL);
    if (type == S_IFCHR || type == S_IFBLK) {
        struct vnode *v;
        if (!user_lookup_at((int)a0, a1, 0, &v))
            return -EEXIST;            /* filename_create comes before vfs_mknod's capability check */
        struct parent pp;              /* and vfs_mknod's may_create before it too */
        int64_t denied = parent_of((int)a0, a1, &pp);
        if (!denied) {
            denied = perm_may_create(pp.dir);
            parent_done(&pp);
        }
        if (denied)
            return denied;
        if (!process_capable(proc(), CAP_MKNOD))
            return -EPERM;
        int64_t err = make_node((int)a0, a1, type == S_IFCHR ? VNODE_CHR : VNODE_BLK, mode & 07777, NULL);
        if (!err && !user_lookup_at((int)a0, a1, 0, &v))
            vfs_set_rdev(v, dev);
        return err;
    }
    return make_node((int)a0, a1, VNODE_FILE, mode & 07777, NULL);
}

SYSCALL(symlinkat)
{
    int err;
    char *target = user_path(a0, &err);
    if (!target)
        return err;
    int64_t r = target[0] ? make_node((int)a1, a2, VNODE_SYMLINK, 0777, target) : -ENOENT;
    kfree(target);
    return r;
}

SYSCALL(unlinkat)
{
    if (a2 & ~(uint64_t)AT_REMOVEDIR)
        return -EINVAL;
    bool rmdir = a2 & AT_REMOVEDIR;
    struct parent pp;
    int err = parent_of((int)a0, a1, &pp);
    if (err)
        return err;
    bool dots = (pp.len == 1 && pp.name[0] == '.') || (pp.len == 2 && pp.name[0] == '.' && pp.name[1] == '.');
    if (pp.len == 0)
        err = rmdir ? -EBUSY : -EISDIR;            /* "/" */
    else if (!rmdir && dots)
        err = -EISDIR;                             /* unlink "." or "..": not a LAST_NORM name */
    else if (!rmdir && pp.trailing) {
        struct vnode *v;
        err = vfs_lookup(pp.dir, pp.name, 0, &v);
        err = err ? err : vfs_type(v) == VNODE_DIR ? -EISDIR : -ENOTDIR;
    } else
        err = vfs_remove(pp.dir, pp.name, pp.len, rmdir);
    parent_done(&pp);
    return err;
}

static int64_t do_rename(int odirfd, uint64_t oldpath, int ndirfd, uint64_t newpath, unsigned flags)
{
    if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
        return -EINVAL;
    struct parent from, to;
    int err = parent_of(odirfd, oldpath, &from);
    if (err)
        return err;
    if ((err = parent_of(ndirfd, newpath, &to))) {
        parent_done(&from);
        return err;
    }
    err = vfs_rename(from.dir, from.name, from.len, to.dir, to.name, to.len, flags);
    if (!err && (from.trailing || to.trailing)) {
        /* Trailing slashes demand directories; undoing is simpler than checking first. */
        struct vnode *v;
        if (!vfs_lookup(to.dir, to.name, 0, &v) && vfs_type(v) != VNODE_DIR) {
            vfs_rename(to.dir, to.name, to.len, from.dir, from.name, from.len, 0);
            err = -ENOTDIR;
        }
    }
    parent_done(&to);
    parent_done(&from);
    return err;
}

SYSCALL(renameat) { return do_rename((int)a0, a1, (int)a2, a3, 0); }
SYSCALL(renameat2) { return do_rename((int)a0, a1, (int)a2, a3, (unsigned)a4); }

/* "/proc/self/fd/N": N, else -1. Following it reaches the open file, as Linux's magic links
 * do, even when the file has no name (the idiom that links an O_TMPFILE file). */
static int proc_self_fd(const char *path)
{
    static const char prefix[] = "/proc/self/fd/";
    if (strncmp(path, prefix, sizeof(prefix) - 1))
        return -1;
    const char *p = path + sizeof(prefix) - 1;
    int n = 0;
    if (!*p)
        return -1;
    for (; *p; p++) {
        if (*p < '0' || *p > '9' || n > 100000000)
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n;
}

SYSCALL(linkat)
{
    int flags = (int)a4, err;
    if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vnode *v;
    char *old = user_path(a1, &err);
    if (!old)
        return err;
    int magic = (flags & AT_SYMLINK_FOLLOW) ? proc_self_fd(old) : -1;
    if (!old[0] && (flags & AT_EMPTY_PATH)) {
        struct file *f = fd_get(proc(), (int)a0);
        err = !f ? -EBADF : !f->vnode ? -ENOENT : 0;
        v = f ? f->vnode : NULL;
    } else if (magic >= 0) {           /* a magic link: the open file itself, named or not */
        struct file *f = fd_get(proc(), magic);
        err = !f ? -ENOENT : !f->vnode ? -ENOENT : 0;
        v = f ? f->vnode : NULL;
    } else {
        err = lookup_at((int)a0, old, (flags & AT_SYMLINK_FOLLOW) ? VFS_FOLLOW : 0, &v);
    }
    kfree(old);
    if (err)
        return err;
    struct parent pp;
    if ((err = parent_of((int)a2, a3, &pp)))
        return err;
    err = pp.trailing ? (vfs_type(v) == VNODE_DIR ? -EPERM : -ENOENT) : vfs_link(v, pp.dir, pp.name, pp.len);
    parent_done(&pp);
    return err;
}

/* The vnode a *at() call with an AT_EMPTY_PATH/AT_SYMLINK_NOFOLLOW flag set means. */
static int target_at(int dirfd, uint64_t upath, int flags, struct vnode **out)
{
    int err;
    char *path = user_path(upath, &err);
    if (!path)
        return err;
    if (!path[0] && (flags & AT_EMPTY_PATH) && dirfd == AT_FDCWD) {
        *out = proc()->cwd;            /* the empty path names the directory itself */
        err = 0;
    } else if (!path[0] && (flags & AT_EMPTY_PATH)) {
        struct file *f = fd_get(proc(), dirfd);
        err = !f ? -EBADF : !f->vnode ? -EINVAL : 0;
        if (!err)
            *out = f->vnode;
    } else {
        err = lookup_at(dirfd, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, out);
    }
    kfree(path);
    return err;
}

/* chmod_common: the mount (EROFS), then setattr_prepare's owner check. */
static int64_t chmod_vnode(struct vnode *v, uint32_t mode)
{
    int err;
    if (vfs_read_only(v))
        return -EROFS;
    mode &= 07777;
    if ((err = perm_chmod(v, &mode)))
        return err;
    struct vattr a = { .mask = VATTR_MODE, .mode = mode };
    return vfs_setattr(v, &a);
}

/* -1 (as a 32-bit id) leaves that id unchanged, as chown(2) says. */
static int64_t chown_vnode(struct vnode *v, uint32_t uid, uint32_t gid)
{
    struct vattr a = { .mask = 0, .uid = uid, .gid = gid };
    if (uid != (uint32_t)-1)
        a.mask |= VATTR_UID;
    if (gid != (uint32_t)-1)
        a.mask |= VATTR_GID;
    if (vfs_read_only(v))
        return -EROFS;
    int err = perm_chown(v, uid, gid);
    return err ? err : vfs_setattr(v, &a);
}

SYSCALL(fchmodat)
{
    struct vnode *v;
    int err = target_at((int)a0, a1, 0, &v);
    return err ? err : chmod_vnode(v, (uint32_t)a2);
}

SYSCALL(fchownat)
{
    int flags = (int)a4;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vnode *v;
    int err = target_at((int)a0, a1, flags, &v);
    return err ? err : chown_vnode(v, (uint32_t)a2, (uint32_t)a3);
}

static struct vnode *fd_vnode(int fd, int *err)
{
    struct file *f = fd_get_open(proc(), fd);
    *err = !f ? -EBADF : 0;
    return f ? f->vnode : NULL;
}

SYSCALL(fchmod)
{
    int err;
    struct vnode *v = fd_vnode((int)a0, &err);
    if (err)
        return err;
    return v ? chmod_vnode(v, (uint32_t)a1) : 0;   /* pipes and sockets: Linux accepts it */
}

SYSCALL(fchown)
{
    int err;
    struct vnode *v = fd_vnode((int)a0, &err);
    if (err)
        return err;
    return v ? chown_vnode(v, (uint32_t)a1, (uint32_t)a2) : 0;
}

SYSCALL(truncate)
{
    if ((int64_t)a1 < 0)
        return -EINVAL;
    struct vnode *v;
    int err = user_lookup_at(AT_FDCWD, a0, VFS_FOLLOW, &v);
    if (err)
        return err;
    /* Linux's vfs_truncate: the type, the mount, write permission, then a running program */
    if (vfs_type(v) == VNODE_DIR)
        return -EISDIR;
    if (vfs_type(v) != VNODE_FILE)
        return -EINVAL;
    if ((err = perm_check(v, MAY_WRITE)))
        return err;
    if (vfs_executing(v))
        return -ETXTBSY;
    return vfs_truncate(v, a1);
}

SYSCALL(ftruncate)
{
    struct file *f = fd_get_open(proc(), (int)a0);
    if (!f)
        return -EBADF;
    if ((int64_t)a1 < 0)
        return -EINVAL;
    if (!f->vnode || vfs_type(f->vnode) != VNODE_FILE || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EINVAL;
    return vfs_truncate(f->vnode, a1);
}

/* One utimensat timestamp: UTIME_NOW, UTIME_OMIT or a time (EINVAL when out of range). */
static int time_from(const int64_t ts[2], int64_t now, unsigned bit, struct vattr *a, int64_t *out)
{
    if (ts[1] == UTIME_OMIT)
        return 0;
    if (ts[1] == UTIME_NOW) {
        *out = now;
    } else {
        if (ts[1] < 0 || ts[1] >= NSEC)
            return -EINVAL;
        *out = ts[0] * NSEC + ts[1];
    }
    a->mask |= bit;
    return 0;
}

SYSCALL(utimensat)
{
    int dirfd = (int)a0, flags = (int)a3, err;
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
        return -EINVAL;
    struct vattr a = { 0 };
    bool touch = false, set = false;
    int64_t now = (int64_t)time_realtime_ns();
    if (a2) {
        int64_t ts[2][2];
        if (copy_from_user(ts, a2, sizeof(ts)))
            return -EFAULT;
        if ((err = time_from(ts[0], now, VATTR_ATIME, &a, &a.atime_ns)) ||
            (err = time_from(ts[1], now, VATTR_MTIME, &a, &a.mtime_ns)))
            return err;
        /* vfs_utimes: both UTIME_NOW is a touch (as no times at all), anything else ATTR_TIMES_SET */
        touch = ts[0][1] == UTIME_NOW && ts[1][1] == UTIME_NOW;
        set = !touch;
    } else {
        touch = true;
        a.mask = VATTR_ATIME | VATTR_MTIME;
        a.atime_ns = a.mtime_ns = now;
    }
    struct vnode *v;
    if (!a1 && dirfd == AT_FDCWD)
        return -EFAULT;                /* a NULL path is only futimens(fd): getname(NULL) */
    if (!a1) {                         /* futimens(fd) */
        v = fd_vnode(dirfd, &err);
        if (err)
            return err;
        if (!v)
            return 0;
    } else if ((err = target_at(dirfd, a1, flags, &v))) {
        return err;
    }
    if (!(a.mask & (VATTR_ATIME | VATTR_MTIME)))
        return 0;                      /* both omitted: nothing changes, not even ctime */
    if (vfs_read_only(v))
        return -EROFS;
    if ((err = perm_utimes(v, touch, set)))
        return err;
    return vfs_setattr(v, &a);
}

/* On a volume the changes go to the disk and a FLUSH makes them durable before the call returns
 * (fdatasync does the same: the tuple that finds the data is metadata it needs). On the boot
 * image and in /tmp everything lives in memory: a sync is complete the moment it is asked. */
static int64_t sync_fd(int fd, bool whole_fs)
{
    struct file *f = fd_get_open(proc(), fd);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_VNODE)   /* pipes (FIFOs too), sockets, devices, event files: no ->fsync
                                  * (syncfs syncs their fs: all in memory or synced by any other) */
        return whole_fs ? 0 : -EINVAL;
    return vfs_fsync(f->vnode);
}

SYSCALL(fsync) { return sync_fd((int)a0, false); }
SYSCALL(fdatasync) { return sync_fd((int)a0, false); }
SYSCALL(sync) { vfs_sync_all(); return 0; }
SYSCALL(syncfs) { return sync_fd((int)a0, true); }
