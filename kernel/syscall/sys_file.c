/* File syscalls: open/close (openat, openat2), read/write and their vector and positioned forms, lseek, fadvise64,
 * and memfd_create (an anonymous file opened in one call). */
#include "kernel.h"
#include "procfs_pid.h"
#include "syscall.h"
#include "syscall_path.h"
#include "process.h"
#include "file.h"
#include "kfile.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include "perm.h"
#include <string.h>

#define IO_CHUNK   65536

static struct process *proc(void) { return current_process(); }

/* O_CREAT of a name that is a dangling symlink: Linux creates the file the link names (its
 * directory must exist), following up to VFS_MAX_SYMLINKS links. */
static int create_through_symlink(struct vnode *dir, struct vnode *link, uint32_t mode, struct vnode **out,
                                  bool *created)
{
    char *target = kmalloc(VFS_PATH_MAX);
    int err = target ? 0 : -ENOMEM;
    for (int hops = 0; !err; hops++) {
        if (hops == VFS_MAX_SYMLINKS) {
            err = -ELOOP;
            break;
        }
        int64_t n = vfs_readlink(link, target, VFS_PATH_MAX - 1);
        if (n <= 0) {
            err = n < 0 ? (int)n : -ENOENT;
            break;
        }
        target[n] = 0;
        if (target[n - 1] == '/' || n != (int64_t)strlen(target)) {
            err = -EISDIR;             /* "dir/" or "/": never a file to create */
            break;
        }
        char *slash = strrchr(target, '/');
        const char *name = slash ? slash + 1 : target;
        if (slash == target) {
            dir = vfs_lookup_root();
        } else if (slash) {
            *slash = 0;
            if ((err = vfs_lookup(dir, target, VFS_FOLLOW, &dir)))
                break;
        }
        if (vfs_type(dir) != VNODE_DIR) {
            err = -ENOTDIR;
            break;
        }
        struct vnode *v;
        err = vfs_lookup(dir, name, 0, &v);
        if (!err && vfs_type(v) == VNODE_SYMLINK) {
            link = v;
            continue;
        }
        if (!err) {
            *out = v;
            *created = false;          /* it is there after all: may_open checks it */
        } else if (err == -ENOENT)
            err = vfs_create(dir, name, strlen(name), VNODE_FILE, mode, NULL, out);
        break;
    }
    kfree(target);
    return err;
}

/* O_CREAT: make a regular file at path (its directory must exist, found with openat2's `walk`
 * restrictions). *created says whether the call made it (a file reached through a dangling
 * symlink may have appeared meanwhile). */
static int create_file(int dirfd, char *path, uint32_t mode, bool nofollow, int walk, struct vnode **out, bool *created)
{
    struct vnode *dir, *v;
    const char *name;
    size_t len;
    bool trailing;
    int err = lookup_parent_walk(dirfd, path, walk, &dir, &name, &len, &trailing);
    if (err)
        return err;
    if (trailing || len == 0)
        return -EISDIR;
    mode &= ~current_process()->umask;
    *created = true;
    if (!nofollow && len <= NAME_MAX && (v = NULL, !vfs_lookup(dir, name, 0, &v)) && vfs_type(v) == VNODE_SYMLINK)
        return create_through_symlink(dir, v, mode, out, created);
    return vfs_create(dir, name, len, VNODE_FILE, mode, NULL, out);
}

/* What an open file descriptor may do: O_ACCMODE 3 is neither read nor write (ioctl only). */
static bool readable(struct file *f)
{
    int acc = f->flags & O_ACCMODE;
    return (acc == O_RDONLY || acc == O_RDWR) && !(f->flags & O_PATH);
}

static bool writable(struct file *f)
{
    int acc = f->flags & O_ACCMODE;
    return (acc == O_WRONLY || acc == O_RDWR) && !(f->flags & O_PATH);
}

/* may_open and what do_dentry_open and handle_truncate add: the permission the access mode and
 * O_TRUNC ask for (none on a file this call made), O_NOATIME only for the file's owner (or
 * CAP_FOWNER), and no writer for a program some process runs (ETXTBSY). */
static int may_open(struct vnode *v, int flags, bool created)
{
    int acc = flags & O_ACCMODE, err;
    int mask = acc == O_RDONLY ? MAY_READ : acc == O_WRONLY ? MAY_WRITE : MAY_READ | MAY_WRITE;
    bool writes = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC);   /* 3: FMODE neither */
    if (flags & O_TRUNC)
        mask |= MAY_WRITE;
    if (!created && (err = perm_check(v, mask)))
        return err;
    if ((flags & O_NOATIME) && !perm_owner(v))
        return -EPERM;
    return vfs_type(v) == VNODE_FILE && writes && vfs_executing(v) ? -ETXTBSY : 0;
}

#define O_PATH_FLAGS (O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC)

/* openat and openat2 after their own checks: open path (a kernel buffer, freed here) from
 * dirfd. `walk` holds openat2's restrictions on the lookup (VFS_NO_SYMLINKS, ...; 0 for openat). */
static int64_t open_at(int dirfd, char *path, int flags, uint32_t mode, int walk)
{
    int err;
    struct vnode *v;
    struct file *f;
    if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT)) {
        err = -EINVAL;          /* Linux 6.4 on: never "create a directory" */
        goto out;
    }
    /* The kernel's files found by their exact path: not for a scoped walk, whose "/" is not
     * the root. */
    if (!(walk & (VFS_BENEATH | VFS_IN_ROOT)) && (f = kfile_open(path, flags)))
        goto install;
    if ((flags & O_TMPFILE) == O_TMPFILE) {   /* an unnamed file "in" a directory */
        if ((flags & O_ACCMODE) == O_RDONLY) {
            err = -EINVAL;
            goto out;
        }
        if ((err = lookup_at(dirfd, path, VFS_FOLLOW | walk, &v)))
            goto out;
        if (vfs_type(v) != VNODE_DIR) {
            err = -ENOTDIR;
            goto out;
        }
        if (vfs_read_only(v)) {
            err = -EROFS;
            goto out;
        }
        if ((err = perm_may_create(v)))   /* vfs_tmpfile */
            goto out;
        if ((err = vfs_create_unnamed(mode & ~proc()->umask, &v)))
            goto out;
        if (!(flags & O_EXCL))
            vfs_tmpfile_linkable(v);
        f = file_open_vnode(v, flags & ~O_TMPFILE);
        goto install;
    }
    bool excl = (flags & O_CREAT) && (flags & O_EXCL), created = false;
    size_t plen = strlen(path);
    if ((flags & O_CREAT) && plen > 1 && path[plen - 1] == '/') {
        struct vnode *dir;         /* open_last_lookups: a trailing slash with O_CREAT */
        const char *name;
        bool trailing;
        err = lookup_parent_walk(dirfd, path, walk, &dir, &name, &plen, &trailing);
        err = err ? err : -EISDIR;
        goto out;
    }
    bool follow = !(flags & O_NOFOLLOW) && !excl;
    err = lookup_at(dirfd, path, (follow ? VFS_FOLLOW | VFS_STOP_AT_OBJECT : 0) | walk, &v);
    if (err == -ENOENT && (flags & O_CREAT)) {
        if ((err = create_file(dirfd, path, mode, (flags & O_NOFOLLOW) || excl, walk, &v, &created)))
            goto out;
    } else if (err) {
        goto out;
    } else if (excl) {
        err = -EEXIST;
        goto out;
    }
    if (vfs_type(v) == VNODE_SYMLINK && follow && !(flags & O_PATH)) {
        if ((err = procfs_fd_reopen(v, flags, &f)))   /* /proc/<pid>/fd/N of a pipe */
            goto out;
        goto install;
    }
    if (vfs_type(v) == VNODE_SYMLINK) {
        err = (flags & O_PATH) ? 0 : -ELOOP;
        if (err)
            goto out;
    }
    if ((flags & O_DIRECTORY) && vfs_type(v) != VNODE_DIR) {
        err = -ENOTDIR;
        goto out;
    }
    if (vfs_type(v) == VNODE_DIR && ((flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))) {
        err = -EISDIR;
        goto out;
    }
    /* may_open: writing a file (or truncating it) on a read-only mount. */
    if (vfs_type(v) == VNODE_FILE && !(flags & O_PATH) && vfs_read_only(v) &&
        ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR || (flags & O_TRUNC))) {
        err = -EROFS;
        goto out;
    }
    if (!(flags & O_PATH) && (err = may_open(v, flags, created)))
        goto out;
    if (vfs_type(v) == VNODE_SOCKET && !(flags & O_PATH)) {
        err = -ENXIO;                   /* a socket's name: connect(2) to it, not open(2) */
        goto out;
    }
    if ((vfs_type(v) == VNODE_CHR || vfs_type(v) == VNODE_BLK) && !(flags & O_PATH)) {
        /* chrdev_open / blkdev_open: only the kernel's own character devices are behind a
         * number; any other number has no driver (ENXIO), as on Linux. */
        f = vfs_type(v) == VNODE_CHR ? devfs_open_number(vfs_rdev(v), v, flags) : NULL;
        if (!f) {
            err = -ENXIO;
            goto out;
        }
        goto install;
    }
    if (vfs_type(v) == VNODE_FIFO && !(flags & O_PATH)) {
        if ((err = fifo_open(v, flags, &f)))
            goto out;
        goto install;
    }
    bool kernel_made;
    f = kfile_open_vnode(v, flags, &kernel_made);   /* /proc/self/status, or "null" from /dev */
    if (kernel_made)
        goto install;
    /* Linux truncates even for O_RDONLY|O_TRUNC (open(2) calls it unspecified), but not a file
     * the call created (no IN_MODIFY for it). */
    if ((flags & O_TRUNC) && !created && !(flags & O_PATH) && vfs_type(v) == VNODE_FILE && (err = vfs_truncate(v, 0)))
        goto out;
    f = file_open_vnode(v, flags);
install:
    if (!f || kfile_failed(f)) {
        err = f ? kfile_failed(f) : -ENOMEM;
        goto out;
    }
    err = fd_alloc(proc(), f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_put(f);
out:
    kfree(path);
    return err;
}

SYSCALL(openat)
{
    int flags = (int)a2, err;
    char *path = user_path(a1, &err);
    if (!path)
        return err;
    flags |= O_LARGEFILE;   /* 64-bit Linux forces it; F_GETFL shows it */
    if (flags & O_PATH)
        flags &= O_PATH_FLAGS;  /* O_PATH beats everything else (build_open_how) */
    return open_at((int)a0, path, flags, (uint32_t)a3, 0);
}

/* openat2's struct open_how (include/uapi/linux/openat2.h) and its RESOLVE_* flags. */
struct open_how {
    uint64_t flags, mode, resolve;
};
#define OPEN_HOW_SIZE_VER0   24
#define RESOLVE_NO_XDEV      0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS  0x04
#define RESOLVE_BENEATH      0x08
#define RESOLVE_IN_ROOT      0x10
#define RESOLVE_CACHED       0x20
#define O_SYNC_BIT           04000000  /* __O_SYNC: O_SYNC is it and O_DSYNC */
#define VALID_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | \
                          O_SYNC_BIT | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | \
                          O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE)
#define S_IALLUGO 07777

/* Linux's copy_struct_from_user: a shorter struct is zero-extended (below VER0: EINVAL), a
 * longer one is accepted only when the bytes we do not know are zero (else E2BIG). */
static int copy_open_how(uint64_t uhow, uint64_t size, struct open_how *how)
{
    if (size < OPEN_HOW_SIZE_VER0)
        return -EINVAL;
    if (size > PAGE_SIZE)
        return -E2BIG;
    for (uint64_t at = sizeof(*how); at < size; at++) {
        uint8_t byte;
        if (copy_from_user(&byte, uhow + at, 1))
            return -EFAULT;
        if (byte)
            return -E2BIG;
    }
    return copy_from_user(how, uhow, sizeof(*how)) ? -EFAULT : 0;
}

/* Linux's build_open_flags: openat2 refuses what openat silently drops (unknown flags, a
 * mode without O_CREAT/O_TMPFILE, O_PATH with other flags) and maps RESOLVE_* on the walk. */
SYSCALL(openat2)
{
    struct open_how how;
    int err = copy_open_how(a2, a3, &how);
    if (err)
        return err;
    if (!(how.flags & O_PATH))
        how.flags |= O_LARGEFILE;
    if (how.flags & ~(uint64_t)VALID_OPEN_FLAGS)
        return -EINVAL;
    if (how.resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |
                                  RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED))
        return -EINVAL;
    if ((how.resolve & RESOLVE_BENEATH) && (how.resolve & RESOLVE_IN_ROOT))
        return -EINVAL;
    int flags = (int)how.flags;
    bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    if (creates ? (how.mode & ~(uint64_t)S_IALLUGO) != 0 : how.mode != 0)
        return -EINVAL;
    if ((flags & 020000000) && ((flags & O_TMPFILE) != O_TMPFILE || (flags & O_ACCMODE) == O_RDONLY))
        return -EINVAL;
    if ((flags & O_PATH) && (flags & ~O_PATH_FLAGS))
        return -EINVAL;
    /* Lookups never sleep here, so RESOLVE_CACHED only refuses what must change the tree. */
    if ((how.resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | 020000000)))
        return -EAGAIN;
    int walk = (how.resolve & RESOLVE_NO_XDEV ? VFS_NO_XDEV : 0) |
               (how.resolve & RESOLVE_NO_MAGICLINKS ? VFS_NO_MAGICLINKS : 0) |
               (how.resolve & RESOLVE_NO_SYMLINKS ? VFS_NO_SYMLINKS : 0) |
               (how.resolve & RESOLVE_BENEATH ? VFS_BENEATH : 0) |
               (how.resolve & RESOLVE_IN_ROOT ? VFS_IN_ROOT : 0);
    char *path = user_path(a1, &err);
    if (!path)
        return err;
    return open_at((int)a0, path, flags, (uint32_t)how.mode, walk);
}

SYSCALL(close)
{
    struct process *p = proc();
    if (!fd_get(p, (int)a0))
        return -EBADF;
    fd_close(p, (int)a0);
    return 0;
}


/* Read into user memory through a kernel bounce buffer, chunk by chunk (file.h). */
int64_t read_to_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset)
{
    uint64_t done = 0;
    char *buf = kmalloc(len < IO_CHUNK ? (len ? len : 1) : IO_CHUNK);
    if (!buf)
        return -ENOMEM;
    if (len && f->kind == FILE_VNODE && vfs_type(f->vnode) == VNODE_FILE && !(f->flags & O_NOATIME))
        vfs_accessed(f->vnode);   /* file_accessed: even a read at the end of the file */
    while (done < len) {
        uint64_t want = len - done < IO_CHUNK ? len - done : IO_CHUNK;
        uint64_t room = user_writable_bytes(ubuf + done, want);
        if (room == 0) {
            kfree(buf);
            return done ? (int64_t)done : -EFAULT;
        }
        bool cut = room < want;        /* read only what the buffer can take, then stop */
        want = room;
        int64_t n = file_read(f, buf, want, offset + done, offset >= 0);
        if (n < 0) {
            kfree(buf);
            return done ? (int64_t)done : n;
        }
        if (n > 0 && copy_to_user(ubuf + done, buf, n)) {
            kfree(buf);
            return done ? (int64_t)done : -EFAULT;
        }
        done += n;
        /* Files and the endless devices fill the whole buffer (Linux reads /dev/zero or
         * /dev/urandom to the count); a pipe, socket or terminal returns what it had. */
        bool whole = f->kind == FILE_VNODE || f->kind == FILE_ZERO || f->kind == FILE_URANDOM;
        if ((uint64_t)n < want || !whole || cut)
            break;
    }
    kfree(buf);
    return done;
}

/* Write from user memory through a bounce buffer; at `offset` when it is >= 0 (pwrite). */
int64_t write_from_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset)
{
    uint64_t done = 0;
    char *buf = kmalloc(len < IO_CHUNK ? (len ? len : 1) : IO_CHUNK);
    if (!buf)
        return -ENOMEM;
    while (done < len) {
        uint64_t want = len - done < IO_CHUNK ? len - done : IO_CHUNK;
        if (copy_from_user(buf, ubuf + done, want)) {
            kfree(buf);
            return done ? (int64_t)done : -EFAULT;
        }
        int64_t n = file_write_at(f, buf, want, offset + done, offset >= 0);
        if (n < 0) {
            kfree(buf);
            return done ? (int64_t)done : n;
        }
        done += n;
        if ((uint64_t)n < want)
            break;
    }
    kfree(buf);
    return done;
}

/* The open file behind fd if it was opened for this direction; else NULL and *err = -EBADF. */
static struct file *io_fd(int fd, bool write, int64_t *err)
{
    struct file *f = fd_get(proc(), fd);
    *err = !f || !(write ? writable(f) : readable(f)) ? -EBADF : 0;
    return *err ? NULL : f;
}

SYSCALL(read)
{
    int64_t err;
    struct file *f = io_fd((int)a0, false, &err);
    return f ? read_to_user(f, a1, a2, -1) : err;
}

SYSCALL(write)
{
    int64_t err;
    struct file *f = io_fd((int)a0, true, &err);
    return f ? write_from_user(f, a1, a2, -1) : err;
}

/* pread64/pwrite64, in Linux's order: a negative offset is EINVAL before the descriptor is looked
 * at, and a file that cannot seek (pipes, sockets, the console) is ESPIPE before its access mode
 * is checked. On devices the position means nothing, as on Linux. */
static int64_t positioned_io(int fd, uint64_t ubuf, uint64_t len, int64_t offset, bool write)
{
    if (offset < 0)
        return -EINVAL;
    struct file *f = fd_get(proc(), fd);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (!f->ops->seekable)
        return -ESPIPE;
    if (!(write ? writable(f) : readable(f)))
        return -EBADF;
    if ((int64_t)len < 0 || len > (uint64_t)(INT64_MAX - offset))
        return -EINVAL;   /* rw_verify_area: the range must not pass 2^63 - 1 */
    return write ? write_from_user(f, ubuf, len, offset) : read_to_user(f, ubuf, len, offset);
}

SYSCALL(pread64) { return positioned_io((int)a0, a1, a2, (int64_t)a3, false); }
SYSCALL(pwrite64) { return positioned_io((int)a0, a1, a2, (int64_t)a3, true); }

/* preadv2/pwritev2 flags (RWF_*). HIPRI, DSYNC and SYNC change nothing for a tree in memory. */
#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)

/* readv/writev and the positioned forms (offset >= 0; -1: the file position), in Linux's order:
 * the whole iovec array is read and checked first, then the access mode, then the flags. */
static int64_t vector_io(int fd, uint64_t uiov, uint64_t count, int64_t offset, bool write, uint64_t rwf)
{
    struct file *f = fd_get(proc(), fd);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    if (offset >= 0 && !f->ops->seekable)
        return -ESPIPE;
    if (count > UIO_MAXIOV)
        return -EINVAL;
    struct linux_iovec *iov = kmalloc(count ? count * sizeof(*iov) : 1);
    if (!iov)
        return -ENOMEM;
    int64_t total = 0, err = 0;
    uint64_t want = 0;
    if (copy_from_user(iov, uiov, count * sizeof(*iov)))
        err = -EFAULT;
    for (uint64_t i = 0; !err && i < count; i++) {
        if ((int64_t)iov[i].iov_len < 0)
            err = -EINVAL;
        want += iov[i].iov_len;
    }
    if (!err && !(write ? writable(f) : readable(f)))
        err = -EBADF;
    if (!err && offset >= 0 && want > (uint64_t)(INT64_MAX - offset))
        err = -EINVAL;   /* rw_verify_area */
    if (err || want == 0)
        goto out;
    if (rwf & ~(uint64_t)RWF_SUPPORTED) {
        err = -EOPNOTSUPP;
        goto out;
    }
    int saved_flags = f->flags;
    if (rwf & RWF_NOWAIT)
        f->flags |= O_NONBLOCK;    /* this call only: nothing else sees the descriptor meanwhile */
    if (f->kind == FILE_SOCKET) {
        total = socket_vector_io(f, uiov, count, write);   /* one datagram, not one per vector */
        f->flags = saved_flags;
        goto out;
    }
    bool at_end = write && (rwf & RWF_APPEND) && f->kind == FILE_VNODE;
    int64_t pos = offset;
    if (at_end) {
        struct linux_stat st;
        pos = file_stat(f, &st) ? offset : st.st_size;
    }
    for (uint64_t i = 0; i < count; i++) {
        if (iov[i].iov_len == 0)
            continue;
        int64_t at = pos >= 0 ? pos + total : -1;
        int64_t n = write ? write_from_user(f, iov[i].iov_base, iov[i].iov_len, at)
                          : read_to_user(f, iov[i].iov_base, iov[i].iov_len, at);
        if (n < 0) {
            if (!total)
                total = n;
            break;
        }
        total += n;
        if ((uint64_t)n < iov[i].iov_len)
            break;
    }
    f->flags = saved_flags;
    if (at_end && offset < 0 && total > 0)
        f->offset = (uint64_t)(pos + total);   /* RWF_APPEND at the position moves it, as O_APPEND */
out:
    kfree(iov);
    return err ? err : total;
}

SYSCALL(readv) { return vector_io((int)a0, a1, a2, -1, false, 0); }
SYSCALL(writev) { return vector_io((int)a0, a1, a2, -1, true, 0); }
/* The offset comes as (low, high) halves; on a 64-bit kernel the low half is all of it. */
SYSCALL(preadv) { return (int64_t)a3 < 0 ? -EINVAL : vector_io((int)a0, a1, a2, (int64_t)a3, false, 0); }
SYSCALL(pwritev) { return (int64_t)a3 < 0 ? -EINVAL : vector_io((int)a0, a1, a2, (int64_t)a3, true, 0); }
SYSCALL(preadv2) { return (int64_t)a3 < -1 ? -EINVAL : vector_io((int)a0, a1, a2, (int64_t)a3, false, a5); }
SYSCALL(pwritev2) { return (int64_t)a3 < -1 ? -EINVAL : vector_io((int)a0, a1, a2, (int64_t)a3, true, a5); }

SYSCALL(lseek)
{
    struct file *f = fd_get_open(proc(), (int)a0);
    int64_t off = (int64_t)a1, base;
    struct linux_stat st;
    if (!f)
        return -EBADF;
    if (a2 > SEEK_HOLE)
        return -EINVAL;   /* Linux checks whence before asking the file whether it can seek */
    if (f->ops->llseek)
        return f->ops->llseek(f, off, (int)a2);
    if (!f->ops->seekable)
        return -ESPIPE;
    if (file_stat(f, &st))
        return -EIO;
    if ((st.st_mode & S_IFMT) == S_IFCHR)
        return 0;   /* /dev/null and friends: Linux accepts any seek and stays at 0 */
    if ((st.st_mode & S_IFMT) == S_IFDIR && a2 != SEEK_SET && a2 != SEEK_CUR)
        return -EINVAL;   /* directories seek by entry cookie only (tmpfs's dcache_dir_lseek) */
    switch ((int)a2) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->offset; break;
    case SEEK_END: base = st.st_size; break;
    case SEEK_DATA:
    case SEEK_HOLE: {
        if (off < 0 || off >= st.st_size)
            return -ENXIO;
        int64_t at = f->kind == FILE_VNODE ? vfs_seek_data(f->vnode, (uint64_t)off, a2 == SEEK_HOLE)
                                           : a2 == SEEK_HOLE ? st.st_size : off;
        if (at < 0)
            return at;
        base = 0;
        off = at;
        break;
    }
    default: return -EINVAL;
    }
    if (base + off < 0)
        return -EINVAL;
    f->offset = base + off;
    if (f->kind == FILE_VNODE && vfs_type(f->vnode) == VNODE_DIR)
        f->dir_cookie = f->offset;
    return f->offset;
}

SYSCALL(fadvise64)
{
    struct file *f = fd_get_open(proc(), (int)a0);
    if (!f)
        return -EBADF;
    if (f->kind == FILE_PIPE)          /* only FIFOs refuse advice; sockets take it silently */
        return -ESPIPE;
    if ((int64_t)a2 < 0 || a3 > POSIX_FADV_NOREUSE)
        return -EINVAL;
    return 0;                          /* advice: everything is in memory or one read away */
}

/* An anonymous in-memory file: a vnode with no name, gone with its last descriptor. */
SYSCALL(memfd_create)
{
    char name[MFD_NAME_MAX + 2];
    if ((uint32_t)a1 & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING))
        return -EINVAL;
    int64_t n = strncpy_from_user(name, a0, sizeof(name));
    if (n < 0)
        return n == -ENAMETOOLONG ? -EINVAL : n;
    if (n > MFD_NAME_MAX)
        return -EINVAL;
    struct vnode *v;
    int err = vfs_create_unnamed(0777, &v);
    if (err)
        return err;
    char shown[MFD_NAME_MAX + 16];
    snprintf(shown, sizeof(shown), "/memfd:%s", name);
    vfs_name_unnamed(v, shown);
    struct file *f = file_open_vnode(v, O_RDWR | O_LARGEFILE);
    if (!f)
        return -ENOMEM;
    int fd = fd_alloc(proc(), f, 0, (uint32_t)a1 & MFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}
