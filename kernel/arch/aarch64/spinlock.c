/* The ticket lock of spinlock.h in LDAXR/STXR (ARMv8.0: no LSE atomics needed). The acquire
 * semantics of LDAXRH on the owner half order the critical section after the lock is seen
 * ours; STLRH on release orders it before the next owner sees the lock. */
#include "spinlock.h"
#include "smp.h"

void spin_lock(struct spinlock *l)
{
    uint32_t old, next, fail, owner;
    __asm__ volatile(
        "   prfm    pstl1strm, [%3]\n"
        "1: ldaxr   %w0, [%3]\n"
        "   add     %w1, %w0, #0x10000\n"
        "   stxr    %w2, %w1, [%3]\n"
        "   cbnz    %w2, 1b\n"
        : "=&r"(old), "=&r"(next), "=&r"(fail) : "r"(&l->word) : "memory");
    uint32_t ticket = old >> 16;
    if ((old & 0xffff) == ticket)
        return;
    /* SEVL makes the first WFE fall through; after that a WFE sleeps until the monitor the
     * LDAXRH armed is cleared by a store to the lock (the holder's release) or an event. */
    __asm__ volatile("sevl" ::: "memory");
    for (;;) {
        __asm__ volatile("wfe\n ldaxrh %w0, [%1]" : "=&r"(owner) : "r"(&l->word) : "memory");
        if (owner == (ticket & 0xffff))
            return;
        smp_park_if_stopping();        /* a panic or power-off on another CPU: never return */
    }
}

uint16_t spin_take_ticket(struct spinlock *l)
{
    uint32_t old, next, fail;
    __asm__ volatile(
        "   prfm    pstl1strm, [%3]\n"
        "1: ldaxr   %w0, [%3]\n"
        "   add     %w1, %w0, #0x10000\n"
        "   stxr    %w2, %w1, [%3]\n"
        "   cbnz    %w2, 1b\n"
        : "=&r"(old), "=&r"(next), "=&r"(fail) : "r"(&l->word) : "memory");
    return (uint16_t)(old >> 16);
}

bool spin_ticket_served(struct spinlock *l, uint16_t ticket)
{
    return (uint16_t)__atomic_load_n(&l->word, __ATOMIC_ACQUIRE) == ticket;
}

/* Free means owner == next: then take a ticket as spin_lock would, in one exclusive pair. */
bool spin_trylock(struct spinlock *l)
{
    uint32_t old, fail;
    __asm__ volatile(
        "1: ldaxr   %w0, [%2]\n"
        "   eor     %w1, %w0, %w0, ror #16\n"
        "   cbnz    %w1, 2f\n"
        "   add     %w0, %w0, #0x10000\n"
        "   stxr    %w1, %w0, [%2]\n"
        "   cbnz    %w1, 1b\n"
        "   b       3f\n"
        "2: clrex\n"
        "3:\n"
        : "=&r"(old), "=&r"(fail) : "r"(&l->word) : "memory");
    return fail == 0;
}

void spin_unlock(struct spinlock *l)
{
    uint16_t owner = (uint16_t)(__atomic_load_n(&l->word, __ATOMIC_RELAXED) & 0xffff);
    __asm__ volatile("stlrh %w0, [%1]" : : "r"((uint32_t)(uint16_t)(owner + 1)), "r"(&l->word) : "memory");
}

bool spin_is_locked(struct spinlock *l)
{
    uint32_t w = __atomic_load_n(&l->word, __ATOMIC_ACQUIRE);
    return (w & 0xffff) != (w >> 16);
}
