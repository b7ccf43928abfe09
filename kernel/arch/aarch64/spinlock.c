/* The ticket lock of spinlock.h. Taking a ticket is an atomic add with acquire semantics on the
 * whole word: LDAXR/STXR by default (ARMv8.0, so a Cortex-A72 runs it), or one LDADDA where the
 * boot CPU has the LSE atomics (ID_AA64ISAR0_EL1.Atomic >= 2, probed by spin_probe_atomics
 * before the first lock; a secondary without them is left out). The assembler gets LSE through
 * `.arch_extension lse` in these few instructions only: the kernel stays -march=armv8-a. The
 * acquire on the owner half orders the critical section after the lock is seen ours; STLRH on
 * release orders it before the next owner sees the lock. */
#include "spinlock.h"
#include "smp.h"
#include "sysreg.h"

bool spin_lse;

bool spin_cpu_has_lse(void) { return ((read_sysreg(id_aa64isar0_el1) >> 20) & 0xf) >= 2; }

void spin_probe_atomics(void) { spin_lse = spin_cpu_has_lse(); }

/* Add `add` to *word; the old value (acquire). */
static uint32_t fetch_add_acquire(uint32_t *word, uint32_t add)
{
    uint32_t old, next, fail;
    if (spin_lse) {
        __asm__ volatile(".arch_extension lse\n ldadda %w2, %w0, [%1]"
                         : "=&r"(old) : "r"(word), "r"(add) : "memory");
        return old;
    }
    __asm__ volatile(
        "   prfm    pstl1strm, [%3]\n"
        "1: ldaxr   %w0, [%3]\n"
        "   add     %w1, %w0, %w4\n"
        "   stxr    %w2, %w1, [%3]\n"
        "   cbnz    %w2, 1b\n"
        : "=&r"(old), "=&r"(next), "=&r"(fail) : "r"(word), "r"(add) : "memory");
    return old;
}

void spin_lock(struct spinlock *l)
{
    uint32_t old = fetch_add_acquire(&l->word, 0x10000), owner;
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
    return (uint16_t)(fetch_add_acquire(&l->word, 0x10000) >> 16);
}

bool spin_ticket_served(struct spinlock *l, uint16_t ticket)
{
    return (uint16_t)__atomic_load_n(&l->word, __ATOMIC_ACQUIRE) == ticket;
}

/* Free means owner == next: then take a ticket as spin_lock would, in one exclusive pair (or
 * one compare-and-swap: it fails when another CPU took a ticket since we looked). */
bool spin_trylock(struct spinlock *l)
{
    uint32_t old, fail;
    if (spin_lse) {
        uint32_t seen = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
        if ((seen & 0xffff) != (seen >> 16))
            return false;
        old = seen;
        __asm__ volatile(".arch_extension lse\n casa %w0, %w2, [%1]"
                         : "+&r"(old) : "r"(&l->word), "r"(seen + 0x10000) : "memory");
        return old == seen;
    }
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
