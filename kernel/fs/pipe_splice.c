/* Pipes as splice, tee and vmsplice see them, after Linux's fs/splice.c. Linux moves page
 * references; here bytes are copied (a buffer moved whole between pipes keeps its page), and
 * the buffer boundaries are Linux's, so the same number of bytes fits in a pipe and a later
 * write() merges (or does not) into the same buffers: spliced-in buffers never merge, a
 * buffer moved whole from another pipe keeps its merge flag, as Linux's do. */
#include "kernel.h"
#include "file.h"
#include "pipe.h"
#include "pipe_buffers.h"
#include "uaccess.h"
#include "mm.h"
#include "wait.h"
#include "socket.h"
#include "signal.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define GATHER_MAX (PIPE_SLOTS * PAGE_SIZE)   /* one write at a time of at most a default pipe's worth */

struct pipe *file_pipe(struct file *f)
{
    return f->kind == FILE_PIPE ? f->priv : NULL;
}

int pipe_wait_data(struct pipe *p, bool nonblock)
{
    while (pipe_empty(p)) {
        if (!p->writers)
            return 0;
        if (nonblock)
            return -EAGAIN;
        if (wait_until(pipe_readable, p, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    return 0;
}

int pipe_wait_room(struct pipe *p, bool nonblock)
{
    while (pipe_full(p) || !p->readers) {
        if (!p->readers) {
            raise_sigpipe();
            return -EPIPE;
        }
        if (nonblock)
            return -EAGAIN;
        if (wait_until(pipe_writable, p, WAIT_FOREVER))
            return -ERESTARTSYS;
    }
    return 0;
}

/* A copy of the first len bytes of b in a new page of its own (never merged into). */
static int copy_buf(const struct pipe_buf *b, uint32_t len, struct pipe_buf *out)
{
    uint64_t page = page_alloc(1);
    if (!page)
        return -ENOMEM;
    memcpy(phys_to_virt(page), (char *)phys_to_virt(b->page) + b->offset, len);
    *out = (struct pipe_buf){ .page = page, .offset = 0, .len = len, .merge = false };
    return 0;
}

static void push(struct pipe *p, const struct pipe_buf *b)
{
    p->bufs[p->head % p->slots] = *b;
    p->head++;
}

static void drop_tail(struct pipe *p)
{
    struct pipe_buf *b = &p->bufs[p->tail % p->slots];
    page_free(b->page, 1);
    b->page = 0;
    p->tail++;
}

/* Linux's splice_pipe_to_pipe: wait for input and room, then move whole buffers (the last one
 * split when len ends inside it); when a race left nothing to do, wait again. */
int64_t pipe_splice_to_pipe(struct pipe *in, struct pipe *out, uint64_t len, bool nonblock)
{
    int64_t done = 0;
    for (;;) {
        int err = pipe_wait_data(in, nonblock);
        if (!err)
            err = pipe_wait_room(out, nonblock);
        if (err)
            return err;
        bool again = false;
        while (len) {
            if (!out->readers) {
                raise_sigpipe();
                if (!done)
                    done = -EPIPE;
                break;
            }
            if (pipe_empty(in) && !in->writers)
                break;
            if (pipe_empty(in) || pipe_full(out)) {
                if (done)
                    break;
                if (nonblock) {
                    done = -EAGAIN;
                    break;
                }
                again = true;
                break;
            }
            struct pipe_buf *ib = &in->bufs[in->tail % in->slots];
            uint32_t n;
            if (len >= ib->len) {
                n = ib->len;
                push(out, ib);
                ib->page = 0;
                in->tail++;
            } else {
                struct pipe_buf ob;
                n = (uint32_t)len;
                if (copy_buf(ib, n, &ob)) {
                    if (!done)
                        done = -ENOMEM;
                    break;
                }
                push(out, &ob);
                ib->offset += n;
                ib->len -= n;
            }
            done += n;
            len -= n;
        }
        if (!again)
            break;
    }
    if (done > 0) {
        pipe_wake(out, 0, POLLIN | POLLRDNORM);
        pipe_wake(in, 1, POLLOUT | POLLWRNORM);
    }
    return done;
}

/* Linux's link_pipe: each input buffer (up to len bytes) duplicated into the output. */
int64_t pipe_tee(struct pipe *in, struct pipe *out, uint64_t len)
{
    int64_t done = 0;
    for (unsigned i = in->tail; len && i != in->head; i++) {
        if (!out->readers) {
            raise_sigpipe();
            if (!done)
                done = -EPIPE;
            break;
        }
        if (pipe_full(out))
            break;
        struct pipe_buf *ib = &in->bufs[i % in->slots], ob;
        uint32_t n = len < ib->len ? (uint32_t)len : ib->len;
        if (copy_buf(ib, n, &ob)) {
            if (!done)
                done = -ENOMEM;
            break;
        }
        push(out, &ob);
        done += n;
        len -= n;
    }
    if (done > 0)
        pipe_wake(out, 0, POLLIN | POLLRDNORM);
    return done;
}

static unsigned free_slots(struct pipe *p)
{
    return p->slots - (p->head - p->tail);
}

int64_t pipe_fill_from_file(struct pipe *p, struct file *in, uint64_t *pos, bool use_pos, bool regular,
                            uint64_t len, bool dontwait)
{
    int64_t done = 0;
    if (regular) {
        /* filemap_splice_read / shmem_file_splice_read: a buffer per file page, the first from
         * *pos to its page's end. */
        while (len && !pipe_full(p)) {
            uint64_t room = PAGE_SIZE - (*pos & (PAGE_SIZE - 1));
            uint64_t want = len < room ? len : room;
            uint64_t page = page_alloc(1);
            if (!page)
                return done ? done : -ENOMEM;
            int64_t got = file_read(in, phys_to_virt(page), want, *pos, true);
            if (got <= 0) {
                page_free(page, 1);
                if (!done)
                    done = got;
                break;
            }
            push(p, &(struct pipe_buf){ .page = page, .len = (uint32_t)got });
            done += got;
            *pos += (uint64_t)got;
            len -= (uint64_t)got;
            if ((uint64_t)got < want)
                break;
        }
    } else {
        /* copy_splice_read: one read into as many pages as the pipe has free. */
        uint64_t cap = (uint64_t)free_slots(p) * PAGE_SIZE;
        uint64_t want = len < cap ? len : cap;
        char *buf = kmalloc(want ? want : 1);
        if (!buf)
            return -ENOMEM;
        if (dontwait) {
            struct socket *so = file_socket(in);
            struct sock_addr from;
            bool truncated;
            done = so->proto->recv(so, buf, want, MSG_DONTWAIT, &from, &truncated);
        } else {
            done = file_read(in, buf, want, *pos, use_pos);
        }
        for (int64_t off = 0; off < done; off += PAGE_SIZE) {
            uint64_t page = page_alloc(1);
            if (!page) {
                done = off ? off : -ENOMEM;   /* what is not in the pipe is lost, as a failed copy */
                break;
            }
            uint32_t n = done - off < (int64_t)PAGE_SIZE ? (uint32_t)(done - off) : PAGE_SIZE;
            memcpy(phys_to_virt(page), buf + off, n);
            push(p, &(struct pipe_buf){ .page = page, .len = n });
        }
        kfree(buf);
        if (done > 0 && use_pos)
            *pos += (uint64_t)done;
    }
    if (done > 0)
        pipe_wake(p, 0, POLLIN | POLLRDNORM);
    return done;
}

/* iter_to_pipe: a buffer per user page the bytes lie in, until the pipe is full. */
int64_t pipe_fill_from_user(struct pipe *p, const struct linux_iovec *iov, uint64_t count)
{
    int64_t done = 0;
    for (uint64_t i = 0; i < count && !pipe_full(p); i++) {
        uint64_t off = 0;
        while (off < iov[i].iov_len && !pipe_full(p)) {
            uint64_t addr = iov[i].iov_base + off;
            uint64_t room = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
            uint64_t n = iov[i].iov_len - off < room ? iov[i].iov_len - off : room;
            uint64_t page = page_alloc(1);
            if (!page)
                goto out;
            if (copy_from_user((char *)phys_to_virt(page) + (addr & (PAGE_SIZE - 1)), addr, n)) {
                page_free(page, 1);
                if (!done)
                    done = -EFAULT;
                goto out;
            }
            push(p, &(struct pipe_buf){ .page = page, .offset = (uint32_t)(addr & (PAGE_SIZE - 1)),
                                        .len = (uint32_t)n });
            off += n;
            done += (int64_t)n;
        }
    }
out:
    if (done > 0)
        pipe_wake(p, 0, POLLIN | POLLRDNORM);
    return done;
}

/* The first n bytes of the pipe leave it. */
static void consume(struct pipe *p, uint64_t n)
{
    while (n) {
        struct pipe_buf *b = &p->bufs[p->tail % p->slots];
        uint32_t c = n < b->len ? (uint32_t)n : b->len;
        b->offset += c;
        b->len -= c;
        n -= c;
        if (!b->len)
            drop_tail(p);
    }
}

/* Linux's splice_from_pipe_next then a feed: the loop of iter_file_splice_write and
 * splice_to_socket, with the buffers gathered into one write as theirs are. */
int64_t pipe_drain(struct pipe *p, uint64_t len, bool nonblock, pipe_sink_fn sink, void *ctx)
{
    char *buf = kmalloc(len < GATHER_MAX ? (len ? len : 1) : GATHER_MAX);
    int64_t done = 0, err = 0;
    if (!buf)
        return -ENOMEM;
    while ((uint64_t)done < len) {
        while (pipe_empty(p)) {
            if (!p->writers || done)
                goto out;
            if (nonblock) {
                err = -EAGAIN;
                goto out;
            }
            if (wait_until(pipe_readable, p, WAIT_FOREVER)) {
                err = -ERESTARTSYS;
                goto out;
            }
        }
        uint64_t want = len - (uint64_t)done < GATHER_MAX ? len - (uint64_t)done : GATHER_MAX, n = 0;
        for (unsigned i = p->tail; i != p->head && n < want; i++) {
            struct pipe_buf *b = &p->bufs[i % p->slots];
            uint64_t c = b->len < want - n ? b->len : want - n;
            memcpy(buf + n, buf_data(b) + b->offset, c);
            n += c;
        }
        int64_t w = sink(ctx, buf, n);
        if (w <= 0) {
            err = w;
            break;
        }
        consume(p, (uint64_t)w);
        done += w;
        pipe_wake(p, 1, POLLOUT | POLLWRNORM);
    }
out:
    kfree(buf);
    return done ? done : err;
}
