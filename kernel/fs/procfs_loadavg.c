/* /proc/loadavg: the 1, 5 and 15 minute load averages as Linux computes them (kernel/sched/
 * loadavg.c: every 5 s, an exponential average in 11-bit fixed point of the threads that can run),
 * then running/total threads and the last pid handed out. Sampled from CPU 0's tick; a tick
 * that idled past several periods (a tickless CPU) applies each of them, as Linux's NO_HZ
 * catch-up does, with the count of now. */
#include "kernel.h"
#include "kfile.h"
#include "procfs.h"
#include "memfile.h"
#include "process.h"
#include "thread.h"
#include "timer.h"
#include "linux_abi.h"

#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_FREQ_NS (5 * NSEC_PER_SEC)
static const uint64_t exp_factor[3] = { 1884, 2014, 2037 };   /* 1/exp(5s/1min), 5 min, 15 min */

static uint64_t avenrun[3];
static uint64_t next_sample_ns;

static void count_threads(unsigned *running, unsigned *total)
{
    *running = *total = 0;
    for (struct process *p = process_first(); p; p = p->all_next)
        for (struct thread *t = p->threads; t; t = t->next)
            if (t->state != THREAD_DEAD) {
                (*total)++;
                *running += t->state == THREAD_RUNNABLE;
            }
}

static uint64_t calc_load(uint64_t load, uint64_t exp, uint64_t active)
{
    uint64_t newload = load * exp + active * (FIXED_1 - exp);
    if (active >= load)
        newload += FIXED_1 - 1;
    return newload / FIXED_1;
}

/* Every period that ended by now, with the number of threads that can run now. */
static void catch_up(void)
{
    uint64_t now = counter_to_ns(counter_now());
    if (!next_sample_ns)
        next_sample_ns = now + LOAD_FREQ_NS;
    if (now < next_sample_ns)
        return;
    unsigned running, total;
    count_threads(&running, &total);
    uint64_t active = (uint64_t)running * FIXED_1;
    for (int n = 0; now >= next_sample_ns; n++, next_sample_ns += LOAD_FREQ_NS)
        if (n < 4096)                  /* after 5.7 hours of periods the averages are settled */
            for (int i = 0; i < 3; i++)
                avenrun[i] = calc_load(avenrun[i], exp_factor[i], active);
}

static struct file *loadavg_open(const char *path, int flags)
{
    catch_up();
    unsigned running, total;
    count_threads(&running, &total);
    char t[96];
    int n = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t a = avenrun[i] + FIXED_1 / 200;   /* rounded to the hundredth */
        n += snprintf(t + n, sizeof(t) - n, "%lu.%02lu ", a >> FSHIFT, ((a & (FIXED_1 - 1)) * 100) >> FSHIFT);
    }
    n += snprintf(t + n, sizeof(t) - n, "%u/%u %d\n", running, total, process_last_id());
    return memfile_open(t, (size_t)n, 0444, flags);
}

void procfs_loadavg_init(void)
{
    kfile_register("/proc/loadavg", loadavg_open, S_IFREG | 0444);
    timer_add_tick_hook(catch_up);
}
