/* What lwIP asks of its host when it runs without an OS (NO_SYS=1): a millisecond clock for its
 * timeouts and random numbers. Memory comes from the kernel heap (lwipopts.h). */
#include "kernel.h"
#include "timer.h"
#include "random.h"
#include "lwip/sys.h"

/* Milliseconds since boot from the free-running counter; lwIP compares these with wrapping
 * arithmetic, so the truncation to 32 bits every 49 days is harmless. */
u32_t sys_now(void)
{
    return (u32_t)(counter_to_ns(counter_now()) / 1000000);
}

uint32_t lwip_port_rand(void)
{
    uint32_t r;
    random_bytes(&r, sizeof(r));
    return r;
}
