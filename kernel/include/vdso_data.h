/* The vDSO data page ([vvar]): what the kernel publishes for the clocks the vDSO answers in user
 * space. Shared by the kernel (exec/vdso.c writes it) and the vDSO (vdso/vgettime.c reads it);
 * plain fixed-width fields only, the layout is the contract between the two. */
#pragma once
#include <stdint.h>

struct vdso_data {
    /* Odd while the kernel changes the fields below; a reader retries until it saw the same even
     * value before and after its reads (a sequence lock: the writer never waits). */
    uint32_t seq;
    uint32_t pad;
    uint64_t counter_freq;          /* CNTFRQ_EL0, counts per second */
    uint64_t realtime_offset_ns;    /* CLOCK_REALTIME = this + counter time in ns */
    uint64_t coarse_res_ns;         /* resolution of the *_COARSE clocks: one tick */
};
