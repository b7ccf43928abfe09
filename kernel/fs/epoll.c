/* epoll instances. Each watched (fd, file) pair is an item with a waiter on the file's wait
 * queue; a wake-up with an event the item asks for puts it on the ready list, in order. epoll_wait
 * polls the ready items again: a level-triggered item that is still ready goes back on the list
 * (so it is reported again), an edge-triggered one only on its next wake-up, a one-shot one never
 * until EPOLL_CTL_MOD re-arms it. A file that goes away takes its items with it. */
#include "kernel.h"
#include "file.h"
#include "pipe.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"

#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EP_EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)
#define EP_MAX_NESTS 4

struct epoll;

/* Items are found by (fd, file) through a hash of the fd and unlinked from both lists in
 * constant time, so watching tens of thousands of descriptors (CPython's
 * test_above_fd_setsize: 65,000) costs time linear in their number, as Linux's tree does. */
struct epitem {
    struct epitem *next, **pprev;   /* all items of the instance */
    struct epitem *rdnext, *rdprev; /* ready list */
    struct epitem *hnext;      /* the fd's hash bucket */
    bool ready;                /* on the ready list */
    struct epoll *ep;
    struct file *file;
    int fd;
    uint32_t events;
    uint64_t data;
    struct waiter waiter;
};

struct epoll {
    struct epitem *items;
    struct epitem *rd_head, *rd_tail;
    struct epitem **buckets;   /* nbuckets (a power of two, or 0 before the first item) */
    unsigned nbuckets, count;
    struct file *self;
};

static void ready_append(struct epoll *ep, struct epitem *it)
{
    it->ready = true;
    it->rdnext = NULL;
    it->rdprev = ep->rd_tail;
    if (ep->rd_tail)
        ep->rd_tail->rdnext = it;
    else
        ep->rd_head = it;
    ep->rd_tail = it;
}

static void ready_remove(struct epoll *ep, struct epitem *it)
{
    if (it->rdprev)
        it->rdprev->rdnext = it->rdnext;
    else
        ep->rd_head = it->rdnext;
    if (it->rdnext)
        it->rdnext->rdprev = it->rdprev;
    else
        ep->rd_tail = it->rdprev;
    it->ready = false;
}

static struct epitem **bucket(struct epoll *ep, int fd)
{
    return &ep->buckets[(unsigned)fd & (ep->nbuckets - 1)];
}

/* Room for one more item: the table doubles when it holds as many items as buckets. */
static int hash_reserve(struct epoll *ep)
{
    if (ep->count < ep->nbuckets)
        return 0;
    unsigned n = ep->nbuckets ? 2 * ep->nbuckets : 64;
    struct epitem **b = kzalloc(sizeof(*b) * n), **old = ep->buckets;
    if (!b)
        return -ENOMEM;
    unsigned oldn = ep->nbuckets;
    ep->buckets = b;
    ep->nbuckets = n;
    for (unsigned i = 0; i < oldn; i++)
        for (struct epitem *it = old[i], *next; it; it = next) {
            next = it->hnext;
            it->hnext = *bucket(ep, it->fd);
            *bucket(ep, it->fd) = it;
        }
    kfree(old);
    return 0;
}

/* Unlink an item everywhere and free it. `detach`: also leave the file's wait queue (not when
 * the file is being released and is walking that queue itself). */
static void item_free(struct epitem *it, bool detach)
{
    struct epoll *ep = it->ep;
    if (detach)
        wait_queue_remove(&it->file->waiters, &it->waiter);
    if (it->ready)
        ready_remove(ep, it);
    *it->pprev = it->next;
    if (it->next)
        it->next->pprev = it->pprev;
    for (struct epitem **pp = bucket(ep, it->fd); *pp; pp = &(*pp)->hnext)
        if (*pp == it) {
            *pp = it->hnext;
            break;
        }
    ep->count--;
    kfree(it);
}

/* Linux's ep_poll_callback: an event the item did not ask for, or a disarmed one-shot item, does
 * not make it ready. Whoever waits on the epoll file itself hears about it too. */
static void item_wake(struct waiter *w, uint32_t events)
{
    struct epitem *it = w->priv;
    if (events & WAKE_RELEASE) {
        wait_queue_remove(&it->file->waiters, &it->waiter);
        item_free(it, false);
        return;
    }
    if (!(it->events & ~EP_PRIVATE_BITS))
        return;
    if (events && !(events & it->events))
        return;
    if (!it->ready)
        ready_append(it->ep, it);
    file_wake(it->ep->self, POLLIN | POLLRDNORM);
}

static uint32_t item_poll(struct epitem *it)
{
    return file_poll(it->file) & it->events;
}

static uint32_t epoll_poll(struct file *f)
{
    struct epoll *ep = f->priv;
    for (struct epitem *it = ep->rd_head; it; it = it->rdnext)
        if (item_poll(it))
            return POLLIN | POLLRDNORM;
    return 0;
}

static int epoll_stat(struct file *f, struct linux_stat *st)
{
    st->st_dev = 0xd;
    st->st_mode = 0600;
    st->st_nlink = 1;
    st->st_blksize = PAGE_SIZE;
    return 0;
}

static void epoll_release(struct file *f)
{
    struct epoll *ep = f->priv;
    while (ep->items)
        item_free(ep->items, true);
    kfree(ep->buckets);
    kfree(ep);
}

/* ep_show_fdinfo: a line per watched descriptor (the target file's position, inode, device). */
static size_t epoll_fdinfo(struct file *f, char *buf, size_t size)
{
    struct epoll *ep = f->priv;
    size_t n = 0;
    for (struct epitem *it = ep->items; it && n < size; it = it->next) {
        struct linux_stat st;
        file_stat(it->file, &st);
        n += (size_t)snprintf(buf + n, size - n, "tfd: %8d events: %8x data: %16lx  pos:%ld ino:%lx sdev:%lx\n",
                              it->fd, it->events, it->data, (int64_t)it->file->offset, st.st_ino, st.st_dev);
    }
    return n < size ? n : size;
}

static const struct file_ops epoll_ops = {
    .kind = FILE_EPOLL,
    .poll = epoll_poll,
    .stat = epoll_stat,
    .release = epoll_release,
    .show_fdinfo = epoll_fdinfo,
    .seekable = true,          /* lseek is accepted and changes nothing, as on Linux */
};

bool file_is_epoll(struct file *f) { return f->ops == &epoll_ops; }

struct file *epoll_create(int flags)
{
    struct epoll *ep = kzalloc(sizeof(*ep));
    if (!ep)
        return NULL;
    struct file *f = file_alloc(&epoll_ops, ep, O_RDWR);
    if (!f) {
        kfree(ep);
        return NULL;
    }
    ep->self = f;
    return f;
}

/* Would watching `from` from `to` close a loop (or nest deeper than Linux allows)? */
static bool reaches(struct epoll *from, struct epoll *to, int depth)
{
    if (from == to || depth > EP_MAX_NESTS)
        return true;
    for (struct epitem *it = from->items; it; it = it->next)
        if (file_is_epoll(it->file) && reaches(it->file->priv, to, depth + 1))
            return true;
    return false;
}

static struct epitem *find(struct epoll *ep, int fd, struct file *f)
{
    if (!ep->nbuckets)
        return NULL;
    for (struct epitem *it = *bucket(ep, fd); it; it = it->hnext)
        if (it->fd == fd && it->file == f)
            return it;
    return NULL;
}

int epoll_target_file(struct file *epf, int tfd, unsigned toff, struct file **out)
{
    if (!file_is_epoll(epf))
        return -EINVAL;
    struct epoll *ep = epf->priv;
    for (struct epitem *it = ep->items; it; it = it->next)
        if (it->fd == tfd && !toff--) {
            *out = it->file;
            return 0;
        }
    return -ENOENT;
}

/* The checks after the descriptors were found, in Linux's order (do_epoll_ctl). */
int epoll_ctl(struct file *epf, int op, int fd, struct file *target, const struct epoll_event_k *ev)
{
    struct epoll *ep = epf->priv;
    bool has_event = op != EPOLL_CTL_DEL;
    if (has_event && (ev->events & EPOLLEXCLUSIVE)) {
        if (op == EPOLL_CTL_MOD)
            return -EINVAL;
        if (op == EPOLL_CTL_ADD && (file_is_epoll(target) || (ev->events & ~EP_EXCLUSIVE_OK)))
            return -EINVAL;
    }
    if (op == EPOLL_CTL_ADD && file_is_epoll(target) && reaches(target->priv, ep, 0))
        return -ELOOP;
    struct epitem *it = find(ep, fd, target);
    switch (op) {
    case EPOLL_CTL_ADD:
        if (it)
            return -EEXIST;
        it = hash_reserve(ep) ? NULL : kzalloc(sizeof(*it));
        if (!it)
            return -ENOMEM;
        it->ep = ep;
        it->file = target;
        it->fd = fd;
        it->events = ev->events | POLLERR | POLLHUP;
        it->data = ev->data;
        it->next = ep->items;
        it->pprev = &ep->items;
        if (ep->items)
            ep->items->pprev = &it->next;
        ep->items = it;
        it->hnext = *bucket(ep, fd);
        *bucket(ep, fd) = it;
        ep->count++;
        waiter_init(&it->waiter, item_wake, it);
        wait_queue_add(&target->waiters, &it->waiter);
        break;
    case EPOLL_CTL_DEL:
        if (!it)
            return -ENOENT;
        item_free(it, true);
        return 0;
    case EPOLL_CTL_MOD:
        if (!it)
            return -ENOENT;
        if (it->events & EPOLLEXCLUSIVE)
            return -EINVAL;
        it->events = ev->events | POLLERR | POLLHUP;
        it->data = ev->data;
        break;
    default:
        return -EINVAL;
    }
    /* Already ready now: queue it, as if the wake-up had just happened. */
    if (item_poll(it) && !it->ready) {
        ready_append(ep, it);
        file_wake(epf, POLLIN | POLLRDNORM);
    }
    return 0;
}

/* Linux's ep_send_events: items past `max` stay at the head of the list, level-triggered items
 * that were reported go to its tail. An event the caller cannot take (a bad user buffer) puts its
 * item back where it was and ends the pass. */
static int collect(struct epoll *ep, epoll_deliver_fn deliver, void *ctx, int max, int *err)
{
    struct epitem *list = ep->rd_head, *requeue = NULL, **requeue_tail = &requeue;
    int n = 0;
    ep->rd_head = ep->rd_tail = NULL;
    while (list && n < max) {
        struct epitem *it = list;
        uint32_t mask = item_poll(it);
        if (mask) {
            struct epoll_event_k ev = { mask, it->data };
            if ((*err = deliver(ctx, n, &ev)))
                break;
            n++;
        }
        list = it->rdnext;
        it->ready = false;
        if (!mask)
            continue;
        if (it->events & EPOLLONESHOT)
            it->events &= EP_PRIVATE_BITS;
        else if (!(it->events & EPOLLET)) {
            it->ready = true;
            it->rdnext = NULL;
            *requeue_tail = it;
            requeue_tail = &it->rdnext;
        }
    }
    /* The rest (still marked ready) first, then the level-triggered ones. */
    ep->rd_head = list;
    ep->rd_tail = NULL;
    if (list)
        list->rdprev = NULL;
    for (struct epitem *it = list; it; it = it->rdnext)
        ep->rd_tail = it;
    for (struct epitem *it = requeue, *next; it; it = next) {
        next = it->rdnext;
        ready_append(ep, it);
    }
    return n;
}

static bool has_ready(void *arg) { return ((struct epoll *)arg)->rd_head != NULL; }

int epoll_wait(struct file *epf, epoll_deliver_fn deliver, void *ctx, int max, uint64_t deadline_ns)
{
    struct epoll *ep = epf->priv;
    for (;;) {
        wait_run_poll_hooks();
        int err = 0, n = collect(ep, deliver, ctx, max, &err);
        if (n || err)
            return n ? n : err;
        int w = wait_until(has_ready, ep, deadline_ns);
        if (w)
            return w == -EINTR ? -EINTR : 0;   /* Linux never restarts epoll_wait */
    }
}
