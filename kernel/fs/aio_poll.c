/* IOCB_CMD_POLL (aio.h), after Linux 6.1's aio_poll, aio_poll_wake and aio_poll_cancel: a
 * request ready at submission completes at once; else it waits on its file's wait queue and
 * completes from the wake-up that brings an event it asked for, or from io_cancel/io_destroy
 * with res 0. */
#include "kernel.h"
#include "aio.h"
#include "file.h"
#include "errno.h"
#include "linux_abi.h"

/* Linux's aio_poll_wake: an event the request did not ask for leaves it waiting; otherwise it
 * completes with what is ready (the key, or a poll when the wake-up named no events). */
static void poll_wake(struct waiter *w, uint32_t events)
{
    struct aio_req *req = w->priv;
    if (req->done)
        return;                        /* completed by a wake-up nested in this one */
    if (events & WAKE_RELEASE)
        events &= ~WAKE_RELEASE;       /* cannot happen: the request holds the file */
    if (events && !(events & req->events))
        return;
    uint32_t mask = events ? events : file_poll(req->file) & req->events;
    if (!mask)
        return;
    req->result.res = mask;            /* the whole key, as Linux's inline completion reports */
    aio_poll_complete(req);
}

/* Completion of a waiting POLL request, with the result it has (0 when cancelled). Its file
 * is put later (aio_free_finished): this may run inside a wake-up of that very file. */
void aio_poll_complete(struct aio_req *req)
{
    struct aio_ctx *ctx = req->ctx;
    req->done = true;
    wait_queue_remove(&req->file->waiters, &req->waiter);
    for (struct aio_req **pp = &ctx->active; *pp; pp = &(*pp)->next)
        if (*pp == req) {
            *pp = req->next;
            break;
        }
    aio_complete(ctx, &req->result, req->eventfd);
    req->next = ctx->finished;
    ctx->finished = req;
}

/* aio_poll: the low 16 bits of aio_buf are the events. Ready now: the event at once. A file
 * that cannot be waited on (a regular file: no ->poll) is ready for what DEFAULT_POLLMASK
 * has, and EINVAL when asked for nothing of it (it could never complete). */
int aio_poll(struct aio_req *req, uint64_t buf, int64_t offset, uint64_t nbytes, int32_t rw_flags, bool *waiting)
{
    if ((uint16_t)buf != buf)
        return -EINVAL;
    if (offset || nbytes || rw_flags)
        return -EINVAL;
    req->events = (uint32_t)buf | POLLERR | POLLHUP;
    uint32_t mask = file_poll(req->file) & req->events;
    if (mask) {
        req->result.res = mask;
        return 0;
    }
    if (!req->file->ops->poll)
        return -EINVAL;
    waiter_init(&req->waiter, poll_wake, req);
    wait_queue_add(&req->file->waiters, &req->waiter);
    req->next = req->ctx->active;
    req->ctx->active = req;
    *waiting = true;
    return 0;
}
