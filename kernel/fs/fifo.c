/* Named pipes (mknod S_IFIFO, mkfifo): a FIFO node in the tree and, while any file is open on
 * it, one pipe (fs/pipe.c) that every reader and writer shares. Opening follows Linux's
 * fifo_open: a reader waits for a writer and a writer for a reader (unless O_NONBLOCK, where a
 * reader goes ahead and a writer with no reader is ENXIO); O_RDWR never waits. */
#include "kernel.h"
#include "file.h"
#include "pipe.h"
#include "pipe_buffers.h"
#include "vnode.h"
#include "wait.h"
#include "signal.h"
#include "errno.h"
#include "linux_abi.h"

struct partner_wait {
    struct pipe *p;
    const unsigned *counter;   /* r_counter or w_counter */
    unsigned seen;
};

/* Linux's wait_for_partner: until a partner opened (the counter moved), not merely until one
 * is open now: a writer that opened and closed meanwhile still lets the reader through. */
static bool partner_came(void *arg)
{
    struct partner_wait *w = arg;
    return *w->counter != w->seen;
}

static int wait_for_partner(struct pipe *p, const unsigned *counter)
{
    struct partner_wait w = { p, counter, *counter };
    return wait_until(partner_came, &w, WAIT_FOREVER) ? -ERESTARTSYS : 0;
}

void fifo_pipe_gone(struct vnode *fifo) { fifo->fifo = NULL; }

int fifo_open(struct vnode *v, int flags, struct file **out)
{
    int mode = flags & O_ACCMODE;
    struct pipe *p = v->fifo;
    if (mode == O_WRONLY && (flags & O_NONBLOCK) && (!p || !p->readers))
        return -ENXIO;
    if (!p && !(p = v->fifo = pipe_alloc(false)))
        return -ENOMEM;
    p->fifo = v;
    /* Linux opens every FIFO end without O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC. */
    struct file *f = pipe_open_file(p, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), v);
    if (!f) {
        if (!p->nfiles) {
            v->fifo = NULL;
            pipe_free_unopened(p);
        }
        return -ENOMEM;
    }
    int err = 0;
    if (mode == O_RDONLY && !p->writers) {
        if (flags & O_NONBLOCK)
            pipe_hup_after_next_writer(f);
        else
            err = wait_for_partner(p, &p->w_counter);
    } else if (mode == O_WRONLY && !p->readers) {
        err = wait_for_partner(p, &p->r_counter);
    }
    if (err) {
        file_put(f);               /* as pipe_release: the partner side learns we left */
        return err;
    }
    *out = f;
    return 0;
}

/* fifo_open's is_pipe case: no partner to wait for and no ENXIO, whoever holds the other end. */
int pipe_reopen(struct pipe *p, int flags, struct file **out)
{
    *out = pipe_open_file(p, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC), NULL);
    return *out ? 0 : -ENOMEM;
}
