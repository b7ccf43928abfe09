/* The kernel lock (kernel_lock.h) over the ticket spinlock. The owner is remembered for
 * kernel_lock_held, which panics and assertions use; a wrong pairing is a kernel bug found at
 * once rather than a silent race. */
#include "kernel.h"
#include "kernel_lock.h"
#include "spinlock.h"
#include "cpu.h"

static struct spinlock lock;
static volatile int owner = -1;

void kernel_lock(void)
{
    spin_lock(&lock);
    owner = this_cpu()->id;
}

void kernel_unlock(void)
{
    if (owner != this_cpu()->id)
        panic("kernel lock released by cpu %d, held by %d", this_cpu()->id, owner);
    owner = -1;
    spin_unlock(&lock);
}

bool kernel_lock_held(void) { return owner == this_cpu()->id; }
