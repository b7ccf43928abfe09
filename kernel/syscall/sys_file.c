/* File syscalls: open/close, read/write and their vector and positioned forms, lseek, fadvise64,
 * and memfd_create (an anonymous file opened in one call). */
#include "kernel.h"
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
#include <string.h>

#define IO_CHUNK   65536

static struct process *proc(void) { return current_process(); }

/* O_CREAT: make a regular file at path (its directory must exist). EEXIST when the name is
 * taken by something lookup could not follow (a dangling symlink: Linux would create its
 * target, which we do not). */
static int create_file(int dirfd, char *path, uint32_t mode, struct vnode **out)
{
    struct vnode *dir;
    const char *name;
    size_t len;
    bool trailing;
    int err = lookup_parent_at(dirfd, path, &dir, &name, &len, &trailing);
    if (err)
        return err;
    if (trailing || len == 0)
        return -EISDIR;
    return vfs_create(dir, name, len, VNODE_FILE, mode & ~current_process()->umask, NULL, out);
}

SYSCALL(openat)
{
    int flags = (int)a2, err;
    struct vnode *v;
    struct file *f;
    char *path = user_path(a1, &err);
    if (!path)
        return err;
    flags |= O_LARGEFILE;   /* 64-bit Linux forces it; F_GETFL shows it */
    if ((f = kfile_open(path, flags)))
        goto install;
    if ((flags & O_TMPFILE) == O_TMPFILE) {   /* an unnamed file "in" a directory */
        if ((flags & O_ACCMODE) == O_RDONLY) {
            err = -EINVAL;
            goto out;
        }
        if ((err = lookup_at((int)a0, path, VFS_FOLLOW, &v)))
            goto out;
        if (vfs_type(v) != VNODE_DIR) {
            err = -ENOTDIR;
            goto out;
        }
        if ((err = vfs_create_unnamed((uint32_t)a3 & ~proc()->umask, &v)))
            goto out;
        f = file_open_vnode(v, flags & ~O_TMPFILE);
        goto install;
    }
    bool excl = (flags & O_CREAT) && (flags & O_EXCL);
    err = lookup_at((int)a0, path, (flags & O_NOFOLLOW) || excl ? 0 : VFS_FOLLOW, &v);
    if (err == -ENOENT && (flags & O_CREAT)) {
        if ((err = create_file((int)a0, path, (uint32_t)a3, &v)))
            goto out;
    } else if (err) {
        goto out;
    } else if (excl) {
        err = -EEXIST;
        goto out;
    }
    if (vfs_type(v) == VNODE_SYMLINK) {
        err = (flags & O_PATH) ? 0 : -ELOOP;
        if (err)
            goto out;
    }
    if (vfs_type(v) == VNODE_SOCKET && !(flags & O_PATH)) {
        err = -ENXIO;                   /* a socket's name: connect(2) to it, not open(2) */
        goto out;
    }
    if ((flags & O_DIRECTORY) && vfs_type(v) != VNODE_DIR) {
        err = -ENOTDIR;
        goto out;
    }
    if (vfs_type(v) == VNODE_DIR && ((flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT))) {
        err = -EISDIR;
        goto out;
    }
    /* Linux truncates even for O_RDONLY|O_TRUNC (open(2) calls it unspecified). */
    if ((flags & O_TRUNC) && !(flags & O_PATH) && vfs_type(v) == VNODE_FILE && (err = vfs_truncate(v, 0)))
        goto out;
    f = file_open_vnode(v, flags);
install:
    if (!f) {
        err = -ENOMEM;
        goto out;
    }
    err = fd_alloc(proc(), f, 0, flags & O_CLOEXEC);
    if (err < 0)
        file_put(f);
out:
    kfree(path);
    return err;
}

SYSCALL(close)
{
    struct process *p = proc();
    struct file *f = fd_get(p, (int)a0);
    if (!f)
        return -EBADF;
    p->fds[(int)a0] = NULL;
    file_put(f);
    return 0;
}

static bool readable(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH); }
static bool writable(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH); }

/* Read into user memory through a kernel bounce buffer, chunk by chunk. */
static int64_t read_to_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset)
{
    uint64_t done = 0;
    char *buf = kmalloc(len < IO_CHUNK ? (len ? len : 1) : IO_CHUNK);
    if (!buf)
        return -ENOMEM;
    while (done < len) {
        uint64_t want = len - done < IO_CHUNK ? len - done : IO_CHUNK;
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
        if ((uint64_t)n < want || f->kind != FILE_VNODE)
            break;
    }
    kfree(buf);
    return done;
}

/* Write from user memory through a bounce buffer; at `offset` when it is >= 0 (pwrite). */
static int64_t write_from_user(struct file *f, uint64_t ubuf, uint64_t len, int64_t offset)
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

/* pread64/pwrite64: positioned I/O on files that can seek (pipes, sockets, the console: ESPIPE);
 * on devices the position means nothing, as on Linux. */
static int64_t positioned_io(int fd, uint64_t ubuf, uint64_t len, int64_t offset, bool write)
{
    int64_t err;
    struct file *f = io_fd(fd, write, &err);
    if (!f)
        return err;
    if (!f->ops->seekable)
        return -ESPIPE;
    if (offset < 0)
        return -EINVAL;
    return write ? write_from_user(f, ubuf, len, offset) : read_to_user(f, ubuf, len, offset);
}

SYSCALL(pread64) { return positioned_io((int)a0, a1, a2, (int64_t)a3, false); }
SYSCALL(pwrite64) { return positioned_io((int)a0, a1, a2, (int64_t)a3, true); }

static int64_t vector_io(int fd, uint64_t uiov, uint64_t count, bool write)
{
    int64_t err, total = 0;
    struct file *f = io_fd(fd, write, &err);
    if (!f)
        return err;
    if (count > UIO_MAXIOV)
        return -EINVAL;
    if (f->kind == FILE_SOCKET)
        return socket_vector_io(f, uiov, count, write);   /* one datagram, not one per vector */
    for (uint64_t i = 0; i < count; i++) {
        struct linux_iovec iov;
        if (copy_from_user(&iov, uiov + i * sizeof(iov), sizeof(iov)))
            return total ? total : -EFAULT;
        if ((int64_t)iov.iov_len < 0)
            return -EINVAL;
        if (iov.iov_len == 0)
            continue;
        int64_t n = write ? write_from_user(f, iov.iov_base, iov.iov_len, -1)
                          : read_to_user(f, iov.iov_base, iov.iov_len, -1);
        if (n < 0)
            return total ? total : n;
        total += n;
        if ((uint64_t)n < iov.iov_len)
            break;
    }
    return total;
}

SYSCALL(readv) { return vector_io((int)a0, a1, a2, false); }
SYSCALL(writev) { return vector_io((int)a0, a1, a2, true); }

SYSCALL(lseek)
{
    struct file *f = fd_get(proc(), (int)a0);
    int64_t off = (int64_t)a1, base;
    struct linux_stat st;
    if (!f)
        return -EBADF;
    if (a2 > SEEK_HOLE)
        return -EINVAL;   /* Linux checks whence before asking the file whether it can seek */
    if (!f->ops->seekable)
        return -ESPIPE;
    if (file_stat(f, &st))
        return -EIO;
    if ((st.st_mode & S_IFMT) == S_IFCHR)
        return 0;   /* /dev/null and friends: Linux accepts any seek and stays at 0 */
    switch ((int)a2) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f->offset; break;
    case SEEK_END: base = st.st_size; break;
    case SEEK_DATA:
        if (off < 0 || off >= st.st_size) return -ENXIO;
        base = 0; break;
    case SEEK_HOLE:
        if (off < 0 || off >= st.st_size) return -ENXIO;
        base = 0; off = st.st_size; break;
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
    struct file *f = fd_get(proc(), (int)a0);
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
    struct file *f = file_open_vnode(v, O_RDWR | O_LARGEFILE);
    if (!f)
        return -ENOMEM;
    int fd = fd_alloc(proc(), f, 0, (uint32_t)a1 & MFD_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}
