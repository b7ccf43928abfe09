/* AIO contexts and their completion rings (aio.h), as Linux 6.1's ioctx_alloc, aio_setup_ring,
 * kill_ioctx, aio_complete and aio_read_events_ring. The ring is kernel pages (contiguous, so
 * the kernel reads it through the direct map) mapped shared into the address space: user space
 * sees every event and head/tail as the kernel writes them, and may move head itself. */
#include "kernel.h"
#include "aio.h"
#include "process.h"
#include "file.h"
#include "vm.h"
#include "uvm.h"
#include "mm.h"
#include "cpu.h"
#include "sched.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define AIO_RING_MAGIC 0xa10a10a1u
#define AIO_RING_COMPAT_FEATURES 1
#define AIO_RING_INCOMPAT_FEATURES 0

uint64_t aio_nr;                       /* max_reqs summed over live contexts */
uint64_t aio_max_nr = 0x10000;         /* Linux's default */

static struct vm *current_vm(void) { return current_process()->vm; }

/* Linux's sizing: at least 4 per CPU, doubled (its per-CPU slot caches), 2 more for the ring's
 * head/tail overlap, then every event the pages have room for. The doubling is in 32 bits, as
 * Linux's: a request of 2^31 wraps to 0, which is EAGAIN, not EINVAL. */
static int ring_size(uint32_t asked, uint32_t *events, uint64_t *pages)
{
    uint32_t per_cpu = (uint32_t)(cpus_online > 0 ? cpus_online : 1) * 4;
    uint32_t n = asked < per_cpu ? per_cpu : asked;
    n *= 2;
    if (n > 0x10000000u / sizeof(struct aio_event))
        return -EINVAL;
    if (!n || asked > aio_max_nr)
        return -EAGAIN;
    n += 2;
    uint64_t bytes = sizeof(struct aio_ring) + n * sizeof(struct aio_event);
    *pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE;
    *events = (uint32_t)((*pages * PAGE_SIZE - sizeof(struct aio_ring)) / sizeof(struct aio_event));
    return 0;
}

/* The lowest slot no live context of vm has: the ring's id (Linux's ioctx_table index). */
static uint32_t free_slot(struct vm *vm)
{
    for (uint32_t id = 0;; id++) {
        bool used = false;
        for (struct aio_ctx *c = vm->aio; c && !used; c = c->next)
            used = c->ring->id == id;
        if (!used)
            return id;
    }
}

static int map_ring(struct vm *vm, struct aio_ctx *ctx)
{
    uint64_t len = ctx->ring_pages * PAGE_SIZE, at = vm_find_free(vm, len);
    if (!at)
        return -ENOMEM;
    int err = vm_map_fixed(vm, at, len, PROT_READ | PROT_WRITE, NULL, 0, 0, "/[aio] (deleted)");
    if (err)
        return err;
    struct vma *v = vm_find(vm, at);
    v->fixed_pa = ctx->ring_pa;
    /* The child of a fork gets no context (Linux's mm_init), and must not keep pages the
     * parent's io_destroy frees. */
    v->dontfork = true;
    v->shared = v->may_write = true;   /* MAP_SHARED of aio's ring file: "rw-s" in maps */
    for (uint64_t i = 0; i < ctx->ring_pages; i++)
        if (uvm_map_page(vm->root, at + i * PAGE_SIZE, ctx->ring_pa + i * PAGE_SIZE, PROT_READ | PROT_WRITE)) {
            vm_unmap(vm, at, len);
            return -ENOMEM;
        }
    ctx->user_id = at;
    return 0;
}

int aio_ctx_create(uint32_t nr_events, struct aio_ctx **out)
{
    uint32_t events;
    uint64_t pages;
    int err = ring_size(nr_events, &events, &pages);
    if (err)
        return err;
    struct aio_ctx *ctx = kzalloc(sizeof(*ctx));
    uint64_t pa = ctx ? page_alloc(pages) : 0;
    if (!pa) {
        kfree(ctx);
        return -ENOMEM;
    }
    struct vm *vm = current_vm();
    ctx->vm = vm;
    ctx->ring_pa = pa;
    ctx->ring_pages = pages;
    ctx->ring = phys_to_virt(pa);
    memset(ctx->ring, 0, pages * PAGE_SIZE);
    ctx->nr_events = events;
    ctx->max_reqs = nr_events;
    ctx->refs = 1;
    if ((err = map_ring(vm, ctx))) {
        page_free(pa, pages);
        kfree(ctx);
        return err;
    }
    if (aio_nr + nr_events > aio_max_nr || aio_nr + nr_events < aio_nr) {
        vm_unmap(vm, ctx->user_id, pages * PAGE_SIZE);
        page_free(pa, pages);
        kfree(ctx);
        return -EAGAIN;
    }
    aio_nr += nr_events;
    struct aio_ring *ring = ctx->ring;
    ring->nr = events;
    ring->id = free_slot(vm);
    ring->magic = AIO_RING_MAGIC;
    ring->compat_features = AIO_RING_COMPAT_FEATURES;
    ring->incompat_features = AIO_RING_INCOMPAT_FEATURES;
    ring->header_length = sizeof(struct aio_ring);
    ctx->next = vm->aio;
    vm->aio = ctx;
    *out = ctx;
    return 0;
}

struct aio_ctx *aio_ctx_lookup(uint64_t id)
{
    for (struct aio_ctx *c = current_vm()->aio; c; c = c->next)
        if (c->user_id == id && !c->dead) {
            c->refs++;
            return c;
        }
    return NULL;
}

static void ctx_free(struct aio_ctx *ctx)
{
    aio_free_finished(ctx);
    page_free(ctx->ring_pa, ctx->ring_pages);
    kfree(ctx);
}

void aio_ctx_put(struct aio_ctx *ctx)
{
    aio_free_finished(ctx);
    if (--ctx->refs == 0)
        ctx_free(ctx);
}

/* Out of the table, waiting requests cancelled (their events still go to the ring, which lives
 * until the last call using the context lets go). unmap: the address space goes on (io_destroy),
 * so the ring leaves it, as Linux's vm_munmap (only while the mapping there is still ours). */
static int kill(struct aio_ctx *ctx, bool unmap)
{
    if (ctx->dead)
        return -EINVAL;
    ctx->dead = true;
    struct vm *vm = ctx->vm;
    for (struct aio_ctx **pp = &vm->aio; *pp; pp = &(*pp)->next)
        if (*pp == ctx) {
            *pp = ctx->next;
            break;
        }
    aio_nr -= ctx->max_reqs;
    while (ctx->active)
        aio_poll_complete(ctx->active);
    if (unmap) {
        struct vma *v = vm_find(vm, ctx->user_id);
        if (v && v->start == ctx->user_id && v->fixed_pa == ctx->ring_pa)
            vm_unmap(vm, ctx->user_id, ctx->ring_pages * PAGE_SIZE);
    }
    sched_kick_idle();                 /* an io_getevents on another thread sees it dead */
    return 0;
}

int aio_ctx_kill(struct aio_ctx *ctx)
{
    int err = kill(ctx, true);
    if (!err)
        ctx->refs--;                   /* the table's reference; the caller still holds one */
    return err;
}

void aio_release_vm(struct vm *vm)
{
    while (vm->aio) {
        struct aio_ctx *ctx = vm->aio;
        kill(ctx, false);
        if (--ctx->refs == 0)
            ctx_free(ctx);
    }
}

/* Events between head (user space may have written anything there: clamped, as Linux does)
 * and the kernel's tail. */
static uint32_t in_ring(const struct aio_ctx *ctx)
{
    uint32_t head = ctx->ring->head % ctx->nr_events, tail = ctx->tail;
    return head <= tail ? tail - head : ctx->nr_events - (head - tail);
}

uint32_t aio_ready(const struct aio_ctx *ctx) { return in_ring(ctx); }

/* Linux keeps nr_events - 1 slots (one stays empty so a full ring differs from an empty one):
 * a request takes one at submission and its event gives it back once reaped. */
bool aio_slot_get(struct aio_ctx *ctx)
{
    if (ctx->in_flight + in_ring(ctx) >= ctx->nr_events - 1)
        return false;
    ctx->in_flight++;
    return true;
}

void aio_slot_put(struct aio_ctx *ctx) { ctx->in_flight--; }

void aio_complete(struct aio_ctx *ctx, const struct aio_event *ev, struct file *eventfd)
{
    ctx->ring->events[ctx->tail] = *ev;
    uint32_t tail = ctx->tail + 1 == ctx->nr_events ? 0 : ctx->tail + 1;
    __atomic_thread_fence(__ATOMIC_RELEASE);   /* the event before the tail that shows it */
    ctx->tail = tail;
    ctx->ring->tail = tail;
    ctx->in_flight--;
    if (eventfd)
        eventfd_signal(eventfd, 1);
    sched_kick_idle();                 /* an io_getevents waiting on another CPU looks again */
}

/* aio_read_events_ring: head and tail as the header has them now, each taken modulo the ring;
 * a fault leaves head where it was. */
int64_t aio_reap(struct aio_ctx *ctx, uint64_t uevents, int64_t nr)
{
    struct aio_ring *ring = ctx->ring;
    uint32_t head = ring->head, tail = ring->tail;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (head == tail || nr <= 0)
        return 0;
    head %= ctx->nr_events;
    tail %= ctx->nr_events;
    int64_t got = 0;
    while (got < nr && head != tail) {
        int64_t avail = (head <= tail ? tail : ctx->nr_events) - head;
        if (avail > nr - got)
            avail = nr - got;
        if (copy_to_user(uevents + (uint64_t)got * sizeof(struct aio_event), &ring->events[head],
                         (size_t)avail * sizeof(struct aio_event)))
            return -EFAULT;
        got += avail;
        head = (uint32_t)((head + avail) % ctx->nr_events);
    }
    ring->head = head;
    return got;
}

void aio_req_free(struct aio_req *req)
{
    if (req->eventfd)
        file_put(req->eventfd);
    if (req->file)
        file_put(req->file);
    kfree(req);
}

void aio_free_finished(struct aio_ctx *ctx)
{
    while (ctx->finished) {
        struct aio_req *req = ctx->finished;
        ctx->finished = req->next;
        aio_req_free(req);
    }
}
