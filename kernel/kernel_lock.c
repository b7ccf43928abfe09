/* The kernel lock (kernel_lock.h) over the ticket spinlock. The owner is remembered for
 * kernel_lock_held, which panics and assertions use; a wrong pairing is a kernel bug found at
 * once rather than a silent race. */
#include "kernel.h"
#include "kernel_lock.h"
#include "spinlock.h"
#include "cpu.h"
#include "arch.h"
#include "timer.h"
#include "smp.h"

static struct spinlock lock;
static volatile int owner = -1;

/* A waiter spins a little (the holder is usually about to return to user space), then naps in
 * WFI, a few microseconds at a time, until it gets the lock. The spin is short: under TCG on a
 * busy 2-core host, spinning 50 us before the first nap made a cross-CPU futex hand-off take
 * 150 us, 200 us made it 300 us, 5 us makes it 40-60 us (qemu-user: 56 us). The naps matter when the CPUs are
 * virtual and the host has fewer free cores than we have CPUs (TCG, an overcommitted KVM host):
 * a spinning vCPU takes the host core its lock holder needs, a napping one gives it back (WFI
 * blocks the vCPU thread; WFE under TCG does not). The holder sends no wake-up: a nap is short,
 * and an IPI would stay pending and end every later nap at once.
 * A waiter holds no place in line: it tries to take the lock when it sees it free (test and
 * test-and-set on the ticket word). First come, first served would hand the lock to the next
 * ticket even while that vCPU naps or the host has descheduled it, and every CPU behind it
 * waits too: 8 vCPUs on 2 busy host cores took 140 ms per take that way, against well under 1
 * ms now. Starvation is bounded in practice by the naps: a CPU that just released the lock
 * goes back to user space, not straight back to the lock.
 * The time a CPU waits for the lock is counted (struct cpu), for memstats: it is what the
 * serialization costs. An uncontended take is one atomic and no counter read. */
#define SPIN_NS 5000
#define NAP_NS  20000

static void take(bool may_nap)
{
    struct cpu *c = this_cpu();
    if (!spin_trylock(&lock)) {
        uint64_t start = arch_counter(), spin = ns_to_counter(SPIN_NS), nap = ns_to_counter(NAP_NS);
        for (;;) {
            smp_park_if_stopping();
            if (!spin_is_locked(&lock) && spin_trylock(&lock))
                break;
            if (may_nap && arch_counter() - start > spin)
                timer_nap(nap);
        }
        c->lock_wait_counts += arch_counter() - start;
        c->lock_waits++;
    }
    owner = c->id;
}

void kernel_lock(void) { take(true); }

/* With an interrupt active (acknowledged, not yet ended) the timer cannot end a nap: its
 * interrupt has no higher priority than the active one. So no naps then. */
void kernel_lock_in_irq(void) { take(false); }

void kernel_unlock(void)
{
    if (owner != this_cpu()->id)
        panic("kernel lock released by cpu %d, held by %d", this_cpu()->id, owner);
    owner = -1;
    spin_unlock(&lock);
}

bool kernel_lock_held(void) { return owner == this_cpu()->id; }
