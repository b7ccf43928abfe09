/* futex(2) as glibc's mutexes, condition variables, pthread_join and Go's runtime use it. A
 * futex is named by a key, as Linux's get_futex_key names it: a private one (FUTEX_PRIVATE_FLAG,
 * or any word in private memory) by its address space and user address; a shared one in a
 * MAP_SHARED mapping by the physical page under it and the offset in that page, which every
 * process mapping that memory sees at whatever address (a shared anonymous page is the same
 * page in a fork's child, a shared file mapping maps the file's own pages). The
 * compare-and-sleep of FUTEX_WAIT is atomic with respect to every FUTEX_WAKE, as Linux's is: the
 * word is read and the waiter queued under the kernel lock, which a waker on any CPU takes too
 * (user code on other CPUs may change the word meanwhile; a waker that changed it before waking
 * finds the waiter queued). The priority-inheritance futexes (FUTEX_LOCK_PI, _TRYLOCK_PI,
 * _UNLOCK_PI, _LOCK_PI2) keep Linux's protocol on the word (the owner's tid, FUTEX_WAITERS, the
 * lock handed to the first waiter on unlock) and its errors; the scheduler has no priorities to
 * lend, so no priority is boosted. FUTEX_WAIT_REQUEUE_PI is not implemented (ENOSYS). */
#include "kernel.h"
#include "linux_uapi.h"
#include "futex.h"
#include "syscall.h"
#include "signal.h"
#include "thread.h"
#include "process.h"
#include "sched.h"
#include "uaccess.h"
#include "memlayout.h"
#include "wait.h"
#include "timer.h"
#include "errno.h"
#include "vm.h"
#include "mm.h"

/* What a futex is named by: (address space, user address) or (SHARED_SPACE, physical address). */
struct futex_key {
    const void *space;
    uint64_t addr;
};
static const char shared_space_marker;
#define SHARED_SPACE ((const void *)&shared_space_marker)

struct futex_waiter {
    struct futex_key key;
    uint32_t bitset;
    bool woken;
    struct thread *thread;             /* who waits: the wake puts it back where a CPU runs it */
    struct futex_waiter *next, *prev;
};

/* Waiters hashed by address, each bucket in arrival order (wakes go first come, first served):
 * a wake looks only at its bucket, and joining the queue is O(1), so thousands of threads in a
 * barrier or pthread_join cost nothing to the others. */
#define FUTEX_BUCKETS 256
static struct bucket {
    struct futex_waiter *head, *tail;
} buckets[FUTEX_BUCKETS];

static struct bucket *bucket_of(struct futex_key k)
{
    return &buckets[((k.addr >> 2) * 0x9e3779b97f4a7c15ULL) >> 56];   /* Fibonacci hashing */
}

static bool same_key(struct futex_key a, struct futex_key b) { return a.space == b.space && a.addr == b.addr; }

/* The key of the word at uaddr: shared memory is named by its page unless the caller said the
 * futex is private to its process. 0, or -EFAULT when the page cannot be had. */
static int key_of(uint64_t uaddr, bool private, struct futex_key *k)
{
    struct vm *vm = current_process()->vm;
    *k = (struct futex_key){ vm, uaddr };
    if (private)
        return 0;
    uint64_t addr = user_untag(uaddr);
    struct vma *v = vm_find(vm, addr);
    if (!v)
        return -EFAULT;                /* get_user_pages_fast finds no page */
    if (!(v->shared || v->shared_anon)) {
        /* Linux's FUT_OFF_MMSHARED: a shared futex in private memory is named apart from a
         * private futex at the same address (a FUTEX_WAKE_PRIVATE does not wake its waiter). */
        k->addr |= 1;
        return 0;
    }
    uint64_t pa = vm_user_page(vm, addr, ACCESS_READ);
    if (!pa)
        return -EFAULT;
    *k = (struct futex_key){ SHARED_SPACE, pa + (addr & (PAGE_SIZE - 1)) };
    return 0;
}

static void enqueue(struct futex_waiter *w)
{
    struct bucket *b = bucket_of(w->key);
    w->next = NULL;
    w->prev = b->tail;
    if (b->tail)
        b->tail->next = w;
    else
        b->head = w;
    b->tail = w;
}

static void dequeue(struct futex_waiter *w)
{
    struct bucket *b = bucket_of(w->key);
    if (w->prev)
        w->prev->next = w->next;
    else
        b->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        b->tail = w->prev;
}

static int wake_key(struct futex_key k, int n, uint32_t bitset)
{
    int woken = 0;
    for (struct futex_waiter *w = bucket_of(k)->head, *next; w && woken < n; w = next) {
        next = w->next;
        if (same_key(w->key, k) && (w->bitset & bitset)) {
            dequeue(w);
            w->woken = true;
            sched_wake(w->thread);
            woken++;
        }
    }
    return woken;
}

/* The kernel's own wakes (a thread's clear_child_tid, a dead owner's robust mutex) are shared
 * ones, as Linux's are: a process-shared mutex's waiter in another process hears them. */
int futex_wake(uint64_t uaddr, int n, uint32_t bitset)
{
    struct futex_key k;
    return key_of(uaddr, false, &k) ? 0 : wake_key(k, n, bitset);
}

/* Move up to n waiters from uaddr to uaddr2 (they wake only for uaddr2 from now on), after the
 * ones already waiting there, as Linux's requeue does. */
static int requeue(struct futex_key k, struct futex_key k2, int n)
{
    struct futex_waiter *moved = NULL, **tail = &moved;
    int count = 0;
    for (struct futex_waiter *w = bucket_of(k)->head, *next; w && count < n; w = next) {
        next = w->next;
        if (same_key(w->key, k)) {
            dequeue(w);
            w->next = NULL;
            *tail = w;
            tail = &w->next;
            count++;
        }
    }
    for (struct futex_waiter *w = moved, *next; w; w = next) {
        next = w->next;
        w->key = k2;
        enqueue(w);
    }
    return count;
}

/* Linux's get_futex_key: a word outside user space is EFAULT for every operation, FUTEX_WAKE
 * included, although a wake never reads it. */
static bool user_word(uint64_t uaddr) { uaddr = user_untag(uaddr); return uaddr < USER_VA_END && USER_VA_END - uaddr >= 4; }

static bool was_woken(void *arg) { return ((struct futex_waiter *)arg)->woken; }

static int read_word(uint64_t uaddr, uint32_t *v)
{
    return copy_from_user(v, uaddr, sizeof(*v)) ? -EFAULT : 0;
}

/* The deadline on the monotonic clock: relative for FUTEX_WAIT, absolute (monotonic or
 * realtime) for FUTEX_WAIT_BITSET. */
static int deadline_from_user(uint64_t uts, bool absolute, bool realtime, uint64_t *deadline)
{
    struct { int64_t sec, nsec; } ts;
    *deadline = WAIT_FOREVER;
    if (!uts)
        return 0;
    if (copy_from_user(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    uint64_t ns = (uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec;
    if (!absolute) {
        *deadline = wait_deadline_after(ns);
    } else if (realtime) {
        *deadline = wait_deadline_wall(ns);   /* moves with clock_settime, as Linux's */
    } else {
        *deadline = ns;
    }
    return 0;
}

static int64_t futex_wait(uint64_t uaddr, bool private, uint32_t val, uint64_t deadline, uint32_t bitset)
{
    struct futex_key k;
    uint32_t cur;
    int err = key_of(uaddr, private, &k);
    if (!err)
        err = read_word(uaddr, &cur);
    if (err)
        return err;
    if (cur != val)
        return -EAGAIN;
    struct futex_waiter w = { k, bitset, false, current_thread(), NULL, NULL };
    enqueue(&w);
    err = wait_until_woken(was_woken, &w, deadline);
    if (w.woken)
        return 0;
    dequeue(&w);
    if (err == -ETIMEDOUT)
        return -ETIMEDOUT;
    /* A signal: Linux restarts an untimed wait (SA_RESTART), a timed one only without handler. */
    return deadline == WAIT_FOREVER ? -ERESTARTSYS : -ERESTARTNOHAND;
}

/* FUTEX_WAKE_OP's operation on *uaddr2 and its comparison of the old value. */
static int wake_op(uint64_t uaddr, uint64_t uaddr2, bool private, int n, int n2, uint32_t encoded)
{
    struct futex_key k, k2;
    if (key_of(uaddr, private, &k) || key_of(uaddr2, private, &k2))
        return -EFAULT;
    uint32_t op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
    int32_t oparg = (int32_t)((encoded >> 12) & 0xfff), cmparg = (int32_t)(encoded & 0xfff);
    if (oparg & 0x800)
        oparg -= 0x1000;               /* sign-extend the 12-bit fields */
    if (cmparg & 0x800)
        cmparg -= 0x1000;
    if (encoded & (8u << 28))          /* FUTEX_OP_OPARG_SHIFT */
        oparg = (oparg < 0 || oparg > 31) ? 0 : 1 << oparg;
    uint32_t old, neu;
    if (read_word(uaddr2, &old))
        return -EFAULT;
    switch (op) {
    case 0: neu = (uint32_t)oparg; break;            /* SET */
    case 1: neu = old + (uint32_t)oparg; break;      /* ADD */
    case 2: neu = old | (uint32_t)oparg; break;      /* OR */
    case 3: neu = old & ~(uint32_t)oparg; break;     /* ANDN */
    case 4: neu = old ^ (uint32_t)oparg; break;      /* XOR */
    default: return -ENOSYS;
    }
    bool hit;
    switch (cmp) {
    case 0: hit = (int32_t)old == cmparg; break;
    case 1: hit = (int32_t)old != cmparg; break;
    case 2: hit = (int32_t)old < cmparg; break;
    case 3: hit = (int32_t)old <= cmparg; break;
    case 4: hit = (int32_t)old > cmparg; break;
    case 5: hit = (int32_t)old >= cmparg; break;
    default: return -ENOSYS;
    }
    if (copy_to_user(uaddr2, &neu, sizeof(neu)))
        return -EFAULT;
    int woken = wake_key(k, n, FUTEX_BITSET_ANY);
    if (hit)
        woken += wake_key(k2, n2, FUTEX_BITSET_ANY);
    return woken;
}

/* An atomic compare-and-exchange of a user word (user code on other CPUs changes it with its
 * own): 0 and the value found in *found, or -EFAULT. */
static int cmpxchg_user(uint64_t uaddr, uint32_t old, uint32_t neu, uint32_t *found)
{
    uint64_t addr = user_untag(uaddr);
    uint64_t pa = vm_user_page(current_process()->vm, addr, ACCESS_WRITE);
    if (!pa)
        return -EFAULT;
    volatile uint32_t *p = (volatile uint32_t *)((char *)phys_to_virt(pa) + (addr & (PAGE_SIZE - 1)));
    uint32_t val, failed;
    __asm__ volatile("1: ldaxr  %w0, [%2]\n"
                     "   cmp    %w0, %w3\n"
                     "   b.ne   2f\n"
                     "   stlxr  %w1, %w4, [%2]\n"
                     "   cbnz   %w1, 1b\n"
                     "2: clrex\n"
                     : "=&r"(val), "=&r"(failed) : "r"(p), "r"(old), "r"(neu) : "cc", "memory");
    *found = val;
    return 0;
}

static struct futex_waiter *first_waiter(struct futex_key k)
{
    for (struct futex_waiter *w = bucket_of(k)->head; w; w = w->next)
        if (same_key(w->key, k))
            return w;
    return NULL;
}

/* FUTEX_LOCK_PI and FUTEX_TRYLOCK_PI: take a free word (tid 0: keep FUTEX_OWNER_DIED, mark
 * FUTEX_WAITERS if others still wait), or sleep until an unlock hands the lock over. */
static int64_t lock_pi(uint64_t uaddr, bool private, uint64_t deadline, bool try)
{
    struct futex_key k;
    uint32_t tid = (uint32_t)current_thread()->tid, cur, seen;
    int err = key_of(uaddr, private, &k);
    if (err)
        return err;
    for (;;) {
        if ((err = read_word(uaddr, &cur)))
            return err;
        uint32_t owner = cur & FUTEX_TID_MASK;
        if (owner == tid)
            return -EDEADLK;
        if (!owner) {
            uint32_t neu = tid | (cur & FUTEX_OWNER_DIED) | (first_waiter(k) ? FUTEX_WAITERS : 0);
            if ((err = cmpxchg_user(uaddr, cur, neu, &seen)))
                return err;
            if (seen == cur)
                return 0;
            continue;                  /* the word moved under us: look again */
        }
        if (!thread_find((int)owner))
            return -ESRCH;             /* Linux's attach_to_pi_owner finds no such task */
        if (try)
            return -EAGAIN;
        if (!(cur & FUTEX_WAITERS)) {
            if ((err = cmpxchg_user(uaddr, cur, cur | FUTEX_WAITERS, &seen)))
                return err;
            if (seen != cur)
                continue;
        }
        struct futex_waiter w = { k, FUTEX_BITSET_ANY, false, current_thread(), NULL, NULL };
        enqueue(&w);
        err = wait_until_woken(was_woken, &w, deadline);
        if (!w.woken)
            dequeue(&w);
        if (!read_word(uaddr, &cur) && (cur & FUTEX_TID_MASK) == tid)
            return 0;                  /* the unlock handed it to us */
        if (err == -ETIMEDOUT)
            return -ETIMEDOUT;
        if (!w.woken)
            return -ERESTARTNOINTR;    /* Linux restarts a PI lock after any handler */
    }
}

/* FUTEX_UNLOCK_PI: only the owner may; the first waiter becomes the owner (FUTEX_WAITERS kept
 * set, as Linux's wake_futex_pi leaves it, so its unlock comes to the kernel too). */
static int64_t unlock_pi(uint64_t uaddr, bool private)
{
    struct futex_key k;
    uint32_t tid = (uint32_t)current_thread()->tid, cur, seen;
    int err = key_of(uaddr, private, &k);
    if (err)
        return err;
    for (;;) {
        if ((err = read_word(uaddr, &cur)))
            return err;
        if ((cur & FUTEX_TID_MASK) != tid)
            return -EPERM;
        struct futex_waiter *w = first_waiter(k);
        uint32_t neu = w ? ((uint32_t)w->thread->tid | FUTEX_WAITERS) : 0;
        if ((err = cmpxchg_user(uaddr, cur, neu, &seen)))
            return err;
        if (seen != cur)
            continue;
        if (w) {
            dequeue(w);
            w->woken = true;
            sched_wake(w->thread);
        }
        return 0;
    }
}

SYSCALL(futex)
{
    uint64_t uaddr = a0, uaddr2 = a4;
    int op = (int)a1, cmd = op & FUTEX_CMD_MASK;
    uint32_t val = (uint32_t)a2, val3 = (uint32_t)a5;
    bool realtime = op & FUTEX_CLOCK_REALTIME, private = op & FUTEX_PRIVATE_FLAG;
    struct futex_key k, k2;
    if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_LOCK_PI2)
        return -ENOSYS;
    if (uaddr & 3)
        return -EINVAL;
    if (!user_word(uaddr))
        return -EFAULT;
    uint64_t deadline;
    int err;
    switch (cmd) {
    case FUTEX_WAIT:
        if ((err = deadline_from_user(a3, false, false, &deadline)))
            return err;
        return futex_wait(uaddr, private, val, deadline, FUTEX_BITSET_ANY);
    case FUTEX_WAIT_BITSET:
        if (!val3)
            return -EINVAL;
        if ((err = deadline_from_user(a3, true, realtime, &deadline)))
            return err;
        return futex_wait(uaddr, private, val, deadline, val3);
    case FUTEX_WAKE:
        return key_of(uaddr, private, &k) ? -EFAULT : wake_key(k, (int)val, FUTEX_BITSET_ANY);
    case FUTEX_WAKE_BITSET:
        if (!val3)
            return -EINVAL;
        return key_of(uaddr, private, &k) ? -EFAULT : wake_key(k, (int)val, val3);
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
        if (uaddr2 & 3)
            return -EINVAL;
        if ((int)val < 0 || (int)(uint32_t)a3 < 0)
            return -EINVAL;
        if (!user_word(uaddr2) || key_of(uaddr, private, &k) || key_of(uaddr2, private, &k2))
            return -EFAULT;
        if (cmd == FUTEX_CMP_REQUEUE) {
            uint32_t cur;
            if ((err = read_word(uaddr, &cur)))
                return err;
            if (cur != val3)
                return -EAGAIN;
        }
        int woken = wake_key(k, (int)val, FUTEX_BITSET_ANY);
        return woken + requeue(k, k2, (int)(uint32_t)a3);
    }
    case FUTEX_LOCK_PI:
    case FUTEX_LOCK_PI2:
        /* LOCK_PI's timeout is absolute on CLOCK_REALTIME; LOCK_PI2's on the flag's clock. */
        if ((err = deadline_from_user(a3, true, cmd == FUTEX_LOCK_PI || realtime, &deadline)))
            return err;
        return lock_pi(uaddr, private, deadline, false);
    case FUTEX_TRYLOCK_PI:
        return lock_pi(uaddr, private, WAIT_FOREVER, true);
    case FUTEX_UNLOCK_PI:
        return unlock_pi(uaddr, private);
    case FUTEX_WAKE_OP:
        if (uaddr2 & 3)
            return -EINVAL;
        if (!user_word(uaddr2))
            return -EFAULT;
        return wake_op(uaddr, uaddr2, private, (int)val, (int)(uint32_t)a3, val3);
    default: {                         /* FUTEX_WAIT_REQUEUE_PI, FUTEX_CMP_REQUEUE_PI */
        static uint32_t logged;
        if (cmd < 32 && !(logged & (1u << cmd))) {
            logged |= 1u << cmd;
            kinfo("futex: operation %d not implemented, returning ENOSYS\n", cmd);
        }
        return -ENOSYS;
    }
    }
}

/* futex_waitv (Linux 5.16+, kernel/futex/syscalls.c and waitwake.c): wait on up to 128 words at
 * once, each with its own expected value and private flag; any wake of any of them ends the
 * wait with that entry's index. The checks come in Linux's order: flags, count and vector,
 * the timeout (absolute, CLOCK_MONOTONIC or CLOCK_REALTIME), each entry (FUTEX_32 only, no
 * reserved bits), each key, then the values. */
#define FUTEX_WAITV_MAX 128
#define FUTEX_32        2
#define FUTEXV_WAITER_MASK (FUTEX_32 | FUTEX_PRIVATE_FLAG)

struct futex_waitv_entry {
    uint64_t val, uaddr;
    uint32_t flags, reserved;
};

struct waitv {
    struct futex_waiter *w;
    unsigned n;
};

static bool any_woken(void *arg)
{
    struct waitv *v = arg;
    for (unsigned i = 0; i < v->n; i++)
        if (v->w[i].woken)
            return true;
    return false;
}

/* futex_unqueue_multiple: the first `n` leave their queues; the last one woken, or -1. */
static int unqueue_all(struct futex_waiter *w, unsigned n)
{
    int woken = -1;
    for (unsigned i = 0; i < n; i++) {
        if (w[i].woken)
            woken = (int)i;
        else
            dequeue(&w[i]);
    }
    return woken;
}

static int64_t waitv_setup(struct futex_waitv_entry *e, struct futex_waiter *w, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (e[i].uaddr & 3)
            return -EINVAL;
        if (!user_word(e[i].uaddr) || key_of(e[i].uaddr, e[i].flags & FUTEX_PRIVATE_FLAG, &w[i].key))
            return -EFAULT;
        w[i].bitset = FUTEX_BITSET_ANY;
        w[i].woken = false;
        w[i].thread = current_thread();
    }
    for (unsigned i = 0; i < n; i++) {
        uint32_t cur;
        int err = read_word(e[i].uaddr, &cur);
        if (!err && cur == (uint32_t)e[i].val) {
            enqueue(&w[i]);
            continue;
        }
        int woken = unqueue_all(w, i);
        if (woken >= 0)
            return woken;          /* woken meanwhile: that counts, whatever this one says */
        return err ? err : -EAGAIN;
    }
    return -1;                     /* every one queued */
}

SYSCALL(futex_waitv)
{
    uint64_t uwaiters = a0, uts = a3;
    unsigned n = (unsigned)a1, flags = (unsigned)a2;
    int clock = (int)a4;
    if (flags)
        return -EINVAL;
    if (!n || n > FUTEX_WAITV_MAX || !uwaiters)
        return -EINVAL;
    uint64_t deadline = WAIT_FOREVER;
    if (uts) {
        if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
            return -EINVAL;
        int err = deadline_from_user(uts, true, clock == CLOCK_REALTIME, &deadline);
        if (err)
            return err;
    }
    struct futex_waitv_entry *e = kmalloc(n * sizeof(*e));
    struct futex_waiter *w = kmalloc(n * sizeof(*w));
    int64_t r = e && w ? 0 : -ENOMEM;
    for (unsigned i = 0; !r && i < n; i++) {
        if (copy_from_user(&e[i], uwaiters + i * sizeof(*e), sizeof(*e)))
            r = -EFAULT;
        else if ((e[i].flags & ~FUTEXV_WAITER_MASK) || e[i].reserved || !(e[i].flags & FUTEX_32))
            r = -EINVAL;
    }
    if (!r)
        r = waitv_setup(e, w, n);
    if (r == -1) {
        struct waitv v = { w, n };
        int err = wait_until_woken(any_woken, &v, deadline);
        r = unqueue_all(w, n);
        if (r < 0)                 /* the timeout is absolute: a restart waits for what is left */
            r = err == -ETIMEDOUT ? -ETIMEDOUT : -ERESTARTSYS;
    }
    kfree(e);
    kfree(w);
    return r;
}
