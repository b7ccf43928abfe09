/* Spinlocks: a ticket lock (first come, first served, so no CPU starves under contention). The
 * word holds the ticket being served in its low half and the next ticket to hand out in its
 * high half; taking a ticket is one exclusive load/store pair (LDAXR/STXR: every ARMv8-A core,
 * a Cortex-A72 included, has them), or one LSE atomic where the CPU has them (probed, never
 * assumed). Waiters sleep in WFE, woken by the
 * holder's release clearing their exclusive monitor. Interrupts are the caller's business: the
 * kernel lock (kernel_lock.h) is only ever taken with them masked. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct spinlock {
    uint32_t word;              /* owner (low 16 bits), next (high 16 bits) */
};

/* Before the first lock: use LSE atomics if this (the boot) CPU has them. */
void spin_probe_atomics(void);
extern bool spin_lse;
/* Does the calling CPU have LSE atomics? (A secondary must, when spin_lse is set.) */
bool spin_cpu_has_lse(void);
void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Take it only if it is free now. */
bool spin_trylock(struct spinlock *l);
/* spin_lock in two halves, for a caller that waits its own way: take a ticket, then poll
 * whether it is being served (acquire ordering once it is). */
uint16_t spin_take_ticket(struct spinlock *l);
bool spin_ticket_served(struct spinlock *l, uint16_t ticket);
bool spin_is_locked(struct spinlock *l);
