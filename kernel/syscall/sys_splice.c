/* splice, tee and vmsplice (Linux's fs/splice.c): data into, out of and between pipes, with
 * Linux's checks in Linux's order. The pipe side is fs/pipe_splice.c. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "pipe.h"
#include "socket.h"
#include "vfs.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"

#define SPLICE_F_NONBLOCK 0x02
#define SPLICE_F_ALL      0x0f     /* MOVE, NONBLOCK, MORE, GIFT */
#define MAX_RW_COUNT      0x7ffff000UL

static bool can_read(struct file *f)
{
    return (f->flags & O_ACCMODE) != O_WRONLY && !(f->flags & O_PATH);
}

static bool can_write(struct file *f)
{
    return (f->flags & O_ACCMODE) != O_RDONLY && !(f->flags & O_PATH);
}

/* A file whose data lives in pages at offsets (Linux's filemap/shmem splice). */
static bool regular(struct file *f)
{
    return (f->kind == FILE_VNODE && f->vnode && vfs_type(f->vnode) == VNODE_FILE) || f->kind == FILE_MEMORY;
}

/* Which files Linux gives a splice_read / splice_write: files, terminals, sockets and the
 * data devices; not directories, eventfd, epoll, timerfd, signalfd, inotify. */
static bool splice_reads(struct file *f)
{
    switch (f->kind) {
    case FILE_VNODE: return f->vnode && vfs_type(f->vnode) != VNODE_DIR;
    case FILE_CONSOLE: case FILE_ZERO: case FILE_URANDOM: case FILE_SOCKET: case FILE_MEMORY: return true;
    default: return false;
    }
}

static bool splice_writes(struct file *f)
{
    return f->kind == FILE_NULL || splice_reads(f);
}

struct file_sink {
    struct file *out;
    uint64_t pos;
    bool use_pos;
};

static int64_t to_file(void *ctx, const void *kbuf, uint64_t len)
{
    struct file_sink *s = ctx;
    int64_t w = file_write_at(s->out, kbuf, len, s->pos, s->use_pos);
    if (w > 0)
        s->pos += (uint64_t)w;
    return w;
}

/* do_splice's three cases once the offsets are read: pipe to pipe, pipe to file, file to pipe. */
static int64_t do_splice(struct file *in, int64_t *off_in, struct file *out, int64_t *off_out, uint64_t len,
                         unsigned flags)
{
    struct pipe *ipipe = file_pipe(in), *opipe = file_pipe(out);
    bool nonblock = flags & SPLICE_F_NONBLOCK;
    if (!can_read(in) || !can_write(out))
        return -EBADF;
    if (ipipe && opipe) {
        if (ipipe == opipe)
            return -EINVAL;
        return pipe_splice_to_pipe(ipipe, opipe, len, nonblock || file_nonblock(in) || file_nonblock(out));
    }
    if (ipipe) {
        if (off_out && !out->ops->seekable)
            return -EINVAL;
        if (out->flags & O_APPEND)
            return -EINVAL;
        if (off_out && *off_out < 0)
            return -EINVAL;
        if (!splice_writes(out))
            return -EINVAL;
        bool positioned = regular(out);
        struct file_sink sink = { out, off_out ? (uint64_t)*off_out : out->offset, off_out || positioned };
        int64_t r = pipe_drain(ipipe, len, nonblock || file_nonblock(in), to_file, &sink);
        if (off_out)
            *off_out = (int64_t)sink.pos;
        else if (positioned)
            out->offset = sink.pos;
        return r;
    }
    if (opipe) {
        if (off_in && !in->ops->seekable)
            return -EINVAL;
        if (off_in && *off_in < 0)
            return -EINVAL;
        int err = pipe_wait_room(opipe, nonblock || file_nonblock(out));
        if (err)
            return err;
        if (!splice_reads(in))
            return -EINVAL;
        len = len > MAX_RW_COUNT ? MAX_RW_COUNT : len;
        bool reg = regular(in);
        uint64_t pos = off_in ? (uint64_t)*off_in : in->offset;
        /* unix_stream_splice_read reads with MSG_DONTWAIT under SPLICE_F_NONBLOCK; TCP's and
         * the generic copy_splice_read go by the socket's own O_NONBLOCK. */
        struct socket *so = in->kind == FILE_SOCKET ? file_socket(in) : NULL;
        bool dontwait = so && so->domain == AF_UNIX && so->type == SOCK_STREAM && (flags & SPLICE_F_NONBLOCK);
        int64_t r = pipe_fill_from_file(opipe, in, &pos, off_in || reg, reg, len, dontwait);
        if (off_in)
            *off_in = (int64_t)pos;
        else if (reg)
            in->offset = pos;
        return r;
    }
    return -EINVAL;
}

SYSCALL(splice)
{
    uint64_t len = a4;
    unsigned flags = (unsigned)a5;
    if (!len)
        return 0;
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    struct file *in = fd_get(current_process(), (int)a0), *out = in ? fd_get(current_process(), (int)a2) : NULL;
    if (!in || !out)
        return -EBADF;
    if (file_pipe(in) && a1)
        return -ESPIPE;
    if (file_pipe(out) && a3)
        return -ESPIPE;
    int64_t off_in, off_out;
    if (a3 && copy_from_user(&off_out, a3, sizeof(off_out)))
        return -EFAULT;
    if (a1 && copy_from_user(&off_in, a1, sizeof(off_in)))
        return -EFAULT;
    int64_t r = do_splice(in, a1 ? &off_in : NULL, out, a3 ? &off_out : NULL, len, flags);
    if (r < 0)
        return r;
    if (a3 && copy_to_user(a3, &off_out, sizeof(off_out)))
        return -EFAULT;
    if (a1 && copy_to_user(a1, &off_in, sizeof(off_in)))
        return -EFAULT;
    return r;
}

SYSCALL(tee)
{
    uint64_t len = a2;
    unsigned flags = (unsigned)a3;
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    if (!len)
        return 0;
    struct file *in = fd_get(current_process(), (int)a0), *out = in ? fd_get(current_process(), (int)a1) : NULL;
    if (!in || !out)
        return -EBADF;
    struct pipe *ipipe = file_pipe(in), *opipe = file_pipe(out);
    if (!can_read(in) || !can_write(out))
        return -EBADF;
    if (!ipipe || !opipe || ipipe == opipe)
        return -EINVAL;
    bool nonblock = (flags & SPLICE_F_NONBLOCK) || file_nonblock(in) || file_nonblock(out);
    int err = pipe_wait_data(ipipe, nonblock);
    if (!err)
        err = pipe_wait_room(opipe, nonblock);
    return err ? err : pipe_tee(ipipe, opipe, len);
}

struct user_sink {
    const struct linux_iovec *iov;
    uint64_t count, i, off;
};

/* pipe_to_user: the bytes scattered over the iovec from where the last call stopped. */
static int64_t to_user(void *ctx, const void *kbuf, uint64_t len)
{
    struct user_sink *s = ctx;
    uint64_t done = 0;
    while (done < len && s->i < s->count) {
        uint64_t room = s->iov[s->i].iov_len - s->off, n = len - done < room ? len - done : room;
        if (n && copy_to_user(s->iov[s->i].iov_base + s->off, (const char *)kbuf + done, n))
            return done ? (int64_t)done : -EFAULT;
        done += n;
        s->off += n;
        if (s->off == s->iov[s->i].iov_len) {
            s->i++;
            s->off = 0;
        }
    }
    return (int64_t)done;
}

SYSCALL(vmsplice)
{
    unsigned flags = (unsigned)a3;
    uint64_t count = a2;
    if (flags & ~SPLICE_F_ALL)
        return -EINVAL;
    struct file *f = fd_get(current_process(), (int)a0);
    if (!f || (f->flags & O_PATH))
        return -EBADF;
    bool write = can_write(f);      /* Linux looks at FMODE_WRITE first */
    if (!write && !can_read(f))
        return -EBADF;
    if (count > UIO_MAXIOV)
        return -EINVAL;
    struct linux_iovec *iov = kmalloc(count ? count * sizeof(*iov) : 1);
    if (!iov)
        return -ENOMEM;
    if (count && copy_from_user(iov, a1, count * sizeof(*iov))) {
        kfree(iov);
        return -EFAULT;
    }
    uint64_t total = 0;
    for (uint64_t i = 0; i < count; i++) {
        if ((int64_t)iov[i].iov_len < 0) {
            kfree(iov);
            return -EINVAL;
        }
        /* import_iovec clamps the total to MAX_RW_COUNT */
        if (iov[i].iov_len > MAX_RW_COUNT - total)
            iov[i].iov_len = MAX_RW_COUNT - total;
        total += iov[i].iov_len;
    }
    struct pipe *p = file_pipe(f);
    int64_t r;
    if (!total)
        r = 0;
    else if (!p)
        r = -EBADF;
    else if (write) {
        r = pipe_wait_room(p, flags & SPLICE_F_NONBLOCK);
        if (!r)
            r = pipe_fill_from_user(p, iov, count);
    } else {
        struct user_sink sink = { iov, count, 0, 0 };
        r = pipe_drain(p, total, flags & SPLICE_F_NONBLOCK, to_user, &sink);
    }
    kfree(iov);
    return r;
}
