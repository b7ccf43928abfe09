/* Idle accounting: every WFI goes through cpu_idle, so the memstats report can say how much of
 * a run the CPU was busy. That split tells a slow benchmark apart: a busy guest means our code
 * path costs the time, an idle one means the time is spent outside (QEMU, the host network). */
#include "kernel.h"
#include "idle.h"
#include "arch.h"
#include "timer.h"
#include "net.h"

static uint64_t idle_counts;

void cpu_idle(void)
{
    net_flush();                   /* a frame waiting for its doorbell would wait forever */
    if (net_work_pending())        /* frames no interrupt will announce: every caller loops */
        return;                    /* back to its conditions, and the waits poll the stack */
    uint64_t start = counter_now();
    arch_wait_for_interrupt();
    idle_counts += counter_now() - start;
}

uint64_t cpu_idle_ns(void) { return counter_to_ns(idle_counts); }
