/* io_setup, io_destroy, io_submit, io_cancel, io_getevents, io_pgetevents: Linux 6.1's
 * fs/aio.c checks, in its order, over the contexts of fs/aio.c. A read, write or sync runs to
 * its end inside io_submit (Linux's buffered AIO does too) and its result is an event in the
 * ring; a POLL request waits on its file and completes from the wake-up (fs/aio_poll.c). */
#include "kernel.h"
#include "syscall.h"
#include "aio.h"
#include "process.h"
#include "thread.h"
#include "signal.h"
#include "file.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define IOCB_CMD_PREAD   0
#define IOCB_CMD_PWRITE  1
#define IOCB_CMD_FSYNC   2
#define IOCB_CMD_FDSYNC  3
#define IOCB_CMD_POLL    5
#define IOCB_CMD_NOOP    6             /* defined by the ABI, refused by every Linux (EINVAL) */
#define IOCB_CMD_PREADV  7
#define IOCB_CMD_PWRITEV 8

#define IOCB_FLAG_RESFD  (1u << 0)
#define IOCB_FLAG_IOPRIO (1u << 1)

/* RWF_* an iocb's aio_rw_flags may carry (Linux 6.1's RWF_SUPPORTED). */
#define RWF_SUPPORTED (RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND)
/* MAX_RW_COUNT: one request moves at most this (INT_MAX rounded down to a page). */
#define MAX_RW_COUNT (0x7fffffffUL & ~(PAGE_SIZE - 1))

/* struct iocb of <linux/aio_abi.h> (little-endian layout). */
struct iocb {
    uint64_t aio_data;
    uint32_t aio_key;
    int32_t aio_rw_flags;
    uint16_t aio_lio_opcode;
    int16_t aio_reqprio;
    uint32_t aio_fildes;
    uint64_t aio_buf;
    uint64_t aio_nbytes;
    int64_t aio_offset;
    uint64_t aio_reserved2;
    uint32_t aio_flags;
    uint32_t aio_resfd;
};
_Static_assert(sizeof(struct iocb) == 64, "struct iocb is 64 bytes");
_Static_assert(sizeof(struct aio_event) == 32, "struct io_event is 32 bytes");

static bool readable(const struct file *f)
{
    int acc = f->flags & O_ACCMODE;
    return acc == O_RDONLY || acc == O_RDWR;
}

static bool writable(const struct file *f)
{
    int acc = f->flags & O_ACCMODE;
    return acc == O_WRONLY || acc == O_RDWR;
}

/* Whether Linux gives this kind of file ->read_iter / ->write_iter (AIO refuses the rest with
 * EINVAL): directories, epoll, timerfd, signalfd, inotify, pidfd and mqueue files have only
 * ->read/->write or nothing; an eventfd reads through read_iter but writes through ->write. */
static bool has_iter(const struct file *f, bool write)
{
    switch (f->kind) {
    case FILE_VNODE:
        return f->vnode && vfs_type(f->vnode) != VNODE_DIR;
    case FILE_EVENTFD:
        return !write;
    case FILE_EPOLL: case FILE_TIMERFD: case FILE_SIGNALFD: case FILE_INOTIFY:
    case FILE_PIDFD: case FILE_MQUEUE:
        return false;
    default:
        return true;
    }
}

static bool user_range_ok(uint64_t addr, uint64_t len)
{
    return addr <= USER_VA_END && len <= USER_VA_END - addr;
}

/* aio_prep_rw, import_single_range/__import_iovec and rw_verify_area, then the I/O itself:
 * the event's result. An error before the I/O is io_submit's (no event). */
static int rw(struct file *f, const struct iocb *cb, bool write, bool vectored, int64_t *res)
{
    if (cb->aio_flags & IOCB_FLAG_IOPRIO) {
        int64_t err = ioprio_check(cb->aio_reqprio);
        if (err)
            return (int)err;
    }
    uint32_t rwf = (uint32_t)cb->aio_rw_flags;
    if (rwf & ~(uint32_t)RWF_SUPPORTED)
        return -EOPNOTSUPP;
    if (!(write ? writable(f) : readable(f)))
        return -EBADF;
    if (!has_iter(f, write))
        return -EINVAL;
    struct linux_iovec one = { cb->aio_buf, cb->aio_nbytes }, *iov = &one;
    uint64_t count = 1, total = 0;
    if (vectored) {
        count = cb->aio_nbytes;
        if (count > UIO_MAXIOV)
            return -EINVAL;
        iov = kmalloc(count ? count * sizeof(*iov) : 1);
        if (!iov)
            return -ENOMEM;
        if (copy_from_user(iov, cb->aio_buf, count * sizeof(*iov))) {
            kfree(iov);
            return -EFAULT;
        }
    }
    int err = 0;
    if (!vectored && one.iov_len > MAX_RW_COUNT)
        one.iov_len = MAX_RW_COUNT;    /* import_single_range cuts before its access_ok */
    for (uint64_t i = 0; i < count && !err; i++)
        if ((int64_t)iov[i].iov_len < 0)
            err = -EINVAL;             /* iovec_from_user, before any range is checked */
    for (uint64_t i = 0; i < count && !err; i++) {
        if (!user_range_ok(iov[i].iov_base, iov[i].iov_len))
            err = -EFAULT;
        else if (iov[i].iov_len > MAX_RW_COUNT - total)
            iov[i].iov_len = MAX_RW_COUNT - total;   /* the total is cut to MAX_RW_COUNT */
        total += err ? 0 : iov[i].iov_len;
    }
    int64_t pos = cb->aio_offset;
    if (!err && (pos < 0 || (uint64_t)pos + total > (uint64_t)INT64_MAX))
        err = -EINVAL;                 /* rw_verify_area */
    if (err) {
        if (iov != &one)
            kfree(iov);
        return err;
    }
    bool append = write && (rwf & RWF_APPEND) && f->kind == FILE_VNODE;
    if (append) {
        struct linux_stat st;
        if (!file_stat(f, &st))
            pos = st.st_size;
    }
    if (!f->ops->seekable)
        pos = -1;                      /* pipes, sockets, terminals: the position means nothing */
    int saved_flags = f->flags;
    if (rwf & RWF_NOWAIT)
        f->flags |= O_NONBLOCK;        /* this request only */
    int64_t done = 0;
    for (uint64_t i = 0; i < count; i++) {
        if (!iov[i].iov_len)
            continue;
        int64_t at = pos >= 0 ? pos + done : -1;
        int64_t n = write ? write_from_user(f, iov[i].iov_base, iov[i].iov_len, at)
                          : read_to_user(f, iov[i].iov_base, iov[i].iov_len, at);
        if (n < 0) {
            if (!done)
                done = n == -ERESTARTSYS || n == -ERESTARTNOHAND || n == -ERESTARTNOINTR ? -EINTR : n;
            break;                     /* aio_rw_done: a restart cannot be, other requests ran */
        }
        done += n;
        if ((uint64_t)n < iov[i].iov_len)
            break;
    }
    f->flags = saved_flags;
    if (iov != &one)
        kfree(iov);
    *res = done;
    return 0;
}

/* aio_fsync: a request that names nothing but its descriptor; files without ->fsync refuse. */
static int sync(struct file *f, const struct iocb *cb, int64_t *res)
{
    if (cb->aio_buf || cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags)
        return -EINVAL;
    if (f->kind != FILE_VNODE)
        return -EINVAL;
    *res = vfs_fsync(f->vnode);
    return 0;
}

/* eventfd_ctx_fdget: a descriptor that is not an eventfd is EINVAL. */
static int resfd(uint32_t fd, struct file **out)
{
    struct file *f = fd_get_open(current_process(), (int)fd);
    if (!f)
        return -EBADF;
    if (f->kind != FILE_EVENTFD)
        return -EINVAL;
    f->refs++;
    *out = f;
    return 0;
}

/* io_submit_one and __io_submit_one. */
static int submit_one(struct aio_ctx *ctx, uint64_t ucb)
{
    struct iocb cb;
    if (copy_from_user(&cb, ucb, sizeof(cb)))
        return -EFAULT;
    if (cb.aio_reserved2 || (int64_t)cb.aio_nbytes < 0)
        return -EINVAL;
    if (!aio_slot_get(ctx))
        return -EAGAIN;
    struct aio_req *req = kzalloc(sizeof(*req));
    if (!req) {
        aio_slot_put(ctx);
        return -ENOMEM;
    }
    req->ctx = ctx;
    int err = 0;
    bool waiting = false;
    struct file *f = fd_get_open(current_process(), (int)cb.aio_fildes);
    if (!f)
        err = -EBADF;
    else
        (req->file = f)->refs++;
    if (!err && (cb.aio_flags & IOCB_FLAG_RESFD))
        err = resfd(cb.aio_resfd, &req->eventfd);
    uint32_t key = 0;
    if (!err && copy_to_user(ucb + offsetof(struct iocb, aio_key), &key, sizeof(key)))
        err = -EFAULT;
    req->result.obj = ucb;
    req->result.data = cb.aio_data;
    int64_t res = 0;
    if (!err) {
        switch (cb.aio_lio_opcode) {
        case IOCB_CMD_PREAD:   err = rw(f, &cb, false, false, &res); break;
        case IOCB_CMD_PWRITE:  err = rw(f, &cb, true, false, &res); break;
        case IOCB_CMD_PREADV:  err = rw(f, &cb, false, true, &res); break;
        case IOCB_CMD_PWRITEV: err = rw(f, &cb, true, true, &res); break;
        case IOCB_CMD_FSYNC:
        case IOCB_CMD_FDSYNC:  err = sync(f, &cb, &res); break;
        case IOCB_CMD_POLL:
            err = aio_poll(req, cb.aio_buf, cb.aio_offset, cb.aio_nbytes, cb.aio_rw_flags, &waiting);
            res = req->result.res;
            break;
        default:               err = -EINVAL;   /* IOCB_CMD_NOOP too */
        }
    }
    if (err) {
        aio_req_free(req);
        aio_slot_put(ctx);
        return err;
    }
    if (waiting)
        return 0;
    req->result.res = res;
    aio_complete(ctx, &req->result, req->eventfd);
    aio_req_free(req);
    return 0;
}

SYSCALL(io_setup)
{
    uint32_t nr = (uint32_t)a0;
    uint64_t ctxp = a1, id;
    if (copy_from_user(&id, ctxp, sizeof(id)))
        return -EFAULT;
    if (id || nr == 0)
        return -EINVAL;
    struct aio_ctx *ctx;
    int err = aio_ctx_create(nr, &ctx);
    if (err)
        return err;
    if (copy_to_user(ctxp, &ctx->user_id, sizeof(ctx->user_id))) {
        aio_ctx_kill(ctx);
        aio_ctx_put(ctx);
        return -EFAULT;
    }
    return 0;
}

SYSCALL(io_destroy)
{
    struct aio_ctx *ctx = aio_ctx_lookup(a0);
    if (!ctx)
        return -EINVAL;
    int err = aio_ctx_kill(ctx);       /* nothing is in flight once the polls are cancelled */
    aio_ctx_put(ctx);
    return err;
}

SYSCALL(io_submit)
{
    int64_t nr = (int64_t)a1;
    if (nr < 0)
        return -EINVAL;
    struct aio_ctx *ctx = aio_ctx_lookup(a0);
    if (!ctx)
        return -EINVAL;
    if (nr > ctx->nr_events)
        nr = ctx->nr_events;
    int64_t i, err = 0;
    for (i = 0; i < nr; i++) {
        uint64_t ucb;
        if (copy_from_user(&ucb, a2 + (uint64_t)i * sizeof(ucb), sizeof(ucb))) {
            err = -EFAULT;
            break;
        }
        if ((err = submit_one(ctx, ucb)))
            break;
    }
    aio_ctx_put(ctx);
    return i ? i : err;
}

/* Only a waiting POLL can be cancelled: it completes with res 0 and the call says
 * EINPROGRESS (Linux no longer fills `result`); anything else is not found: EINVAL. */
SYSCALL(io_cancel)
{
    uint64_t ucb = a1;
    uint32_t key;
    if (copy_from_user(&key, ucb + offsetof(struct iocb, aio_key), sizeof(key)))
        return -EFAULT;
    if (key != 0)
        return -EINVAL;
    struct aio_ctx *ctx = aio_ctx_lookup(a0);
    if (!ctx)
        return -EINVAL;
    int64_t ret = -EINVAL;
    for (struct aio_req *req = ctx->active; req; req = req->next)
        if (req->result.obj == ucb) {
            req->result.res = 0;
            aio_poll_complete(req);
            ret = -EINPROGRESS;
            break;
        }
    aio_ctx_put(ctx);
    return ret;
}

/* The condition io_getevents sleeps on: evaluated from any thread's context, so it only looks
 * at kernel memory (the ring's pages through the direct map), never at the caller's. */
static bool has_events(void *arg)
{
    struct aio_ctx *ctx = arg;
    return ctx->dead || aio_ready(ctx) > 0;
}

/* do_io_getevents and read_events: events are taken as they come until min_nr are (or the
 * deadline, or a signal); the count, or an errno when none was taken (-EINTR: a signal came
 * first; -EINVAL: the context was destroyed meanwhile). */
static int64_t getevents(uint64_t id, int64_t min_nr, int64_t nr, uint64_t uevents, uint64_t uts)
{
    struct linux_timespec ts;
    if (uts && copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    struct aio_ctx *ctx = aio_ctx_lookup(id);
    if (!ctx)
        return -EINVAL;
    if (min_nr > nr || min_nr < 0) {
        aio_ctx_put(ctx);
        return -EINVAL;
    }
    uint64_t deadline = WAIT_FOREVER;
    bool once = uts && ts.tv_sec == 0 && ts.tv_nsec == 0;
    if (uts && !once) {
        int64_t ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX : ts.tv_sec * 1000000000 + ts.tv_nsec;
        deadline = ns <= 0 ? wait_now_ns() : wait_deadline_after((uint64_t)ns);
    }
    int64_t got = 0, err = 0;
    int wait = 0;
    for (;;) {
        int64_t n = ctx->dead ? -EINVAL
                              : aio_reap(ctx, uevents + (uint64_t)got * sizeof(struct aio_event), nr - got);
        if (n > 0)
            got += n;
        else if (n < 0 && !got)
            err = n;
        if (n < 0 || got >= min_nr || once || wait)
            break;
        wait = wait_until(has_events, ctx, deadline);   /* then one more look, whatever ended it */
    }
    aio_ctx_put(ctx);
    if (got)
        return got;
    if (err)
        return err;
    return wait == -EINTR ? -EINTR : 0;
}

SYSCALL(io_getevents)
{
    return getevents(a0, (int64_t)a1, (int64_t)a2, a3, a4);
}

/* struct __aio_sigset: the mask for the call's duration, as ppoll's. */
SYSCALL(io_pgetevents)
{
    struct linux_timespec ts;
    if (a4 && copy_from_user(&ts, a4, sizeof(ts)))
        return -EFAULT;
    struct { uint64_t sigmask, sigsetsize; } ksig = { 0, 0 };
    if (a5 && copy_from_user(&ksig, a5, sizeof(ksig)))
        return -EFAULT;
    if (ksig.sigmask) {
        uint64_t set;
        if (ksig.sigsetsize != sizeof(uint64_t))
            return -EINVAL;
        if (copy_from_user(&set, ksig.sigmask, sizeof(set)))
            return -EFAULT;
        signal_begin_temporary_mask(current_thread(), set);
    }
    int64_t ret = getevents(a0, (int64_t)a1, (int64_t)a2, a3, a4);
    if (ret == -EINTR)
        ret = -ERESTARTNOHAND;         /* a handler's interruption is EINTR, else a restart */
    if (ksig.sigmask)
        signal_end_temporary_mask(current_thread(), ret);
    return ret;
}
