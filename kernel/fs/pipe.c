/* Pipes, modelled on Linux's so that programs see the same capacities and the same partial
 * writes: a ring of 16 page-sized buffers. A write first tops up the last buffer when its
 * sub-page remainder fits there, then fills whole new pages; a full ring blocks the writer (or
 * is EAGAIN with O_NONBLOCK). Packet mode (O_DIRECT) never merges and reads one buffer at a
 * time. Memory is one page per non-empty buffer, freed as soon as the reader empties it. */
#include "kernel.h"
#include "file.h"
#include "pipe.h"
#include "pipe_buffers.h"
#include "process.h"
#include "thread.h"
#include "syscall.h"
#include "signal.h"
#include "uaccess.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include "vfs.h"
#include "sysctl_limits.h"
#include <string.h>

/* A file's ends follow its access mode: a pipe2 pair is one of each, a FIFO opened O_RDWR both. */
static bool reads(const struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static bool writes(const struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

void pipe_wake(struct pipe *p, int end, uint32_t events)
{
    for (unsigned i = 0; i < p->nfiles; i++) {
        struct file *f = p->files[i].f;
        if (end == 0 ? reads(f) : writes(f))
            file_wake(f, events);
    }
}

static struct pipe_opener *opener_of(struct pipe *p, const struct file *f)
{
    for (unsigned i = 0; i < p->nfiles; i++)
        if (p->files[i].f == f)
            return &p->files[i];
    return NULL;
}

/* Linux's send_sig(SIGPIPE, current, 0), to the writing thread: acted on as the write returns
 * (EPIPE) to the program. */
void raise_sigpipe(void)
{
    signal_send_to_thread(current_thread(), SIGPIPE, SI_USER);
}

bool pipe_readable(void *arg)
{
    struct pipe *p = arg;
    return !pipe_empty(p) || !p->writers;
}

bool pipe_writable(void *arg)
{
    struct pipe *p = arg;
    return !pipe_full(p) || !p->readers;
}

/* Linux's pipe_read: take what is there; wait only when nothing was read yet and a writer can
 * still add more. */
static int64_t pipe_read(struct file *f, void *kbuf, uint64_t len, uint64_t off, bool use_off)
{
    struct pipe *p = f->priv;
    uint64_t done = 0;
    if (len == 0)
        return 0;
    for (;;) {
        while (!pipe_empty(p) && done < len) {
            struct pipe_buf *b = &p->bufs[p->tail % p->slots];
            uint32_t n = b->len < len - done ? b->len : (uint32_t)(len - done);
            memcpy((char *)kbuf + done, buf_data(b) + b->offset, n);
            done += n;
            b->offset += n;
            b->len -= n;
            if (b->len == 0) {
                page_free(b->page, 1);
                b->page = 0;
                p->tail++;
            }
            if (p->packet) {
                if (b->page) {      /* a packet is read whole or its rest is dropped */
                    page_free(b->page, 1);
                    b->page = 0;
                    p->tail++;
                }
                break;
            }
        }
        if (done) {
            pipe_wake(p, 1, POLLOUT | POLLWRNORM);
            return done;
        }
        if (!p->writers)
            return 0;
        if (file_nonblock(f))
            return -EAGAIN;
        if (wait_until(pipe_readable, p, WAIT_FOREVER))
            return -ERESTARTSYS;       /* a signal: restarted, or EINTR for a handler without SA_RESTART */
    }
}

/* Linux's pipe_write: a blocking write returns only when all of it is in the pipe (or the
 * reader went away); a non-blocking one takes what fits, EAGAIN if nothing does. */
static int64_t pipe_write(struct file *f, const void *kbuf, uint64_t len)
{
    struct pipe *p = f->priv;
    const char *src = kbuf;
    uint64_t done = 0;
    if (len == 0)
        return 0;
    if (!p->readers) {
        raise_sigpipe();
        return -EPIPE;
    }
    uint32_t rest = len & (PAGE_SIZE - 1);
    if (rest && !pipe_empty(p)) {
        struct pipe_buf *last = &p->bufs[(p->head - 1) % p->slots];
        if (last->merge && last->offset + last->len + rest <= PAGE_SIZE) {
            memcpy(buf_data(last) + last->offset + last->len, src, rest);
            last->len += rest;
            done = rest;
            pipe_wake(p, 0, POLLIN | POLLRDNORM);
        }
    }
    while (done < len) {
        if (!p->readers) {
            raise_sigpipe();
            return done ? (int64_t)done : -EPIPE;
        }
        if (!pipe_full(p)) {
            uint64_t page = page_alloc(1);
            if (!page)
                return done ? (int64_t)done : -ENOMEM;
            struct pipe_buf *b = &p->bufs[p->head % p->slots];
            uint32_t n = len - done < PAGE_SIZE ? (uint32_t)(len - done) : PAGE_SIZE;
            b->page = page;
            b->offset = 0;
            b->len = n;
            b->merge = !p->packet;
            memcpy(buf_data(b), src + done, n);
            p->head++;
            done += n;
            pipe_wake(p, 0, POLLIN | POLLRDNORM);
            continue;
        }
        if (file_nonblock(f))
            return done ? (int64_t)done : -EAGAIN;
        if (wait_until(pipe_writable, p, WAIT_FOREVER))
            return done ? (int64_t)done : -ERESTARTSYS;
    }
    return done;
}

static uint32_t pipe_poll(struct file *f)
{
    struct pipe *p = f->priv;
    uint32_t mask = 0;
    if (reads(f)) {
        if (!pipe_empty(p))
            mask |= POLLIN | POLLRDNORM;
        struct pipe_opener *o = opener_of(p, f);
        if (!p->writers && o && o->w_seen != p->w_counter)
            mask |= POLLHUP;
    }
    if (writes(f)) {
        if (!pipe_full(p))
            mask |= POLLOUT | POLLWRNORM;
        if (!p->readers)
            mask |= POLLERR;
    }
    return mask;
}

static int64_t pipe_ioctl(struct file *f, uint32_t cmd, uint64_t arg)
{
    struct pipe *p = f->priv;
    if (cmd != FIONREAD)
        return -ENOTTY;
    int count = 0;
    for (unsigned i = p->tail; i != p->head; i++)
        count += p->bufs[i % p->slots].len;
    return copy_to_user(arg, &count, sizeof(count)) ? -EFAULT : 0;
}

static int pipe_stat(struct file *f, struct linux_stat *st)
{
    if (f->vnode)
        return vnode_stat(f->vnode, st);   /* a FIFO: its node in the tree */
    st->st_dev = 0xc;                  /* pipefs */
    st->st_ino = ((struct pipe *)f->priv)->ino;
    st->st_mode = S_IFIFO | 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

/* Linux's pipe_release: the other side learns it when the last reader or the last writer goes
 * (EOF / EPIPE, POLLHUP / POLLERR); the pipe goes with its last file, so a FIFO opened again
 * gets a fresh, empty one. */
static void pipe_release(struct file *f)
{
    struct pipe *p = f->priv;
    struct pipe_opener *o = opener_of(p, f);
    *o = p->files[--p->nfiles];
    bool had_readers = p->readers, had_writers = p->writers;
    p->readers -= reads(f);
    p->writers -= writes(f);
    if (had_readers && !p->readers)
        pipe_wake(p, 1, POLLERR | POLLOUT);
    if (had_writers && !p->writers)
        pipe_wake(p, 0, POLLHUP | POLLIN);
    if (f->vnode)
        vfs_put(f->vnode);
    if (p->nfiles)
        return;
    if (p->fifo)
        fifo_pipe_gone(p->fifo);
    for (unsigned i = p->tail; i != p->head; i++)
        page_free(p->bufs[i % p->slots].page, 1);
    kfree(p->files);
    kfree(p->bufs);
    kfree(p);
}

static const struct file_ops pipe_ops = {
    .kind = FILE_PIPE,
    .read = pipe_read,
    .write = pipe_write,
    .poll = pipe_poll,
    .ioctl = pipe_ioctl,
    .stat = pipe_stat,
    .release = pipe_release,
};

struct pipe *pipe_alloc(bool packet)
{
    struct pipe *p = kzalloc(sizeof(*p));
    if (!p)
        return NULL;
    p->packet = packet;
    p->ino = file_anon_ino();
    p->slots = PIPE_SLOTS;
    p->bufs = kzalloc(PIPE_SLOTS * sizeof(*p->bufs));
    if (!p->bufs) {
        kfree(p);
        return NULL;
    }
    return p;
}

void pipe_free_unopened(struct pipe *p)
{
    kfree(p->files);
    kfree(p->bufs);
    kfree(p);
}

void pipe_hup_after_next_writer(struct file *f)
{
    struct pipe *p = f->priv;
    opener_of(p, f)->w_seen = p->w_counter;
}

struct file *pipe_open_file(struct pipe *p, int flags, struct vnode *fifo)
{
    if (p->nfiles == p->files_cap) {
        unsigned cap = p->files_cap ? p->files_cap * 2 : 2;
        struct pipe_opener *files = kzalloc(cap * sizeof(*files));
        if (!files)
            return NULL;
        memcpy(files, p->files, p->nfiles * sizeof(*files));
        kfree(p->files);
        p->files = files;
        p->files_cap = cap;
    }
    struct file *f = file_alloc(&pipe_ops, p, flags);
    if (!f)
        return NULL;
    if (fifo) {
        f->vnode = fifo;
        vfs_get(fifo);
    }
    p->files[p->nfiles++] = (struct pipe_opener){ f, 0 };
    if (reads(f)) {
        p->readers++;
        p->r_counter++;
    }
    if (writes(f)) {
        p->writers++;
        p->w_counter++;
    }
    return f;
}

int pipe_create(int flags, struct file **read_end, struct file **write_end)
{
    struct pipe *p = pipe_alloc(flags & O_DIRECT);
    if (!p)
        return -ENOMEM;
    /* Linux's create_pipe_files: O_DIRECT shows on the write end only. */
    struct file *r = pipe_open_file(p, O_RDONLY | (flags & O_NONBLOCK), NULL);
    struct file *w = r ? pipe_open_file(p, O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)), NULL) : NULL;
    if (!w) {
        if (r)
            file_put(r);
        else
            pipe_free_unopened(p);
        return -ENFILE;
    }
    *read_end = r;
    *write_end = w;
    return 0;
}

/* F_GETPIPE_SZ, F_SETPIPE_SZ as Linux's pipe_set_size: the size is rounded up to a power of two
 * of pages (at least one), more than 2^31 is EINVAL, growing past fs.pipe-max-size EPERM without
 * CAP_SYS_RESOURCE, fewer slots than buffers in use EBUSY. The ring is laid out afresh from slot 0. */
int64_t pipe_fcntl_size(struct file *f, bool set, uint64_t arg)
{
    struct pipe *p = f->priv;
    if (!set)
        return (int64_t)p->slots * PAGE_SIZE;
    uint32_t size = (uint32_t)arg;
    if (size > (1u << 31))
        return -EINVAL;
    uint64_t slots = 1;
    while (slots * PAGE_SIZE < size)
        slots <<= 1;
    if (slots > p->slots && slots * PAGE_SIZE > PIPE_MAX_SIZE && !process_capable(current_process(), CAP_SYS_RESOURCE))
        return -EPERM;
    unsigned used = p->head - p->tail;
    if (slots < used)
        return -EBUSY;
    if (slots != p->slots) {
        struct pipe_buf *bufs = kzalloc(slots * sizeof(*bufs));
        if (!bufs)
            return -ENOMEM;
        for (unsigned i = 0; i < used; i++)
            bufs[i] = p->bufs[(p->tail + i) % p->slots];
        kfree(p->bufs);
        p->bufs = bufs;
        p->slots = (unsigned)slots;
        p->tail = 0;
        p->head = used;
        pipe_wake(p, 1, POLLOUT | POLLWRNORM);
    }
    return (int64_t)slots * PAGE_SIZE;
}
