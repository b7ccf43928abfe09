/* I-cache coherency for code written through the data side (the Arm ARM's rules for
 * instruction-to-data coherence and CTR_EL0's IDC/DIC fields): instruction fetches do not see the D-cache, so new code must first be cleaned from the
 * D-cache to the point of unification (DC CVAU: where the I-side fetches from), and then stale
 * copies of the old contents invalidated in the I-cache (IC IVAU). CTR_EL0 can excuse either:
 *   IDC = 1: the D-cache clean is not needed for instruction-to-data coherence (a DSB is);
 *   DIC = 1: the I-cache invalidation is not needed (an ISB is).
 * A Cortex-A72 has IDC = 0 and DIC = 0, so both run there; Neoverse cores often skip both.
 * IC IVAU works on the address it is given; an I-cache indexed by virtual address (L1Ip VIPT or
 * AIVIVT) can hold the user's alias in another set, so there the whole I-cache is invalidated,
 * as Linux does. */
#include "kernel.h"
#include "cache.h"
#include "sysreg.h"

#define CTR_IDC              (1UL << 28)
#define CTR_DIC              (1UL << 29)
#define CTR_L1IP(c)          (((c) >> 14) & 3)
#define CTR_L1IP_AIVIVT      1
#define CTR_L1IP_VIPT        2
#define CTR_DMINLINE(c)      (4UL << (((c) >> 16) & 0xf))
#define CTR_IMINLINE(c)      (4UL << ((c) & 0xf))

void cache_sync_for_exec(const void *va, uint64_t len)
{
    uint64_t ctr = read_sysreg(ctr_el0), start = (uint64_t)va, end = start + len;
    if (ctr & CTR_IDC) {
        dsb(ishst);                        /* the writes complete before any fetch */
    } else {
        uint64_t line = CTR_DMINLINE(ctr);
        for (uint64_t p = start & ~(line - 1); p < end; p += line)
            __asm__ volatile("dc cvau, %0" : : "r"(p) : "memory");
        dsb(ish);                          /* the clean completes before the invalidation */
    }
    if (!(ctr & CTR_DIC)) {
        if (CTR_L1IP(ctr) == CTR_L1IP_VIPT || CTR_L1IP(ctr) == CTR_L1IP_AIVIVT) {
            __asm__ volatile("ic ialluis" ::: "memory");
        } else {
            uint64_t line = CTR_IMINLINE(ctr);
            for (uint64_t p = start & ~(line - 1); p < end; p += line)
                __asm__ volatile("ic ivau, %0" : : "r"(p) : "memory");
        }
        dsb(ish);                          /* the invalidation completes before ... */
    }
    isb();                                 /* ... this CPU fetches again */
}
