/* Linux native AIO (io_setup and friends, after Linux 6.1's fs/aio.c). A context is a ring of
 * completion events mapped into the caller's address space (its address is the context's id,
 * and libaio reads the ring's header directly for io_getevents' fast path). Reads, writes and
 * syncs complete while io_submit runs, as Linux's buffered AIO does; IOCB_CMD_POLL waits on
 * its file and completes at the wake-up that makes it ready (or when cancelled).
 *
 * fs/aio.c owns contexts and their rings; syscall/sys_aio.c checks the ABI and runs the
 * requests. Every context belongs to an address space (Linux's mm->ioctx_table): a fork's
 * child has none, and the last user of the address space ends them (aio_release_vm). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "wait.h"

struct vm;
struct file;

/* struct io_event of <linux/aio_abi.h>. */
struct aio_event {
    uint64_t data;             /* the iocb's aio_data */
    uint64_t obj;              /* the iocb's user address */
    int64_t res, res2;
};

/* struct aio_ring: the header at the start of the ring mapping, then the events. */
struct aio_ring {
    uint32_t id;               /* the context's slot in its address space's table */
    uint32_t nr;               /* events the ring holds */
    uint32_t head;             /* the next event to reap: written by user space too */
    uint32_t tail;             /* the next event the kernel fills */
    uint32_t magic, compat_features, incompat_features, header_length;
    struct aio_event events[];
};

struct aio_ctx;

/* A request that has not completed when io_submit returns (only IOCB_CMD_POLL's). */
struct aio_req {
    struct aio_ctx *ctx;
    struct file *file;         /* held until the request is freed */
    struct file *eventfd;      /* IOCB_FLAG_RESFD: signalled at completion; held */
    struct aio_event result;
    uint32_t events;           /* POLL: the events it waits for (with POLLERR | POLLHUP) */
    struct waiter waiter;      /* POLL: on file->waiters while it waits */
    bool done;                 /* POLL: completed (a wake-up already under way may still call) */
    struct aio_req *next;      /* the context's active or finished list */
};

struct aio_ctx {
    struct aio_ctx *next;      /* the address space's contexts */
    struct vm *vm;
    uint64_t user_id;          /* the ring's user address: the context id */
    uint64_t ring_pa, ring_pages;
    struct aio_ring *ring;     /* the kernel's view of the same pages */
    uint32_t nr_events;        /* trusted copy of ring->nr (user space may write the header) */
    uint32_t tail;             /* trusted copy of ring->tail */
    uint32_t max_reqs;         /* what io_setup asked for: counted in aio-nr */
    uint32_t in_flight;        /* requests holding a ring slot whose event is not in the ring */
    struct aio_req *active;    /* POLL requests waiting (io_cancel finds them here) */
    struct aio_req *finished;  /* completed from a wake-up: freed at the next call on the context */
    int refs;                  /* the table's reference and each call using the context */
    bool dead;                 /* io_destroy (or the address space's end) took it out */
};

/* io_setup's context: ring mapped into the current address space, counted in aio-nr. */
int aio_ctx_create(uint32_t nr_events, struct aio_ctx **out);
/* The current address space's context with this id, held (aio_ctx_put); NULL for none. */
struct aio_ctx *aio_ctx_lookup(uint64_t id);
void aio_ctx_put(struct aio_ctx *ctx);
/* io_destroy: out of the table and aio-nr, ring unmapped, waiting requests cancelled. -EINVAL
 * when another call got there first. */
int aio_ctx_kill(struct aio_ctx *ctx);
/* Reserve a ring slot for a request (false: the ring is full: EAGAIN), and give it back when
 * the request fails to submit. */
bool aio_slot_get(struct aio_ctx *ctx);
void aio_slot_put(struct aio_ctx *ctx);
/* A request's event into the ring (its slot's), the eventfd signalled, waiters told. */
void aio_complete(struct aio_ctx *ctx, const struct aio_event *ev, struct file *eventfd);
/* Events from the ring to user memory, at most nr: the count, or -EFAULT. */
int64_t aio_reap(struct aio_ctx *ctx, uint64_t uevents, int64_t nr);
/* Events in the ring now (the condition io_getevents waits on). */
uint32_t aio_ready(const struct aio_ctx *ctx);
/* Free the requests that completed from wake-ups (their files cannot be put from inside a
 * wake-up of one of them). */
void aio_free_finished(struct aio_ctx *ctx);
void aio_req_free(struct aio_req *req);
/* IOCB_CMD_POLL (fs/aio_poll.c): the iocb's events (aio_buf) checked with its other fields;
 * 0 with the result in req->result.res when ready now, or *waiting set and the request on the
 * context's active list. */
int aio_poll(struct aio_req *req, uint64_t buf, int64_t offset, uint64_t nbytes, int32_t rw_flags, bool *waiting);
/* Completion of a waiting POLL request with the result it has (io_cancel sets 0 first). */
void aio_poll_complete(struct aio_req *req);
/* The last process on vm is gone (exit, exec): its contexts end, their rings freed. */
void aio_release_vm(struct vm *vm);

/* /proc/sys/fs/aio-nr and aio-max-nr. */
extern uint64_t aio_nr, aio_max_nr;
/* ioprio_check_cap (sys_ioprio.c): 0 or the errno ioprio_set gives for this value. */
int64_t ioprio_check(int ioprio);
/* eventfd_signal (fs/eventfd.c): add n to an eventfd's count (clamped below 2^64-1, never
 * waiting), waking its readers; f must be an eventfd. */
void eventfd_signal(struct file *f, uint64_t n);
