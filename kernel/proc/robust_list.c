/* Robust futexes: when a thread exits holding a robust mutex, the kernel marks the mutex's word
 * FUTEX_OWNER_DIED and wakes one waiter, so the next pthread_mutex_lock returns EOWNERDEAD
 * instead of hanging (Linux's exit_robust_list and handle_futex_death). The list lives in user
 * memory and may be corrupt: every read is checked, the walk is bounded, and a bad entry ends it. */
#include "kernel.h"
#include "linux_uapi.h"
#include "futex.h"
#include "thread.h"
#include "uaccess.h"
#include <stddef.h>

#define ROBUST_LIST_LIMIT  2048           /* Linux's bound on entries walked */

struct robust_list_head {
    uint64_t next;            /* struct robust_list *: the first entry, or the head itself */
    int64_t futex_offset;     /* from an entry to its futex word */
    uint64_t list_op_pending; /* an entry being added or removed right now */
};

/* One entry's futex, if the dying thread owns it. pending: the entry was mid-operation, so an
 * unowned word (0) may still have a waiter who must look again. */
static void futex_owner_died(uint64_t uaddr, int tid, bool pi, bool pending)
{
    uint32_t word;
    if ((uaddr & 3) || copy_from_user(&word, uaddr, sizeof(word)))
        return;
    if (pending && !pi && word == 0) {
        futex_wake(uaddr, 1, FUTEX_BITSET_ANY);
        return;
    }
    if ((word & FUTEX_TID_MASK) != (uint32_t)tid)
        return;
    uint32_t died = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    /* The compare-and-exchange is atomic: the kernel holds the CPU with interrupts masked. */
    if (copy_to_user(uaddr, &died, sizeof(died)))
        return;
    /* A PI waiter woken finds the word without owner and takes it (with FUTEX_OWNER_DIED). */
    if (word & FUTEX_WAITERS)
        futex_wake(uaddr, 1, FUTEX_BITSET_ANY);
}

/* An entry pointer's low bit flags a priority-inheritance futex. */
static bool fetch_entry(uint64_t where, uint64_t *entry, bool *pi)
{
    uint64_t raw;
    if (copy_from_user(&raw, where, sizeof(raw)))
        return false;
    *entry = raw & ~1UL;
    *pi = raw & 1;
    return true;
}

void futex_exit_robust_list(struct thread *t)
{
    struct robust_list_head head;
    if (!t->robust_list || copy_from_user(&head, t->robust_list, sizeof(head)))
        return;
    uint64_t entry, pending;
    bool pi, pending_pi;
    if (!fetch_entry(t->robust_list, &entry, &pi) ||
        !fetch_entry(t->robust_list + offsetof(struct robust_list_head, list_op_pending), &pending, &pending_pi))
        return;
    for (int limit = ROBUST_LIST_LIMIT; entry != t->robust_list && limit > 0; limit--) {
        uint64_t next;
        bool next_pi;
        bool ok = fetch_entry(entry, &next, &next_pi);   /* before the word changes under us */
        if (entry != pending)
            futex_owner_died(entry + (uint64_t)head.futex_offset, t->tid, pi, false);
        if (!ok)
            return;
        entry = next;
        pi = next_pi;
    }
    if (pending)
        futex_owner_died(pending + (uint64_t)head.futex_offset, t->tid, pending_pi, true);
}
