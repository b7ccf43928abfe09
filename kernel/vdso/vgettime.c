/* The vDSO's clocks: clock_gettime, gettimeofday and clock_getres answered in user space from
 * the virtual counter (CNTVCT_EL0, which the kernel lets EL0 read) and the data page the kernel
 * maps just below this ELF. The arithmetic is the kernel's (timer.c: counter_to_ns), so a value
 * read here and one from the system call agree. Clocks the counter cannot answer (process and
 * thread CPU time, another process's clocks, bad ids) go to the system call, as on Linux.
 *
 * This runs in the program's context: no kernel headers beyond the data page's layout, no
 * globals of its own (the vDSO has no writable segment), general registers only. */
#include <stdint.h>
#include "vdso_data.h"

#define NSEC_PER_SEC 1000000000UL
#define CLOCK_REALTIME           0
#define CLOCK_MONOTONIC          1
#define CLOCK_MONOTONIC_RAW      4
#define CLOCK_REALTIME_COARSE    5
#define CLOCK_MONOTONIC_COARSE   6
#define CLOCK_BOOTTIME           7
#define NR_gettimeofday  169
#define NR_clock_gettime 113
#define NR_clock_getres  114

struct timespec64 { int64_t tv_sec, tv_nsec; };
struct timeval64 { int64_t tv_sec, tv_usec; };
struct timezone32 { int32_t minuteswest, dsttime; };

/* The linker script puts this one page below the ELF's first byte. */
extern const volatile struct vdso_data _vdso_data __attribute__((visibility("hidden")));

static long syscall2(long nr, long a0, long a1)
{
    register long x8 __asm__("x8") = nr, x0 __asm__("x0") = a0, x1 __asm__("x1") = a1;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
    return x0;
}

static uint64_t counter(void)
{
    uint64_t c;
    /* The ISB keeps the read from being hoisted above earlier instructions (the kernel's too). */
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(c) :: "memory");
    return c;
}

static inline void read_barrier(void) { __asm__ volatile("dmb ishld" ::: "memory"); }

static uint64_t counter_to_ns(uint64_t counts, uint64_t f)
{
    return (counts / f) * NSEC_PER_SEC + (counts % f) * NSEC_PER_SEC / f;
}

/* Nanoseconds on the counter's clock, plus the realtime offset when `wall`. */
static uint64_t now_ns(int wall)
{
    const volatile struct vdso_data *d = &_vdso_data;
    uint32_t seq;
    uint64_t freq, offset, c;
    do {
        while ((seq = d->seq) & 1)
            ;
        read_barrier();
        freq = d->counter_freq;
        offset = d->realtime_offset_ns;
        c = counter();
        read_barrier();
    } while (d->seq != seq);
    return counter_to_ns(c, freq) + (wall ? offset : 0);
}

static int counter_clock(long id)
{
    return id == CLOCK_REALTIME || id == CLOCK_MONOTONIC || id == CLOCK_MONOTONIC_RAW ||
           id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE || id == CLOCK_BOOTTIME;
}

int __kernel_clock_gettime(long id, struct timespec64 *ts)
{
    if (!counter_clock(id))
        return (int)syscall2(NR_clock_gettime, id, (long)ts);
    uint64_t ns = now_ns(id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE);
    ts->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
    ts->tv_nsec = (int64_t)(ns % NSEC_PER_SEC);
    return 0;
}

int __kernel_gettimeofday(struct timeval64 *tv, struct timezone32 *tz)
{
    if (tv) {
        uint64_t ns = now_ns(1);
        tv->tv_sec = (int64_t)(ns / NSEC_PER_SEC);
        tv->tv_usec = (int64_t)((ns % NSEC_PER_SEC) / 1000);
    }
    if (tz) {
        tz->minuteswest = 0;
        tz->dsttime = 0;
    }
    return 0;
}

int __kernel_clock_getres(long id, struct timespec64 *res)
{
    if (!counter_clock(id))
        return (int)syscall2(NR_clock_getres, id, (long)res);
    if (res) {
        /* High-resolution clocks report 1 ns, as Linux's do; the coarse ones one tick. */
        int coarse = id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE;
        res->tv_sec = 0;
        res->tv_nsec = coarse ? (int64_t)_vdso_data.coarse_res_ns : 1;
    }
    return 0;
}
