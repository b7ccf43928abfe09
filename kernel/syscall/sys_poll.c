/* Waiting on many descriptors: ppoll, pselect6 and epoll_create1/ctl/pwait/pwait2. Argument
 * checks follow Linux's order so errno values match; the waiting itself is wait_until. */
#include "kernel.h"
#include "timer.h"
#include "signal.h"
#include "thread.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "pipe.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define POLLIN_SET  (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET  POLLPRI
#define EP_MAX_EVENTS (0x7fffffff / 16)

static struct process *proc(void) { return current_process(); }

/* A user timespec as a deadline; no pointer means wait forever. */
static int timeout_from_user(uint64_t uts, uint64_t *deadline, bool *zero)
{
    struct linux_timespec ts;
    *zero = false;
    if (!uts) {
        *deadline = WAIT_FOREVER;
        return 0;
    }
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    *zero = !ts.tv_sec && !ts.tv_nsec;
    *deadline = wait_deadline_after((uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec);
    return 0;
}

/* ppoll and pselect6 write the time left back (not for a zero timeout; a bad pointer there is
 * ignored, as Linux does). */
static void timeout_to_user(uint64_t uts, uint64_t deadline, bool zero)
{
    if (!uts || zero || deadline == WAIT_FOREVER)
        return;
    uint64_t now = wait_now_ns(), left = deadline > now ? deadline - now : 0;
    struct linux_timespec ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
    copy_to_user(uts, &ts, sizeof(ts));
}

/* The signal mask for the duration of the call (set_user_sigmask); the call ends with
 * signal_end_temporary_mask, which leaves the old mask to the handler's frame when a signal
 * interrupted the call. */
static int sigmask_from_user(uint64_t uset, uint64_t size)
{
    uint64_t set;
    if (!uset)
        return 0;
    if (size != sizeof(uint64_t))
        return -EINVAL;
    if (copy_from_user(&set, uset, sizeof(set)))
        return -EFAULT;
    signal_begin_temporary_mask(current_thread(), set);
    return 0;
}

/* Waiters on every polled file; any wake-up ends the sleep and the caller polls again. */
struct poll_table {
    struct waiter *waiters;
    struct file **files;
    int count;
    bool woken;
};

static void poll_table_wake(struct waiter *w, uint32_t events)
{
    ((struct poll_table *)w->priv)->woken = true;
}

/* The table holds each file it waits on (Linux's __pollwait get_file): another thread may close
 * the descriptor during the wait, and the waiter must come off a queue that still exists. */
static void poll_table_add(struct poll_table *pt, struct file *f)
{
    struct waiter *w = &pt->waiters[pt->count];
    f->refs++;
    pt->files[pt->count++] = f;
    waiter_init(w, poll_table_wake, pt);
    wait_queue_add(&f->waiters, w);
}

static void poll_table_free(struct poll_table *pt)
{
    for (int i = 0; i < pt->count; i++) {
        wait_queue_remove(&pt->files[i]->waiters, &pt->waiters[i]);
        file_put(pt->files[i]);
    }
    kfree(pt->waiters);
    kfree(pt->files);
}

static int poll_table_init(struct poll_table *pt, int max)
{
    memset(pt, 0, sizeof(*pt));
    pt->waiters = kmalloc(sizeof(struct waiter) * (max ? max : 1));
    pt->files = kmalloc(sizeof(struct file *) * (max ? max : 1));
    if (!pt->waiters || !pt->files) {
        kfree(pt->waiters);
        kfree(pt->files);
        return -ENOMEM;
    }
    return 0;
}

static bool poll_table_woken(void *arg) { return ((struct poll_table *)arg)->woken; }

struct linux_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* One pass over the descriptors; `pt` (first pass only) registers the waiters. */
static int poll_once(struct linux_pollfd *fds, uint64_t nfds, struct poll_table *pt)
{
    int count = 0;
    for (uint64_t i = 0; i < nfds; i++) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        struct file *f = fd_get_open(proc(), fds[i].fd);   /* O_PATH too: POLLNVAL */
        if (!f) {
            fds[i].revents = POLLNVAL;
        } else {
            if (pt)
                poll_table_add(pt, f);
            uint32_t filter = (uint16_t)fds[i].events | POLLERR | POLLHUP;
            fds[i].revents = (int16_t)(file_poll(f) & filter);
        }
        if (fds[i].revents)
            count++;
    }
    return count;
}

static int64_t do_poll(uint64_t ufds, uint64_t nfds, uint64_t deadline)
{
    if (nfds > current_process()->fd_limit)   /* Linux: more than RLIMIT_NOFILE */
        return -EINVAL;
    struct poll_table pt;
    struct linux_pollfd *fds = kmalloc(nfds ? nfds * sizeof(*fds) : 1);
    int64_t ret;
    if (!fds)
        return -ENOMEM;
    if (copy_from_user(fds, ufds, nfds * sizeof(*fds))) {
        kfree(fds);
        return -EFAULT;
    }
    if ((ret = poll_table_init(&pt, (int)nfds))) {
        kfree(fds);
        return ret;
    }
    wait_run_poll_hooks();
    ret = poll_once(fds, nfds, &pt);
    while (ret == 0) {
        pt.woken = false;
        int w = wait_until(poll_table_woken, &pt, deadline);
        if (w) {
            if (w == -EINTR)
                ret = -ERESTARTNOHAND;   /* EINTR when a handler runs, else the call goes on */
            break;
        }
        ret = poll_once(fds, nfds, NULL);
    }
    poll_table_free(&pt);
    for (uint64_t i = 0; i < nfds; i++)
        if (copy_to_user(ufds + i * sizeof(*fds) + offsetof(struct linux_pollfd, revents),
                         &fds[i].revents, sizeof(fds[i].revents))) {
            ret = -EFAULT;
            break;
        }
    kfree(fds);
    return ret;
}

SYSCALL(ppoll)
{
    uint64_t deadline;
    bool zero;
    int64_t err = timeout_from_user(a2, &deadline, &zero);
    if (err)
        return err;
    if ((err = sigmask_from_user(a3, a4)))
        return err;
    int64_t ret = do_poll(a0, a1, deadline);
    signal_end_temporary_mask(current_thread(), ret);
    timeout_to_user(a2, deadline, zero);
    return ret;
}

/* select's three bit sets, n bits each, stored as whole longs as Linux copies them. */
struct fd_sets {
    uint64_t *in, *out, *ex, *res_in, *res_out, *res_ex;
    size_t words;
};

static int select_once(int n, struct fd_sets *s, struct poll_table *pt)
{
    int count = 0;
    memset(s->res_in, 0, s->words * 8);
    memset(s->res_out, 0, s->words * 8);
    memset(s->res_ex, 0, s->words * 8);
    for (int fd = 0; fd < n; fd++) {
        uint64_t bit = 1UL << (fd % 64);
        size_t w = fd / 64;
        if (!((s->in[w] | s->out[w] | s->ex[w]) & bit))
            continue;
        struct file *f = fd_get(proc(), fd);
        if (f && pt)
            poll_table_add(pt, f);
        /* closed by another thread since the call began: Linux's do_select takes
         * DEFAULT_POLLMASK for a descriptor it no longer finds, so it reads as ready */
        uint32_t mask = f ? file_poll(f) : POLL_ALWAYS;
        if ((mask & POLLIN_SET) && (s->in[w] & bit)) {
            s->res_in[w] |= bit;
            count++;
        }
        if ((mask & POLLOUT_SET) && (s->out[w] & bit)) {
            s->res_out[w] |= bit;
            count++;
        }
        if ((mask & POLLEX_SET) && (s->ex[w] & bit)) {
            s->res_ex[w] |= bit;
            count++;
        }
    }
    return count;
}

static int64_t do_select(int64_t n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t deadline)
{
    struct fd_sets s;
    struct poll_table pt;
    int64_t ret = 0;
    uint64_t user[3] = { uin, uout, uex };
    if (n < 0)
        return -EINVAL;
    if (n > fd_table_end(current_process()))   /* Linux: clamped to the table's size */
        n = fd_table_end(current_process());
    s.words = (n + 63) / 64;
    uint64_t *mem = kzalloc(6 * (s.words ? s.words : 1) * 8);
    if (!mem)
        return -ENOMEM;
    uint64_t **sets[6] = { &s.in, &s.out, &s.ex, &s.res_in, &s.res_out, &s.res_ex };
    for (int i = 0; i < 6; i++)
        *sets[i] = mem + i * (s.words ? s.words : 1);
    for (int i = 0; i < 3; i++)
        if (user[i] && copy_from_user(*sets[i], user[i], s.words * 8)) {
            kfree(mem);
            return -EFAULT;
        }
    int count = 0;
    for (int fd = 0; fd < n; fd++)
        if ((s.in[fd / 64] | s.out[fd / 64] | s.ex[fd / 64]) & (1UL << (fd % 64))) {
            if (!fd_get_open(proc(), fd)) {
                kfree(mem);
                return -EBADF;
            }
            count++;
        }
    if ((ret = poll_table_init(&pt, count))) {
        kfree(mem);
        return ret;
    }
    wait_run_poll_hooks();
    ret = select_once((int)n, &s, &pt);
    while (ret == 0) {
        pt.woken = false;
        int w = wait_until(poll_table_woken, &pt, deadline);
        if (w) {
            if (w == -EINTR)
                ret = -ERESTARTNOHAND;   /* EINTR when a handler runs, else the call goes on */
            break;
        }
        ret = select_once((int)n, &s, NULL);
    }
    poll_table_free(&pt);
    /* An error (EINTR too) leaves the caller's sets as they came, as Linux's core_sys_select:
     * CPython's select.select retries an interrupted call with the same sets. */
    for (int i = 0; i < 3 && ret >= 0; i++)
        if (user[i] && copy_to_user(user[i], *sets[i + 3], s.words * 8))
            ret = -EFAULT;
    kfree(mem);
    return ret;
}

SYSCALL(pselect6)
{
    uint64_t deadline;
    bool zero;
    int64_t err = timeout_from_user(a4, &deadline, &zero);
    if (err)
        return err;
    struct { uint64_t set, size; } sig = { 0, 0 };
    if (a5 && copy_from_user(&sig, a5, sizeof(sig)))
        return -EFAULT;
    if ((err = sigmask_from_user(sig.set, sig.size)))
        return err;
    int64_t ret = do_select((int64_t)(int)a0, a1, a2, a3, deadline);
    signal_end_temporary_mask(current_thread(), ret);
    timeout_to_user(a4, deadline, zero);
    return ret;
}

SYSCALL(epoll_create1)
{
    if ((int)a0 & ~EPOLL_CLOEXEC)
        return -EINVAL;
    struct file *f = epoll_create((int)a0);
    if (!f)
        return -ENOMEM;
    int fd = fd_alloc(proc(), f, 0, (int)a0 & EPOLL_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* The kernel's struct epoll_event: not packed on arm64, so 16 bytes. */
struct linux_epoll_event {
    uint32_t events;
    uint64_t data;
};

SYSCALL(epoll_ctl)
{
    int op = (int)a1, fd = (int)a2;
    struct linux_epoll_event uev = { 0, 0 };
    if (op != 2 /* EPOLL_CTL_DEL */ && copy_from_user(&uev, a3, sizeof(uev)))
        return -EFAULT;
    struct file *ep = fd_get_open(proc(), (int)a0), *target = fd_get_open(proc(), fd);
    if (!ep || !target)
        return -EBADF;
    if (!target->ops->poll)
        return -EPERM;
    if (ep == target || !file_is_epoll(ep))
        return -EINVAL;
    struct epoll_event_k ev = { uev.events, uev.data };
    return epoll_ctl(ep, op, fd, target, &ev);
}

static int deliver_to_user(void *ctx, int i, const struct epoll_event_k *ev)
{
    struct linux_epoll_event e = { ev->events, ev->data };
    return copy_to_user(*(uint64_t *)ctx + i * sizeof(e), &e, sizeof(e)) ? -EFAULT : 0;
}

static int64_t do_epoll_wait(int epfd, uint64_t uevents, int max, uint64_t deadline)
{
    if (max <= 0 || max > EP_MAX_EVENTS)
        return -EINVAL;
    if (uevents >= USER_VA_END || (uint64_t)max * sizeof(struct linux_epoll_event) > USER_VA_END - uevents)
        return -EFAULT;
    struct file *ep = fd_get(proc(), epfd);
    if (!ep)
        return -EBADF;
    if (!file_is_epoll(ep))
        return -EINVAL;
    return epoll_wait(ep, deliver_to_user, &uevents, max, deadline);
}

SYSCALL(epoll_pwait)
{
    int timeout = (int)a3;
    int64_t err = sigmask_from_user(a4, a5);
    if (err)
        return err;
    uint64_t deadline = timeout < 0 ? WAIT_FOREVER : wait_deadline_after((uint64_t)timeout * 1000000UL);
    int64_t ret = do_epoll_wait((int)a0, a1, (int)a2, deadline);
    signal_end_temporary_mask(current_thread(), ret);
    return ret;
}

SYSCALL(epoll_pwait2)
{
    uint64_t deadline;
    bool zero;
    int64_t err = timeout_from_user(a3, &deadline, &zero);
    if (err)
        return err;
    if ((err = sigmask_from_user(a4, a5)))
        return err;
    int64_t ret = do_epoll_wait((int)a0, a1, (int)a2, deadline);
    signal_end_temporary_mask(current_thread(), ret);
    return ret;
}
