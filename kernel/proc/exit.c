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
#include "net.h"
#include "cpu.h"
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
    if (cpus_online > 1)
        for (int i = 0; i < MAX_CPUS; i++)
            if (cpus_online_mask & (1ULL << i))
                kprintf("memstats: cpu %d: idle %lu ms, %lu interrupts (%lu IPIs), kernel lock waited %lu ms in %lu takes\n", i,
                        counter_to_ns(cpus[i].idle_counts) / 1000000, cpus[i].irqs, cpus[i].ipis,
                        counter_to_ns(cpus[i].lock_wait_counts) / 1000000, cpus[i].lock_waits);
}

void process_exit(int status)
{
    /* What the program sent and wrote reaches the peers and the disk before anyone hears it
     * ended. */
    net_drain_at_exit(current_process());
    int err = vfs_sync_all();
    if (err)
        kprintf("volume: writing the last changes at exit failed (error %d)\n", -err);
    profile_report();
    missing_report();
    report_memory();
    kernel_exit(status & 0xff, EXIT_NORMAL);
}
