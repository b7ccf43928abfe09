/* The end of the process: exit_group, the last thread's exit and a fatal signal all come here;
 * it reports what the kernel options asked for (profile, memstats) and powers off with the
 * program's status. */
#include "kernel.h"
#include "bootargs.h"
#include "process.h"
#include "vfs.h"
#include "mm.h"
#include "idle.h"
#include "profile.h"
#include "irq.h"
#include "timer.h"
#include <string.h>

/* With the memstats kernel option, the kernel's memory use at exit (a soak test compares it with
 * an idle run to prove buffers are released) and how busy the CPU was (a benchmark's split
 * between our code path and time spent outside the guest). */
static void report_memory(void)
{
    const struct boot_manifest *m = boot_manifest();
    uint64_t bytes, blocks;
    if (!m || !m->memstats)
        return;
    heap_stats(&bytes, &blocks);
    kprintf("memstats: heap %lu bytes in %lu blocks, %lu of %lu pages free\n", bytes, blocks,
            page_free_count(), page_total_count());
    uint64_t busy_ms = cpu_busy_ns() / 1000000, idle_ms = cpu_idle_ns() / 1000000;
    kprintf("memstats: cpu busy %lu ms, idle %lu ms; %lu interrupts\n", busy_ms, idle_ms,
            irq_handled_count());
}

void process_exit(int status)
{
    profile_report();
    report_memory();
    kernel_exit(status & 0xff, EXIT_NORMAL);
}
