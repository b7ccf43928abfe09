/* Setting clocks: clock_settime, settimeofday, adjtimex and clock_adjtime. Every argument is
 * checked in Linux's order (EFAULT, then the clock id, then the value), and reading the NTP
 * state (adjtimex with modes 0) answers as an unsynchronised Linux does. Actually moving the
 * clock is not implemented: each process's vDSO holds the real-time offset it was exec'd with,
 * so a new offset would not reach it; those calls return ENOSYS (logged once). */
#include "kernel.h"
#include "syscall.h"
#include "timer.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_uapi.h"
#include "cputime.h"

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

static int64_t setting_not_implemented(const char *call)
{
    static bool logged;
    if (!logged) {
        logged = true;
        kinfo("%s: setting the clock is not implemented, returning ENOSYS\n", call);
    }
    return -ENOSYS;
}

static bool settable(int64_t id) { return id == CLOCK_REALTIME; }

/* Linux's clockid_to_kclock: the ids that name a clock at all (settable or not). */
static bool known_clock(int64_t id)
{
    return (id >= CLOCK_REALTIME && id <= CLOCK_BOOTTIME_ALARM) || id == CLOCK_TAI || cpu_clock_id(id);
}

SYSCALL(clock_settime)
{
    int64_t id = (int32_t)a0;
    struct linux_timespec ts;
    if (copy_from_user(&ts, a1, sizeof(ts)))
        return -EFAULT;
    if (!known_clock(id) || !settable(id))
        return -EINVAL;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    return setting_not_implemented("clock_settime");
}

SYSCALL(settimeofday)
{
    struct linux_timeval tv;
    int32_t tz[2];
    if (a0) {
        if (copy_from_user(&tv, a0, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EINVAL;
    }
    if (a1) {
        if (copy_from_user(tz, a1, sizeof(tz)))
            return -EFAULT;
        if (tz[0] > 15 * 60 || tz[0] < -15 * 60)
            return -EINVAL;
    }
    if (!a0 && !a1)
        return 0;                      /* nothing to set: Linux answers 0 */
    return setting_not_implemented("settimeofday");
}

/* The NTP state of a clock nobody disciplines: TIME_ERROR with STA_UNSYNC. */
static int64_t read_timex(uint64_t utx)
{
    struct linux_timex tx;
    if (copy_from_user(&tx, utx, sizeof(tx)))
        return -EFAULT;
    if (tx.modes != 0 && tx.modes != ADJ_OFFSET_SS_READ)
        return setting_not_implemented("adjtimex");
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
