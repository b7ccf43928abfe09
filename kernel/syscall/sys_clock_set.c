/* Setting clocks: clock_settime, settimeofday, adjtimex and clock_adjtime. Every argument is
 * checked in Linux's order, and reading the NTP state (adjtimex with modes 0) answers as an
 * unsynchronised Linux does. CLOCK_REALTIME can be set (every process here may do what root
 * may): the vDSO's page takes the new offset at once, and what Linux's clock_was_set moves moves
 * here too (waits on a wall-clock deadline, absolute realtime POSIX timers and timerfds,
 * CANCEL_ON_SET). Disciplining the clock (adjtimex with modes) and settimeofday's time zone are
 * not implemented: ENOSYS (logged once). */
#include "kernel.h"
#include "syscall.h"
#include "timer.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_uapi.h"
#include "cputime.h"
#include "wait.h"
#include "anonfd.h"
#include "posix_timer.h"

#define TIME_ERROR          5          /* the clock is not synchronised (STA_UNSYNC) */
#define STA_UNSYNC          0x0040
#define NTP_PHASE_LIMIT     16000000   /* maxerror and esterror of an unsynced clock (us) */
#define MAXFREQ_SCALED      (500L << 16)
#define ADJ_OFFSET_SS_READ  0xa001     /* a read, like modes 0 */
#define USER_HZ             100        /* AT_CLKTCK: adjtimex's tick is 1 s / USER_HZ in us */

/* Linux's struct __kernel_timex (208 bytes on a 64-bit kernel). */
struct linux_timex {
    uint32_t modes;
    int32_t pad0;
    int64_t offset, freq, maxerror, esterror;
    int32_t status;
    int32_t pad1;
    int64_t constant, precision, tolerance;
    struct linux_timeval time;
    int64_t tick, ppsfreq, jitter;
    int32_t shift;
    int32_t pad2;
    int64_t stabil, jitcnt, calcnt, errcnt, stbcnt;
    int32_t tai;
    int32_t reserved[11];
};

/* timekeeping's TIME_SETTOD_SEC_MAX: KTIME_SEC_MAX less 30 years of uptime, so the monotonic
 * clock plus the offset never overflows ktime_t. */
#define TIME_SETTOD_SEC_MAX (9223372036LL - 946080000LL)

static int64_t setting_not_implemented(const char *what)
{
    static bool logged;
    if (!logged) {
        logged = true;
        kinfo("%s is not implemented, returning ENOSYS\n", what);
    }
    return -ENOSYS;
}

/* Linux's clockid_to_kclock: the ids that name a clock at all (settable or not). */
static bool known_clock(int64_t id)
{
    return (id >= CLOCK_REALTIME && id <= CLOCK_BOOTTIME_ALARM) || id == CLOCK_TAI || cpu_clock_id(id);
}

/* timespec64_valid_settod. */
static bool valid_wall_time(int64_t sec, int64_t nsec)
{
    return sec >= 0 && sec < TIME_SETTOD_SEC_MAX && nsec >= 0 && nsec < (int64_t)NSEC_PER_SEC;
}

/* do_settimeofday64 and clock_was_set: the new offset for the vDSO and every reader, then
 * whatever waits for a wall-clock time takes its new place on the monotonic clock. */
static void set_realtime(int64_t sec, int64_t nsec)
{
    uint64_t old = time_realtime_offset_ns();
    time_set_realtime((uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec);
    int64_t shift = (int64_t)(time_realtime_offset_ns() - old);
    wait_clock_was_set();
    timerfd_clock_was_set(shift);
    posix_timer_clock_was_set(shift);
}

/* Only CLOCK_REALTIME and the encoded CPU clocks (negative ids: clock_posix_cpu) have a
 * clock_set; the CPU one (posix_cpu_clock_set) refuses with EPERM once the clock is found. Every
 * other clock, CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID too, is EINVAL before the
 * timespec is read. */
SYSCALL(clock_settime)
{
    int64_t id = (int32_t)a0;
    struct linux_timespec ts;
    bool cpu = id < 0 && cpu_clock_id(id);
    if (!known_clock(id) || (id != CLOCK_REALTIME && !cpu))
        return -EINVAL;
    if (copy_from_user(&ts, a1, sizeof(ts)))
        return -EFAULT;
    if (cpu) {
        uint64_t res;
        int err = cpu_clock_res(id, &res);
        return err ? err : -EPERM;
    }
    if (!valid_wall_time(ts.tv_sec, ts.tv_nsec))
        return -EINVAL;
    set_realtime(ts.tv_sec, ts.tv_nsec);
    return 0;
}

/* Linux's order: the usec range, the time zone's copy, then do_sys_settimeofday64's checks. */
SYSCALL(settimeofday)
{
    struct linux_timeval tv;
    int32_t tz[2];
    if (a0) {
        if (copy_from_user(&tv, a0, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_usec < 0 || tv.tv_usec > 1000000)
            return -EINVAL;            /* 1000000 passes here, then fails as 1 s of ns */
    }
    if (a1 && copy_from_user(tz, a1, sizeof(tz)))
        return -EFAULT;
    if (a0 && !valid_wall_time(tv.tv_sec, tv.tv_usec * 1000))
        return -EINVAL;
    if (a1 && (tz[0] > 15 * 60 || tz[0] < -15 * 60))
        return -EINVAL;
    if (a1)
        return setting_not_implemented("settimeofday's time zone");
    if (a0)
        set_realtime(tv.tv_sec, tv.tv_usec * 1000);
    return 0;                          /* nothing to set: Linux answers 0 */
}

/* The NTP state of a clock nobody disciplines: TIME_ERROR with STA_UNSYNC. */
static int64_t read_timex(uint64_t utx)
{
    struct linux_timex tx;
    if (copy_from_user(&tx, utx, sizeof(tx)))
        return -EFAULT;
    if (tx.modes != 0 && tx.modes != ADJ_OFFSET_SS_READ)
        return setting_not_implemented("adjtimex with modes");
    uint64_t ns = time_realtime_ns();
    uint32_t modes = tx.modes;
    tx = (struct linux_timex){
        .modes = modes, .maxerror = NTP_PHASE_LIMIT, .esterror = NTP_PHASE_LIMIT, .status = STA_UNSYNC,
        .constant = 2, .precision = 1, .tolerance = MAXFREQ_SCALED,
        .time = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) },
        .tick = 1000000 / USER_HZ,
    };
    return copy_to_user(utx, &tx, sizeof(tx)) ? -EFAULT : TIME_ERROR;
}

SYSCALL(adjtimex)
{
    return read_timex(a0);
}

SYSCALL(clock_adjtime)
{
    int64_t id = (int32_t)a0;
    struct linux_timex tx;
    if (copy_from_user(&tx, a1, sizeof(tx)))
        return -EFAULT;
    if (!known_clock(id))
        return -EINVAL;
    if (id != CLOCK_REALTIME)
        return -EOPNOTSUPP;            /* only the real-time clock has an adjtime */
    return read_timex(a1);
}
