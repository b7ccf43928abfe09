/* /proc/stat (fs/proc/stat.c): each CPU's time in USER_HZ ticks, then the interrupt, context
 * switch, boot time and process lines. libuv's uv_cpu_info (node's os.cpus()), top, vmstat and
 * psutil read it. Our CPUs' time splits three ways only: user (the threads' user code, counted
 * at each mode change: proc/cputime.c), idle (WFI: proc/idle.c) and system (the rest of the time
 * since the CPU came up). No nice split, iowait, irq/softirq time, steal or guests: those
 * columns are 0, as on a Linux whose threads never wait for a disk or run niced. Interrupts
 * are one total (Linux's per-IRQ columns number its own virtual IRQs), softirqs none. */
#include "kernel.h"
#include "kfile.h"
#include "procfs.h"
#include "memfile.h"
#include "mm.h"
#include "process.h"
#include "thread.h"
#include "timer.h"
#include "cpu.h"
#include "linux_abi.h"

#define USER_HZ 100
#define STAT_MAX (128 * (MAX_CPUS + 1) + 512)

static uint64_t ticks(uint64_t counts) { return counter_to_ns(counts) / (NSEC_PER_SEC / USER_HZ); }

struct cpu_times { uint64_t user, system, idle; };

static struct cpu_times times_of(const struct cpu *c, uint64_t now)
{
    uint64_t up = now - c->online_at, idle = c->idle_counts, user = c->user_counts;
    uint64_t busy = up > idle ? up - idle : 0;
    return (struct cpu_times){ ticks(user), ticks(busy > user ? busy - user : 0), ticks(idle) };
}

static int cpu_line(char *s, size_t size, const char *name, struct cpu_times t)
{
    return snprintf(s, size, "%s %lu 0 %lu %lu 0 0 0 0 0 0\n", name, t.user, t.system, t.idle);
}

static struct file *stat_open(const char *path, int flags)
{
    char *s = kmalloc(STAT_MAX);
    if (!s)
        return NULL;
    uint64_t now = counter_now(), irqs = 0, switches = 0;
    struct cpu_times all = { 0 };
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus_online_mask & (1ULL << i)) {
            struct cpu_times t = times_of(&cpus[i], now);
            all.user += t.user;
            all.system += t.system;
            all.idle += t.idle;
            irqs += cpus[i].irqs;
            switches += cpus[i].switches;
        }
    size_t n = (size_t)cpu_line(s, STAT_MAX, "cpu ", all);
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus_online_mask & (1ULL << i)) {
            char name[8];
            snprintf(name, sizeof(name), "cpu%d", i);
            n += (size_t)cpu_line(s + n, STAT_MAX - n, name, times_of(&cpus[i], now));
        }
    unsigned running = 0;
    for (struct process *p = process_first(); p; p = p->all_next)
        for (struct thread *t = p->threads; t; t = t->next)
            running += t->state == THREAD_RUNNABLE;
    n += (size_t)snprintf(s + n, STAT_MAX - n,
                          "intr %lu\nctxt %lu\nbtime %lu\nprocesses %d\nprocs_running %u\nprocs_blocked 0\n"
                          "softirq 0 0 0 0 0 0 0 0 0 0 0\n",
                          irqs, switches, time_realtime_offset_ns() / NSEC_PER_SEC, process_last_id(), running);
    struct file *f = memfile_open(s, n, 0444, flags);
    kfree(s);
    return f;
}

void procfs_stat_init(void)
{
    kfile_register("/proc/stat", stat_open, S_IFREG | 0444);
}
