/* Arm PL031 real-time clock: QEMU sets it to the host's time at start-up. We read it once at
 * boot to anchor CLOCK_REALTIME; the counter keeps time from there. */
#include "kernel.h"
#include "mmio.h"
#include "mm.h"
#include "timer.h"
#include "pl031.h"

#define RTCDR 0x000   /* seconds since the epoch */

void pl031_init(uint64_t pa)
{
    volatile uint32_t *regs = ioremap(pa, 0x1000);
    uint32_t seconds = mmio_read32(&regs[RTCDR / 4]);
    time_set_realtime(seconds * 1000000000UL);
}
