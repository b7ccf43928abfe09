/* The fault self-test (kernel argument `selftest=fault`): after boot the kernel writes to an
 * unmapped address, which must end in the fault report and a clean power-off with an error
 * status (tests check both). */
#include "kernel.h"
#include "selftest.h"

void selftest_fault(void)
{
    volatile uintptr_t unmapped = 0x10;   /* the low half is unmapped: must end in a fault report */
    *(volatile uint64_t *)unmapped = 1;
}
