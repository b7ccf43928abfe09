/* Idle accounting: every WFI goes through cpu_idle, so the memstats report can say how much of
 * a run the CPUs were busy. That split tells a slow benchmark apart: a busy guest means our code
 * path costs the time, an idle one means the time is spent outside (QEMU, the host network).
 * Each CPU counts its own idle time (struct cpu); the totals add them up. */
#include "kernel.h"
#include "idle.h"
#include "arch.h"
#include "timer.h"
#include "cpu.h"

void cpu_idle(void)
{
    uint64_t start = counter_now();
    arch_wait_for_interrupt();
    this_cpu()->idle_counts += counter_now() - start;
}

uint64_t cpu_idle_ns(void)
{
    uint64_t n = 0;
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus_online_mask & (1ULL << i))
            n += cpus[i].idle_counts;
    return counter_to_ns(n);
}

/* Every online CPU's time since it came up, less its idle time: the CPU time the program got
 * (the kernel only ever works for it). */
uint64_t cpu_busy_ns(void)
{
    uint64_t now = counter_now(), up = 0, idle = 0;
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus_online_mask & (1ULL << i)) {
            up += now - cpus[i].online_at;
            idle += cpus[i].idle_counts;
        }
    return counter_to_ns(up > idle ? up - idle : 0);
}
