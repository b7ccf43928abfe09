/* Clocks and sleeping. Every clock counts from the architecture counter; CLOCK_REALTIME adds the
 * offset the platform's real-time clock gave at boot; the CPU-time clocks are cpu_clock.c's. */
#include "kernel.h"
#include "wait.h"
#include "syscall.h"
#include "timer.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include "cputime.h"
#include "thread.h"


static bool valid_clock(uint64_t id) { return id <= CLOCK_BOOTTIME || id == CLOCK_TAI; }

/* The clocks that read the wall time. CLOCK_TAI is REALTIME plus the TAI offset, which stays 0
 * until an NTP daemon sets it (as on a Linux that runs none). */
static bool wall_clock(uint64_t id) { return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE || id == CLOCK_TAI; }

static uint64_t now_ns(void) { return counter_to_ns(counter_now()); }

static int put_ns(uint64_t u, uint64_t ns)
{
    struct linux_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
    return copy_to_user(u, &ts, sizeof(ts)) ? -EFAULT : 0;
}

/* clockid_t is an int: the CPU clocks' encoded ids are negative. */
static int64_t clock_arg(uint64_t a) { return (int32_t)a; }

SYSCALL(clock_gettime)
{
    if (cpu_clock_id(clock_arg(a0))) {
        uint64_t ns;
        int err = cpu_clock_read(clock_arg(a0), &ns);
        return err ? err : put_ns(a1, ns);
    }
    if (!valid_clock(a0))
        return -EINVAL;
    uint64_t ns = wall_clock(a0) ? time_realtime_ns() : now_ns();
    struct linux_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
    return copy_to_user(a1, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
    if (cpu_clock_id(clock_arg(a0))) {
        uint64_t ns;
        int err = cpu_clock_res(clock_arg(a0), &ns);
        return err || !a1 ? err : put_ns(a1, ns);
    }
    if (!valid_clock(a0))
        return -EINVAL;
    if (!a1)
        return 0;
    bool coarse = a0 == CLOCK_REALTIME_COARSE || a0 == CLOCK_MONOTONIC_COARSE;
    /* High-resolution clocks report 1 ns on Linux; the coarse ones the tick. */
    struct linux_timespec ts = { 0, coarse ? (int64_t)(NSEC_PER_SEC / TICK_HZ) : 1 };
    return copy_to_user(a1, &ts, sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(gettimeofday)
{
    uint64_t ns = time_realtime_ns();
    struct linux_timeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)((ns % NSEC_PER_SEC) / 1000) };
    if (a0 && copy_to_user(a0, &tv, sizeof(tv)))
        return -EFAULT;
    if (a1) {
        int32_t tz[2] = { 0, 0 };
        if (copy_to_user(a1, tz, sizeof(tz)))
            return -EFAULT;
    }
    return 0;
}

static bool never(void *arg) { return false; }

/* Sleep until the monotonic clock reaches `deadline_ns`, keeping the network going meanwhile.
 * Returns 0, or -EINTR when a signal with a handler (or a fatal one) arrived first. */
static int sleep_until(uint64_t deadline_ns)
{
    int err = wait_until_woken(never, NULL, deadline_ns);
    return err == -ETIMEDOUT ? 0 : err;
}

/* What is left of a relative sleep a signal cut short, for nanosleep's rem argument. */
static int64_t interrupted(uint64_t urem, uint64_t deadline_ns)
{
    if (urem) {
        uint64_t left = deadline_ns > now_ns() ? deadline_ns - now_ns() : 0;
        struct linux_timespec ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
        if (copy_to_user(urem, &ts, sizeof(ts)))
            return -EFAULT;
    }
    return -EINTR;
}

static int read_timespec(uint64_t u, uint64_t *ns)
{
    struct linux_timespec ts;
    if (copy_from_user(&ts, u, sizeof(ts)))
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    *ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
    return 0;
}

SYSCALL(nanosleep)
{
    uint64_t ns;
    int err = read_timespec(a0, &ns);
    if (err)
        return err;
    uint64_t deadline = wait_deadline_after(ns);
    return sleep_until(deadline) ? interrupted(a1, deadline) : 0;
}

/* A sleep on a CPU clock (Linux's posix_cpu_nsleep): until the clock reaches the target, which
 * the scheduler looks at on its passes (the clock moves only while some thread runs). */
struct cpu_sleep { struct cpu_clock_ref ref; uint64_t target; };

static bool cpu_clock_reached(void *arg)
{
    struct cpu_sleep *s = arg;
    uint64_t now;
    return !cpu_clock_ref_read(&s->ref, &now) || now >= s->target;
}

static int64_t cpu_nanosleep(int64_t id, uint64_t flags, uint64_t ns, uint64_t urem)
{
    struct cpu_sleep s;
    uint64_t now;
    /* A thread's own CPU clock cannot advance while it sleeps: Linux refuses it (EINVAL for an
     * encoded id naming the caller; CLOCK_THREAD_CPUTIME_ID has no nsleep at all). */
    if (id == CLOCK_THREAD_CPUTIME_ID)
        return -EOPNOTSUPP;
    if (id < 0 && (id & 4) && ((int)~(id >> 3) == 0 || (int)~(id >> 3) == current_thread()->tid))
        return -EINVAL;
    int err = cpu_clock_resolve(id, &s.ref);
    if (err)
        return err;
    if (!cpu_clock_ref_read(&s.ref, &now))
        return -EINVAL;
    s.target = (flags & TIMER_ABSTIME) ? ns : now + ns;
    if (s.target <= now)
        return 0;
    if (!wait_until(cpu_clock_reached, &s, WAIT_FOREVER))
        return 0;
    if (!(flags & TIMER_ABSTIME) && urem) {
        uint64_t left = cpu_clock_ref_read(&s.ref, &now) && s.target > now ? s.target - now : 0;
        if (put_ns(urem, left))
            return -EFAULT;
    }
    return -EINTR;
}

/* The clocks Linux can sleep on; the raw and coarse ones have no nsleep (EOPNOTSUPP). */
SYSCALL(clock_nanosleep)
{
    uint64_t ns;
    int64_t id = clock_arg(a0);
    if (a1 & ~(uint64_t)TIMER_ABSTIME)
        a1 &= TIMER_ABSTIME;           /* Linux ignores the other flag bits */
    if (!cpu_clock_id(id) && !valid_clock(a0))
        return -EINVAL;
    if (id == CLOCK_MONOTONIC_RAW || id == CLOCK_REALTIME_COARSE || id == CLOCK_MONOTONIC_COARSE)
        return -EOPNOTSUPP;
    int err = read_timespec(a2, &ns);
    if (err)
        return err;
    if (cpu_clock_id(id))
        return cpu_nanosleep(id, a1, ns, a3);
    uint64_t deadline = !(a1 & TIMER_ABSTIME) ? wait_deadline_after(ns) :
                        wall_clock(a0) ? wait_deadline_wall(ns) : ns;   /* a wall one follows clock_settime */
    if (!sleep_until(deadline))
        return 0;
    return (a1 & TIMER_ABSTIME) ? -EINTR : interrupted(a3, deadline);
}
