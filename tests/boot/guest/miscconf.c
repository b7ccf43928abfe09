/* Time, futex, identity and /proc conformance sweep: `miscconf DIR` (an empty directory of its
 * own) prints, section by section, what each call answered: return values, errno names, and of
 * values that differ between two correct machines (times, pids, sizes of memory) only their shape
 * or a relation that holds on every Linux ("ahead", "within 1 s", "a multiple of 8").
 * Oracle safety: no clock is ever set with a valid clock id and a valid time (only the error
 * paths), and every wait is bounded (alarm() is the backstop). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_print.h"

/* ---------- 1. clocks ---------- */

static const char *clock_names[] = {"REALTIME", "MONOTONIC", "PROCESS_CPUTIME_ID", "THREAD_CPUTIME_ID",
                                    "MONOTONIC_RAW", "REALTIME_COARSE", "MONOTONIC_COARSE", "BOOTTIME",
                                    "REALTIME_ALARM", "BOOTTIME_ALARM", "SGI_CYCLE", "TAI"};

/* A resolution as Linux's classes of clocks give it: 1 ns for the high-resolution ones, a tick
 * (1-10 ms, the machine's HZ) for the coarse ones. */
static const char *res_class(const struct timespec *res)
{
    if (res->tv_sec == 0 && res->tv_nsec == 1)
        return "1ns";
    if (res->tv_sec == 0 && res->tv_nsec >= 1000000 && res->tv_nsec <= 10000000)
        return "a tick";
    return "other";
}

static void show_clock(const char *name, clockid_t id)
{
    struct timespec ts = {0, 0}, res = {0, 0};
    long g = syscall(SYS_clock_gettime, id, &ts);
    int ge = errno;
    long s = syscall(SYS_clock_getres, id, &res);
    int se = errno;
    say("   %s: gettime %s, getres %s", name, g ? strerrorname_np(ge) : "0", s ? strerrorname_np(se) : "0");
    if (!s)
        say(" res %s", res_class(&res));
    if (!g)
        say(" nsec %s", ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000 ? "in range" : "OUT OF RANGE");
    say("\n");
}

static void *spin_thread(void *arg)
{
    volatile unsigned long n = 0;
    while (!*(volatile int *)arg)
        n++;
    return NULL;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
    return (double)(a->tv_sec - b->tv_sec) + (a->tv_nsec - b->tv_nsec) / 1e9;
}

static void section_clocks(void)
{
    say("1. clocks\n");
    for (int id = 0; id < 12; id++)
        if (id != CLOCK_REALTIME_ALARM && id != CLOCK_BOOTTIME_ALARM)
            show_clock(clock_names[id], id);
    /* The alarm clocks read as their base clocks when the machine has an RTC (a virt machine has a
     * PL031), EINVAL without one: printed alone so the test can tell which case the oracle is. */
    show_clock("bad id 12", 12);
    show_clock("bad id 100", 100);
    show_clock("bad id -1", -1);
    show_clock("bad id INT_MIN", INT_MIN);
    /* A CPU clock id with an invalid type (3) and one for a pid that does not exist. */
    show_clock("cpu clock of type 3", (clockid_t)((~0u << 3) | 3));
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    clockid_t cid;
    int e = clock_getcpuclockid(child, &cid);
    say("   clock_getcpuclockid(child) = %s\n", e ? strerrorname_np(e) : "0");
    if (!e)
        show_clock("the child's cpu clock", cid);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    if (!e)
        show_clock("a reaped child's cpu clock", cid);
    e = clock_getcpuclockid(999999, &cid);
    say("   clock_getcpuclockid(no such pid) = %s\n", e ? strerrorname_np(e) : "0");
    e = clock_getcpuclockid(0, &cid);
    say("   clock_getcpuclockid(0) = %s, same as PROCESS_CPUTIME_ID's value: %s\n", e ? strerrorname_np(e) : "0",
        "not compared");

    int stop = 0;
    pthread_t t;
    pthread_create(&t, NULL, spin_thread, &stop);
    e = pthread_getcpuclockid(t, &cid);
    say("   pthread_getcpuclockid = %s\n", e ? strerrorname_np(e) : "0");
    struct timespec a = {0, 0}, b = {0, 0};
    if (!e) {
        show_clock("another thread's cpu clock", cid);
        clock_gettime(cid, &a);
        struct timespec wait = {0, 100000000};
        nanosleep(&wait, NULL);
        clock_gettime(cid, &b);
        say("   it advances while the thread runs: %d\n", ts_diff(&b, &a) > 0);
    }
    stop = 1;
    pthread_join(t, NULL);

    /* The vDSO (libc's clock_gettime) and the syscall read the same clocks. */
    clockid_t vdso_clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_MONOTONIC_RAW, CLOCK_TAI};
    for (unsigned i = 0; i < sizeof(vdso_clocks) / sizeof(*vdso_clocks); i++) {
        struct timespec v1, s, v2;
        clock_gettime(vdso_clocks[i], &v1);
        syscall(SYS_clock_gettime, vdso_clocks[i], &s);
        clock_gettime(vdso_clocks[i], &v2);
        say("   %s: vdso <= syscall <= vdso: %d\n", clock_names[vdso_clocks[i]],
            ts_diff(&s, &v1) >= 0 && ts_diff(&v2, &s) >= 0);
    }
    int back = 0;
    struct timespec prev, now;
    clock_gettime(CLOCK_MONOTONIC, &prev);
    for (int i = 0; i < 200000; i++) {
        clock_gettime(i & 1 ? CLOCK_MONOTONIC : CLOCK_MONOTONIC, &now);
        if (i % 1000 == 0)
            syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &now);
        if (ts_diff(&now, &prev) < 0)
            back = 1;
        prev = now;
    }
    say("   monotonic went back in 200000 reads: %d\n", back);
    struct timespec mono, boot, real, tai;
    clock_gettime(CLOCK_MONOTONIC, &mono);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_TAI, &tai);
    say("   boottime >= monotonic: %d, tai >= realtime: %d\n", ts_diff(&boot, &mono) >= 0, ts_diff(&tai, &real) >= 0);

    struct timeval tv;
    struct timezone tz = {12345, 678};
    r("gettimeofday with a timezone", gettimeofday(&tv, &tz));
    say("   tz_minuteswest %d tz_dsttime %d, usec in range %d\n", tz.tz_minuteswest, tz.tz_dsttime,
        tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    r("gettimeofday(NULL, NULL)", syscall(SYS_gettimeofday, NULL, NULL));
    time_t stored = 0;
    time_t t1 = time(NULL), t2 = time(&stored);
    gettimeofday(&tv, NULL);
    say("   time(NULL) and gettimeofday within 1 s: %d, time(&t) stores it: %d\n",
        t1 <= tv.tv_sec && tv.tv_sec - t1 <= 1, stored == t2);
}

/* ---------- 2. sleeping ---------- */

static void on_alarm(int sig)
{
    (void)sig;
}

static void interrupt_in(long usec)
{
    struct itimerval it = {{0, 0}, {0, usec}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static void section_sleep(void)
{
    say("2. sleeping\n");
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct timespec ts, rem;
    ts = (struct timespec){0, 1000000000};
    r("nanosleep tv_nsec 1e9", syscall(SYS_nanosleep, &ts, NULL));
    ts = (struct timespec){0, -1};
    r("nanosleep tv_nsec -1", syscall(SYS_nanosleep, &ts, NULL));
    ts = (struct timespec){-1, 0};
    r("nanosleep tv_sec -1", syscall(SYS_nanosleep, &ts, NULL));
    ts = (struct timespec){0, 0};
    r("nanosleep 0", syscall(SYS_nanosleep, &ts, NULL));
    ts = (struct timespec){0, 1000};
    r("clock_nanosleep bad clock 100", syscall(SYS_clock_nanosleep, 100, 0, &ts, NULL));
    r("clock_nanosleep THREAD_CPUTIME_ID", syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ts, NULL));
    r("clock_nanosleep MONOTONIC_RAW", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, &ts, NULL));
    r("clock_nanosleep REALTIME_COARSE", syscall(SYS_clock_nanosleep, CLOCK_REALTIME_COARSE, 0, &ts, NULL));
    r("clock_nanosleep TAI", syscall(SYS_clock_nanosleep, CLOCK_TAI, 0, &ts, NULL));
    r("clock_nanosleep BOOTTIME", syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &ts, NULL));
    ts = (struct timespec){0, 1000000000};
    r("clock_nanosleep tv_nsec 1e9", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, NULL));
    r("clock_nanosleep bad flags 2", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 2, &(struct timespec){0, 1}, NULL));
    ts = (struct timespec){0, 0};
    r("clock_nanosleep TIMER_ABSTIME at 0 (the past)", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL));
    r("clock_nanosleep REALTIME TIMER_ABSTIME at 0", syscall(SYS_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL));
    r("clock_nanosleep PROCESS_CPUTIME_ID TIMER_ABSTIME at 0",
      syscall(SYS_clock_nanosleep, CLOCK_PROCESS_CPUTIME_ID, TIMER_ABSTIME, &ts, NULL));
    /* libc's clock_nanosleep returns the error, it does not set errno. */
    ts = (struct timespec){0, 1000000000};
    int e = clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
    say("   libc clock_nanosleep tv_nsec 1e9 returns %s\n", e ? strerrorname_np(e) : "0");

    /* Interrupted: -1 EINTR and the time that was left (relative sleeps only). */
    ts = (struct timespec){5, 0};
    rem = (struct timespec){-7, -7};
    interrupt_in(100000);
    long ret = syscall(SYS_nanosleep, &ts, &rem);
    say("   nanosleep 5 s interrupted = %ld %s, rem in (3, 5) s: %d\n", ret, ret ? strerrorname_np(errno) : "",
        rem.tv_sec >= 3 && rem.tv_sec < 5 && rem.tv_nsec >= 0 && rem.tv_nsec < 1000000000);
    rem = (struct timespec){-7, -7};
    interrupt_in(100000);
    ret = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts, &rem);
    say("   clock_nanosleep 5 s interrupted = %ld %s, rem in (3, 5) s: %d\n", ret, ret ? strerrorname_np(errno) : "",
        rem.tv_sec >= 3 && rem.tv_sec < 5);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ts = (struct timespec){now.tv_sec + 5, now.tv_nsec};
    rem = (struct timespec){-7, -7};
    interrupt_in(100000);
    ret = syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, &rem);
    say("   absolute clock_nanosleep interrupted = %ld %s, rem untouched: %d\n", ret, ret ? strerrorname_np(errno) : "",
        rem.tv_sec == -7 && rem.tv_nsec == -7);
    ts = (struct timespec){0, 20000000};
    r("nanosleep 20 ms", syscall(SYS_nanosleep, &ts, NULL));
}

/* ---------- 3. setting clocks: error paths only ---------- */

static void section_set(void)
{
    say("3. setting clocks (error paths only)\n");
    struct timespec bad_nsec = {1, 1000000000}, neg_nsec = {1, -1}, neg_sec = {-1, 0};
    r("clock_settime REALTIME tv_nsec 1e9", syscall(SYS_clock_settime, CLOCK_REALTIME, &bad_nsec));
    r("clock_settime REALTIME tv_nsec -1", syscall(SYS_clock_settime, CLOCK_REALTIME, &neg_nsec));
    r("clock_settime REALTIME tv_sec -1", syscall(SYS_clock_settime, CLOCK_REALTIME, &neg_sec));
    r("clock_settime REALTIME NULL", syscall(SYS_clock_settime, CLOCK_REALTIME, NULL));
    r("clock_settime bad id 100, bad timespec", syscall(SYS_clock_settime, 100, &bad_nsec));
    r("clock_settime MONOTONIC, bad timespec", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &bad_nsec));
    /* Past KTIME_SEC_MAX (9223372036 s): no kernel can take these, whatever its settod limit. */
    struct timespec huge = {9300000000L, 0}, huger = {1000000000000L, 0}, valid = {1, 0};
    r("clock_settime REALTIME tv_sec 9.3e9", syscall(SYS_clock_settime, CLOCK_REALTIME, &huge));
    r("clock_settime REALTIME tv_sec 1e12", syscall(SYS_clock_settime, CLOCK_REALTIME, &huger));
    r("clock_settime bad id 100 NULL", syscall(SYS_clock_settime, 100, NULL));
    /* Clocks without a clock_set: nothing is set whatever the time given. */
    r("clock_settime MONOTONIC 1 s", syscall(SYS_clock_settime, CLOCK_MONOTONIC, &valid));
    r("clock_settime BOOTTIME 1 s", syscall(SYS_clock_settime, CLOCK_BOOTTIME, &valid));
    r("clock_settime TAI 1 s", syscall(SYS_clock_settime, CLOCK_TAI, &valid));
    r("clock_settime REALTIME_COARSE 1 s", syscall(SYS_clock_settime, CLOCK_REALTIME_COARSE, &valid));
    r("clock_settime MONOTONIC_RAW 1 s", syscall(SYS_clock_settime, CLOCK_MONOTONIC_RAW, &valid));
    r("clock_settime REALTIME_ALARM 1 s", syscall(SYS_clock_settime, CLOCK_REALTIME_ALARM, &valid));
    /* A CPU clock's clock_set is posix_cpu_clock_set: EPERM once the clock is found. */
    r("clock_settime PROCESS_CPUTIME_ID 1 s", syscall(SYS_clock_settime, CLOCK_PROCESS_CPUTIME_ID, &valid));
    r("clock_settime THREAD_CPUTIME_ID 1 s", syscall(SYS_clock_settime, CLOCK_THREAD_CPUTIME_ID, &valid));
    clockid_t cpu;
    clock_getcpuclockid(getpid(), &cpu);
    r("clock_settime own process's CPU clock 1 s", syscall(SYS_clock_settime, cpu, &valid));
    r("clock_settime a CPU clock of no process", syscall(SYS_clock_settime, (~(clockid_t)4000000 << 3) | 2, &valid));
    struct timeval bad_usec = {1, 1000000}, neg_usec = {1, -1}, neg_tv = {-1, 0}, huge_tv = {9300000000L, 0};
    r("settimeofday tv_usec 1e6", syscall(SYS_settimeofday, &bad_usec, NULL));
    r("settimeofday tv_usec -1", syscall(SYS_settimeofday, &neg_usec, NULL));
    r("settimeofday tv_sec -1", syscall(SYS_settimeofday, &neg_tv, NULL));
    r("settimeofday tv_sec 9.3e9", syscall(SYS_settimeofday, &huge_tv, NULL));
    struct { int minuteswest, dsttime; } far_tz = {16 * 60, 0};
    r("settimeofday NULL, minuteswest 960", syscall(SYS_settimeofday, NULL, &far_tz));
    r("settimeofday tv_usec -1, bad tz pointer", syscall(SYS_settimeofday, &neg_usec, (void *)8));
    r("settimeofday tv_sec -1, bad tz pointer", syscall(SYS_settimeofday, &neg_tv, (void *)8));
    struct timex tx = {.modes = 0};
    long s = syscall(SYS_adjtimex, &tx);
    say("   adjtimex modes 0 = a clock state %s, tick %ld, freq in range %d, status STA_UNSYNC or synced\n",
        s >= 0 && s <= 5 ? "(0-5)" : strerrorname_np(errno), tx.tick,
        tx.freq >= -32768000L && tx.freq <= 32768000L);
    say("   time in it in range: %d\n", tx.time.tv_sec > 1000000000);
    tx = (struct timex){.modes = 0};
    s = syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
    say("   clock_adjtime REALTIME modes 0 = %s\n", s >= 0 && s <= 5 ? "a clock state (0-5)" : strerrorname_np(errno));
    tx = (struct timex){.modes = 0};
    r("clock_adjtime MONOTONIC modes 0", syscall(SYS_clock_adjtime, CLOCK_MONOTONIC, &tx));
    r("clock_adjtime bad id 100 modes 0", syscall(SYS_clock_adjtime, 100, &tx));
    r("adjtimex NULL", syscall(SYS_adjtimex, NULL));
}

/* ---------- 4. futexes ---------- */

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts, void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static unsigned word = 0, word2 = 0, pi_word = 0;
static volatile int waiting = 0;

static void *waiter(void *arg)
{
    unsigned *w = arg;
    __atomic_add_fetch(&waiting, 1, __ATOMIC_SEQ_CST);
    struct timespec limit = {10, 0};
    futex(w, FUTEX_WAIT, 0, &limit, NULL, 0);
    return NULL;
}

static void start_waiters(pthread_t *t, int n, unsigned *w)
{
    waiting = 0;
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, waiter, w);
    while (waiting < n)
        sched_yield();
    struct timespec settle = {0, 100000000};   /* until they sleep in FUTEX_WAIT */
    nanosleep(&settle, NULL);
}

static void *pi_holder(void *arg)
{
    (void)arg;
    unsigned tid = gettid();
    __atomic_store_n(&pi_word, tid, __ATOMIC_SEQ_CST);
    r("UNLOCK_PI of a futex another thread holds", futex(&pi_word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0) ? -1 : 0);
    __atomic_store_n(&pi_word, 0, __ATOMIC_SEQ_CST);
    return NULL;
}

static void futex_waitv_more(void);

static void section_futex(void)
{
    say("4. futexes\n");
    struct timespec short_ts = {0, 10000000}, bad_ts = {0, 1000000000}, neg_ts = {-1, 0};
    word = 1;
    r("WAIT value mismatch", futex(&word, FUTEX_WAIT, 0, NULL, NULL, 0));
    r("WAIT_PRIVATE value mismatch", futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
    r("WAIT timeout 10 ms", futex(&word, FUTEX_WAIT, 1, &short_ts, NULL, 0));
    r("WAIT tv_nsec 1e9", futex(&word, FUTEX_WAIT, 1, &bad_ts, NULL, 0));
    r("WAIT tv_sec -1", futex(&word, FUTEX_WAIT, 1, &neg_ts, NULL, 0));
    r("WAIT unaligned", futex((char *)&word + 1, FUTEX_WAIT, 1, &short_ts, NULL, 0));
    r("WAKE unaligned", futex((char *)&word + 1, FUTEX_WAKE, 1, NULL, NULL, 0));
    r("WAIT NULL address", futex(NULL, FUTEX_WAIT, 1, &short_ts, NULL, 0));
    r("WAKE nobody", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    r("WAKE NULL address", futex(NULL, FUTEX_WAKE, 1, NULL, NULL, 0));
    r("WAIT_BITSET bitset 0", futex(&word, FUTEX_WAIT_BITSET, 1, &short_ts, NULL, 0));
    r("WAKE_BITSET bitset 0", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0));
    r("unknown op 99", futex(&word, 99, 1, NULL, NULL, 0));
    r("CLOCK_REALTIME on plain WAIT", futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, &short_ts, NULL, 0));
    r("CLOCK_REALTIME on WAKE", futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0));
    struct timespec now, abs;
    clock_gettime(CLOCK_REALTIME, &now);
    abs = now;
    abs.tv_nsec += 20000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    r("WAIT_BITSET|CLOCK_REALTIME absolute 20 ms ahead",
      futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY));
    struct timespec after;
    clock_gettime(CLOCK_REALTIME, &after);
    say("   it waited until then: %d\n", ts_diff(&after, &abs) >= 0);
    r("WAIT_BITSET|CLOCK_REALTIME absolute in the past",
      futex(&word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 1, &(struct timespec){1, 0}, NULL, FUTEX_BITSET_MATCH_ANY));
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec = 0;
    r("WAIT_BITSET monotonic absolute in the past",
      futex(&word, FUTEX_WAIT_BITSET, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY));

    pthread_t t[4];
    word = 0;
    start_waiters(t, 3, &word);
    r("WAKE 2 of 3 waiters", futex(&word, FUTEX_WAKE, 2, NULL, NULL, 0));
    r("WAKE the rest (INT_MAX)", futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    start_waiters(t, 1, &word);
    r("WAKE_PRIVATE of a shared waiter (same mm)", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
    r("WAKE it shared", futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0));
    pthread_join(t[0], NULL);
    start_waiters(t, 1, &word);
    r("WAKE_BITSET with a disjoint bitset", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0x2));
    r("WAKE_BITSET with MATCH_ANY", futex(&word, FUTEX_WAKE_BITSET, 1, NULL, NULL, FUTEX_BITSET_MATCH_ANY));
    pthread_join(t[0], NULL);

    word2 = 0;
    start_waiters(t, 4, &word);
    r("CMP_REQUEUE value mismatch", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)2L, &word2, 7));
    r("CMP_REQUEUE negative count", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)-1L, &word2, 0));
    r("CMP_REQUEUE wake 1 move 2", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)2L, &word2, 0));
    r("REQUEUE wake 0 move 1", futex(&word, FUTEX_REQUEUE, 0, (void *)1L, &word2, 0));
    r("WAKE the old word", futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    r("WAKE the new word", futex(&word2, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    r("CMP_REQUEUE to itself", futex(&word, FUTEX_CMP_REQUEUE, 1, (void *)1L, &word, 0));

    word = 0;
    word2 = 5;
    start_waiters(t, 2, &word);
    start_waiters(t + 2, 1, &word2);
    /* *word2 += 3; wake 1 on word, and 1 on word2 if the old value > 4. */
    r("WAKE_OP add 3, cmp oldval > 4",
      futex(&word, FUTEX_WAKE_OP, 1, (void *)1L, &word2, FUTEX_OP(FUTEX_OP_ADD, 3, FUTEX_OP_CMP_GT, 4)));
    say("   word2 after WAKE_OP: %u\n", word2);
    word2 = 0;
    r("WAKE_OP bad op 7", futex(&word, FUTEX_WAKE_OP, 1, (void *)1L, &word2, FUTEX_OP(7, 3, FUTEX_OP_CMP_GT, 4)));
    r("WAKE_OP bad cmp 7", futex(&word, FUTEX_WAKE_OP, 1, (void *)1L, &word2, FUTEX_OP(FUTEX_OP_SET, 3, 7, 4)));
    r("WAKE the last waiter", futex(&word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0));
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);

    /* Priority-inheritance futexes: the word holds the owner's tid. */
    unsigned tid = gettid();
    pi_word = 0;
    r("TRYLOCK_PI free", futex(&pi_word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    say("   word is our tid: %d\n", pi_word == tid);
    r("TRYLOCK_PI held by us", futex(&pi_word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    r("LOCK_PI held by us", futex(&pi_word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    r("UNLOCK_PI", futex(&pi_word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    say("   word after unlock: %u\n", pi_word);
    r("UNLOCK_PI not held", futex(&pi_word, FUTEX_UNLOCK_PI, 0, NULL, NULL, 0));
    r("LOCK_PI free", futex(&pi_word, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    say("   word is our tid: %d\n", pi_word == tid);
    r("UNLOCK_PI_PRIVATE", futex(&pi_word, FUTEX_UNLOCK_PI_PRIVATE, 0, NULL, NULL, 0));
    pthread_t holder;
    pthread_create(&holder, NULL, pi_holder, NULL);
    pthread_join(holder, NULL);
    pi_word = 999999;   /* an owner tid that does not exist */
    r("LOCK_PI owned by no such tid", futex(&pi_word, FUTEX_LOCK_PI, 0, &(struct timespec){1, 0}, NULL, 0));
    r("TRYLOCK_PI owned by no such tid", futex(&pi_word, FUTEX_TRYLOCK_PI, 0, NULL, NULL, 0));
    pi_word = 0;
    r("LOCK_PI unaligned", futex((char *)&pi_word + 1, FUTEX_LOCK_PI, 0, NULL, NULL, 0));
    r("WAIT on a PI futex word held", futex(&pi_word, FUTEX_WAIT, 0, &short_ts, NULL, 0));

    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setprotocol(&ma, PTHREAD_PRIO_INHERIT);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_t pim;
    pthread_mutex_init(&pim, &ma);
    say("   PRIO_INHERIT mutex: lock %s, relock %s, unlock %s, unlock again %s\n", strerrorname_np(pthread_mutex_lock(&pim)) ?: "0",
        strerrorname_np(pthread_mutex_lock(&pim)) ?: "0", strerrorname_np(pthread_mutex_unlock(&pim)) ?: "0",
        strerrorname_np(pthread_mutex_unlock(&pim)) ?: "0");

    /* Robust lists. */
    struct robust_list_head *head;
    size_t len = 1;             /* what an answer that writes nothing leaves (qemu-user: ENOSYS) */
    r("get_robust_list self", syscall(SYS_get_robust_list, 0, &head, &len));
    say("   len %zu\n", len);
    r("set_robust_list len 0", syscall(SYS_set_robust_list, head, 0));
    r("set_robust_list len 25", syscall(SYS_set_robust_list, head, 25));
    r("set_robust_list as it was", syscall(SYS_set_robust_list, head, sizeof(*head)));
    r("get_robust_list no such pid", syscall(SYS_get_robust_list, 999999, &head, &len));

    /* A process-shared robust mutex whose owner dies holding it. */
    pthread_mutex_t *m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutexattr_t ra;
    pthread_mutexattr_init(&ra);
    pthread_mutexattr_setpshared(&ra, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&ra, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(m, &ra);
    pid_t child = fork();
    if (child == 0) {
        pthread_mutex_lock(m);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    say("   owner died: FUTEX_OWNER_DIED set %d, lock = %s\n", (*(unsigned *)m & FUTEX_OWNER_DIED) != 0,
        strerrorname_np(pthread_mutex_trylock(m)) ?: "0");
    say("   consistent %s, unlock %s\n", strerrorname_np(pthread_mutex_consistent(m)) ?: "0",
        strerrorname_np(pthread_mutex_unlock(m)) ?: "0");

    /* futex_waitv (449): a vector of one word whose value does not match. */
    struct {
        uint64_t val, uaddr;
        uint32_t flags, reserved;
    } wv = {1, (uintptr_t)&word2, FUTEX_32, 0};
    word2 = 0;
    r("futex_waitv value mismatch", syscall(449, &wv, 1, 0, NULL, CLOCK_MONOTONIC));
    r("futex_waitv count 0", syscall(449, &wv, 0, 0, NULL, CLOCK_MONOTONIC));
    r("futex_waitv flags 1", syscall(449, &wv, 1, 1, NULL, CLOCK_MONOTONIC));
    wv.val = 0;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 10000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    r("futex_waitv timeout", syscall(449, &wv, 1, 0, &abs, CLOCK_MONOTONIC));
    r("futex_waitv bad clock", syscall(449, &wv, 1, 0, &abs, CLOCK_BOOTTIME));
    futex_waitv_more();
}

/* futex_waitv's entries as the kernel reads them (struct futex_waitv). */
struct waitv_entry {
    uint64_t val, uaddr;
    uint32_t flags, reserved;
};
#define FUTEX_32 2

static uint32_t waitv_words[3];
static struct waitv_entry waitv_vec[3];
static volatile long waitv_result;
static int waitv_errno;

static void *waitv_waiter(void *arg)
{
    (void)arg;
    waitv_result = syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC);
    waitv_errno = errno;
    return NULL;
}

/* One waitv entry per word, the expected value 0; entry 1 private. */
static void waitv_fill(void)
{
    for (int i = 0; i < 3; i++) {
        waitv_words[i] = 0;
        waitv_vec[i] = (struct waitv_entry){0, (uintptr_t)&waitv_words[i], FUTEX_32 | (i == 1 ? FUTEX_PRIVATE_FLAG : 0), 0};
    }
}

/* A thread waits on three words; a FUTEX_WAKE of word `which` (private or not) ends its wait:
 * the index it returns, and how many the wake woke (none: a plain FUTEX_WAKE then ends it). */
static void waitv_wake(const char *what, int which, int op, int tries_ms)
{
    waitv_fill();
    waitv_result = -2;
    pthread_t t;
    pthread_create(&t, NULL, waitv_waiter, NULL);
    long woke = 0, rescue = 0;
    for (int tries = 0; tries < tries_ms && !woke && waitv_result == -2; tries++) {   /* until it is queued */
        woke = syscall(SYS_futex, &waitv_words[which], op, 1, NULL, NULL, 0);
        if (!woke)
            usleep(1000);
    }
    for (int tries = 0; !woke && !rescue && waitv_result == -2 && tries < 5000; tries++) {
        rescue = syscall(SYS_futex, &waitv_words[which], FUTEX_WAKE, 1, NULL, NULL, 0);   /* one that can */
        if (!rescue)
            usleep(1000);
    }
    pthread_join(t, NULL);
    say("   futex_waitv %s: wake woke %ld, waitv = %ld %s\n", what, woke, waitv_result,
        waitv_result < 0 ? strerrorname_np(waitv_errno) : "");
}

static void futex_waitv_more(void)
{
    struct timespec abs;
    waitv_fill();
    r("futex_waitv 129 entries", syscall(449, waitv_vec, 129, 0, NULL, CLOCK_MONOTONIC));
    r("futex_waitv NULL vector", syscall(449, NULL, 1, 0, NULL, CLOCK_MONOTONIC));
    r("futex_waitv bad vector", syscall(449, (void *)8, 1, 0, NULL, CLOCK_MONOTONIC));
    waitv_words[2] = 5;
    r("futex_waitv third value differs", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_fill();
    waitv_vec[1].flags = FUTEX_PRIVATE_FLAG;
    r("futex_waitv entry without FUTEX_32", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_vec[1].flags = FUTEX_32 | 1;
    r("futex_waitv entry flag 1", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_fill();
    waitv_vec[2].reserved = 1;
    r("futex_waitv reserved set", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_fill();
    waitv_vec[0].uaddr += 1;
    r("futex_waitv unaligned word", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_fill();
    waitv_vec[2].uaddr = 8;
    r("futex_waitv unmapped word", syscall(449, waitv_vec, 3, 0, NULL, CLOCK_MONOTONIC));
    waitv_fill();
    abs = (struct timespec){0, 1000000000};
    r("futex_waitv timeout nsec 1e9", syscall(449, waitv_vec, 3, 0, &abs, CLOCK_MONOTONIC));
    r("futex_waitv bad timeout pointer", syscall(449, waitv_vec, 3, 0, (void *)8, CLOCK_MONOTONIC));
    clock_gettime(CLOCK_REALTIME, &abs);
    abs.tv_nsec += 10000000;
    if (abs.tv_nsec >= 1000000000) {
        abs.tv_sec++;
        abs.tv_nsec -= 1000000000;
    }
    r("futex_waitv realtime timeout", syscall(449, waitv_vec, 3, 0, &abs, CLOCK_REALTIME));
    waitv_wake("word 2 woken", 2, FUTEX_WAKE, 5000);
    waitv_wake("private word 1 by FUTEX_WAKE_PRIVATE", 1, FUTEX_WAKE_PRIVATE, 5000);
    waitv_wake("shared word 0 by FUTEX_WAKE_PRIVATE (other key)", 0, FUTEX_WAKE_PRIVATE, 100);   /* never: 0.1 s */
}

/* ---------- 5. identity and system ---------- */

/* get_mempolicy's mode and first mask word, as one line. */
static void show_policy(const char *what, unsigned long addr, unsigned long flags)
{
    int mode = -1;
    unsigned long mask = 99;
    long ret = syscall(SYS_get_mempolicy, &mode, &mask, 64, addr, flags);
    if (ret < 0)
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = %ld: mode %d mask %#lx\n", what, ret, mode, mask);
}

/* How many /proc/self/maps lines overlap [start, end) (a neighbour joined to it counts once). */
static int maps_lines_in(unsigned long start, unsigned long end)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int n = 0;
    unsigned long from, to;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "%lx-%lx", &from, &to) == 2 && from < end && to > start)
            n++;
    if (f)
        fclose(f);
    return n;
}

/* Memory policies on a single-node machine: every mode, the mode flags, node masks naming
 * nodes that are not online, ranges (mbind), the home node and the migration calls. */
static void section_mempolicy(void)
{
    unsigned long node0 = 1, node1 = 2, both = 3, none = 0, bit20 = 1ul << 20, bigmask[600] = {0};
    enum { BIND = 2, INTERLEAVE = 3, PREFERRED = 1, LOCAL = 4, PREFERRED_MANY = 5 };
    const int STATIC = 1 << 15, RELATIVE = 1 << 14, BALANCING = 1 << 13;
    int mode = -1;
    unsigned long mask = 99;
    r("get_mempolicy addr without MPOL_F_ADDR", syscall(SYS_get_mempolicy, &mode, NULL, 0, &mode, 0));
    r("get_mempolicy MPOL_F_NODE of the default", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 1));
    r("get_mempolicy nmask with maxnode 0", syscall(SYS_get_mempolicy, &mode, &mask, 0, NULL, 0));
    show_policy("get_mempolicy MPOL_F_MEMS_ALLOWED", 0, 4);
    r("get_mempolicy MEMS_ALLOWED|NODE", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 5));
    show_policy("get_mempolicy default with a mask", 0, 0);
    r("set_mempolicy BIND node 0", syscall(SYS_set_mempolicy, BIND, &node0, 64));
    show_policy("  now", 0, 0);
    r("set_mempolicy BIND node 1 (offline)", syscall(SYS_set_mempolicy, BIND, &node1, 64));
    r("set_mempolicy BIND no node", syscall(SYS_set_mempolicy, BIND, &none, 64));
    r("set_mempolicy BIND node 20 (past MAX_NUMNODES)", syscall(SYS_set_mempolicy, BIND, &bit20, 64));
    r("set_mempolicy BIND maxnode 1 (no bits)", syscall(SYS_set_mempolicy, BIND, &node0, 1));
    r("set_mempolicy BIND maxnode past a page of bits", syscall(SYS_set_mempolicy, BIND, bigmask, 4096 * 8 + 2));
    r("set_mempolicy BIND bad mask pointer", syscall(SYS_set_mempolicy, BIND, (void *)8, 64));
    r("set_mempolicy BIND|STATIC nodes 0,1", syscall(SYS_set_mempolicy, BIND | STATIC, &both, 64));
    show_policy("  now", 0, 0);
    r("set_mempolicy BIND|STATIC|RELATIVE", syscall(SYS_set_mempolicy, BIND | STATIC | RELATIVE, &node0, 64));
    r("set_mempolicy INTERLEAVE|RELATIVE node 1", syscall(SYS_set_mempolicy, INTERLEAVE | RELATIVE, &node1, 64));
    show_policy("  now", 0, 0);
    r("  get_mempolicy MPOL_F_NODE (next interleave node)", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 1));
    say("  node %d\n", mode);
    r("set_mempolicy PREFERRED no node", syscall(SYS_set_mempolicy, PREFERRED, NULL, 0));
    show_policy("  now (MPOL_LOCAL)", 0, 0);
    r("set_mempolicy PREFERRED|STATIC no node", syscall(SYS_set_mempolicy, PREFERRED | STATIC, NULL, 0));
    r("set_mempolicy PREFERRED nodes 0,1", syscall(SYS_set_mempolicy, PREFERRED, &both, 64));
    show_policy("  now", 0, 0);
    r("set_mempolicy LOCAL node 0", syscall(SYS_set_mempolicy, LOCAL, &node0, 64));
    r("set_mempolicy LOCAL", syscall(SYS_set_mempolicy, LOCAL, NULL, 0));
    r("set_mempolicy PREFERRED_MANY node 0", syscall(SYS_set_mempolicy, PREFERRED_MANY, &node0, 64));
    r("set_mempolicy INTERLEAVE|NUMA_BALANCING", syscall(SYS_set_mempolicy, INTERLEAVE | BALANCING, &node0, 64));
    r("set_mempolicy BIND|NUMA_BALANCING", syscall(SYS_set_mempolicy, BIND | BALANCING, &node0, 64));
    show_policy("  now", 0, 0);
    r("set_mempolicy DEFAULT node 0", syscall(SYS_set_mempolicy, 0, &node0, 64));
    r("set_mempolicy DEFAULT", syscall(SYS_set_mempolicy, 0, NULL, 0));

    long pg = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 3 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    m[0] = 1;
    unsigned long mid = (unsigned long)m + pg;
    r("mbind middle page BIND node 0", syscall(SYS_mbind, mid, pg, BIND, &node0, 64, 0));
    say("  the mapping is now %d areas in maps\n", maps_lines_in((unsigned long)m, (unsigned long)m + 3 * pg));
    show_policy("  MPOL_F_ADDR there", mid, 2);
    show_policy("  MPOL_F_ADDR first page (no policy)", (unsigned long)m, 2);
    r("  MPOL_F_NODE|MPOL_F_ADDR", syscall(SYS_get_mempolicy, &mode, NULL, 0, mid, 3));
    say("  node %d\n", mode);
    r("mbind unaligned", syscall(SYS_mbind, mid + 1, pg, BIND, &node0, 64, 0));
    r("mbind flags 8", syscall(SYS_mbind, mid, pg, BIND, &node0, 64, 8));
    r("mbind length 0", syscall(SYS_mbind, mid, 0, BIND, &node0, 64, 0));
    r("mbind node 1", syscall(SYS_mbind, mid, pg, BIND, &node1, 64, 0));
    r("mbind STRICT|MOVE node 0", syscall(SYS_mbind, mid, pg, BIND, &node0, 64, 3));
    r("set_mempolicy_home_node there", syscall(450, mid, pg, 0, 0));
    r("set_mempolicy_home_node no policy", syscall(450, (unsigned long)m, pg, 0, 0));
    r("set_mempolicy_home_node node 1", syscall(450, mid, pg, 1, 0));
    r("set_mempolicy_home_node flags 1", syscall(450, mid, pg, 0, 1));
    r("mbind PREFERRED middle", syscall(SYS_mbind, mid, pg, PREFERRED, &node0, 64, 0));
    r("set_mempolicy_home_node on PREFERRED", syscall(450, mid, pg, 0, 0));
    r("mbind DEFAULT middle", syscall(SYS_mbind, mid, pg, 0, NULL, 0, 0));
    say("  the mapping is now %d areas in maps\n", maps_lines_in((unsigned long)m, (unsigned long)m + 3 * pg));
    void *pages[3] = {m, m + 2 * pg, NULL};
    int status[3] = {99, 99, 99}, nodes[3] = {0, 0, 0};
    r("move_pages status", syscall(SYS_move_pages, 0, 3, pages, NULL, status, 0));
    say("  touched %d, untouched %d, unmapped %d\n", status[0], status[1], status[2]);
    nodes[1] = 1;
    r("move_pages to node 1", syscall(SYS_move_pages, 0, 2, pages, nodes, status, 0));
    r("move_pages flags 8", syscall(SYS_move_pages, 0, 1, pages, NULL, status, 8));
    r("move_pages no such pid", syscall(SYS_move_pages, 999999, 1, pages, NULL, status, 0));
    munmap(m, 3 * pg);
    r("mbind unmapped BIND", syscall(SYS_mbind, mid, pg, BIND, &node0, 64, 0));
    r("mbind unmapped DEFAULT", syscall(SYS_mbind, mid, pg, 0, NULL, 0, 0));
    r("get_mempolicy MPOL_F_ADDR unmapped", syscall(SYS_get_mempolicy, &mode, NULL, 0, mid, 2));
    r("migrate_pages node 0 to 0", syscall(SYS_migrate_pages, 0, 64, &node0, &node0));
    r("migrate_pages to node 1", syscall(SYS_migrate_pages, 0, 64, &node0, &node1));
    r("migrate_pages no such pid", syscall(SYS_migrate_pages, 999999, 64, &node0, &node0));
}

/* syslog(2): only what leaves the log and the console as they are (the oracle is this host's
 * kernel): sizes, a read of everything, the error paths; as another user, EPERM. */
static void section_syslog(void)
{
    static char log[1 << 16];
    r("syslog type 99", klogctl(99, log, 10));
    r("syslog READ_ALL NULL", klogctl(3, NULL, 10));
    r("syslog READ_ALL len -1", klogctl(3, log, -1));
    r("syslog READ_ALL len 0", klogctl(3, log, 0));
    r("syslog READ NULL", klogctl(2, NULL, 10));
    r("syslog READ len 0", klogctl(2, log, 0));
    r("syslog READ_CLEAR len -1", klogctl(4, log, -1));
    r("syslog READ_ALL past user space", syscall(SYS_syslog, 3, -4096L, 100));
    r("syslog CLOSE", klogctl(0, NULL, 0));
    r("syslog OPEN", klogctl(1, NULL, 0));
    r("syslog CONSOLE_LEVEL 0", klogctl(8, NULL, 0));
    r("syslog CONSOLE_LEVEL 9", klogctl(8, NULL, 9));
    long size = klogctl(10, NULL, 0);
    say("   syslog SIZE_BUFFER: a power of two >= 4096: %d\n", size >= 4096 && !(size & (size - 1)));
    say("   syslog SIZE_UNREAD: a count: %d\n", klogctl(9, NULL, 0) >= 0);
    long n = klogctl(3, log, sizeof(log));
    int level, shape = n > 0 && log[n - 1] == '\n';
    unsigned long sec, usec;
    char close;
    for (char *line = log; shape && line < log + n; line = strchr(line, '\n') + 1)
        shape = sscanf(line, "<%d>[%lu.%6lu%c", &level, &sec, &usec, &close) == 4 && close == ']' && level >= 0 && level < 8;
    say("   syslog READ_ALL: records \"<level>[seconds.micros] text\": %d\n", shape);
    pid_t child = fork();
    if (child == 0) {
        if (setuid(65534) || getuid() != 65534)
            _exit(1);
        say("   as nobody: syslog READ_ALL %s, SIZE_UNREAD %s\n", klogctl(3, log, 100) < 0 ? strerrorname_np(errno) : "0",
            klogctl(9, NULL, 0) < 0 ? strerrorname_np(errno) : "0");
        _exit(0);
    }
    waitpid(child, NULL, 0);
}

static void *ioprio_of_thread(void *arg)
{
    *(long *)arg = syscall(SYS_ioprio_get, 1, 0);
    return NULL;
}

/* ioprio: the value a process that never set one reports, classes and levels, who may set
 * whose, and what threads and children inherit. Only our own processes are changed. */
static void section_ioprio(void)
{
    enum { WHO_PROCESS = 1, WHO_PGRP = 2, WHO_USER = 3 };
    r("ioprio_get self, never set", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
    r("ioprio_get bad which 9", syscall(SYS_ioprio_get, 9, 0));
    r("ioprio_get no such pid", syscall(SYS_ioprio_get, WHO_PROCESS, 999999));
    r("ioprio_get user 54321 (no processes)", syscall(SYS_ioprio_get, WHO_USER, 54321));
    long prio = syscall(SYS_ioprio_get, WHO_USER, 0);
    say("   ioprio_get user 0 = %s\n", prio >= 0 ? "a priority" : strerrorname_np(errno));
    pid_t child = fork();
    if (child == 0) {
        if (setpgid(0, 0) || getpgrp() != getpid())
            _exit(1);                  /* never the group the probe came in (the test runner's) */
        r("   own group: ioprio_get pgrp (nice 0: BE 4)", syscall(SYS_ioprio_get, WHO_PGRP, 0));
        r("   ioprio_set pgrp BE 2", syscall(SYS_ioprio_set, WHO_PGRP, 0, (2 << 13) | 2));
        r("   ioprio_get self", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
        r("   ioprio_set pgrp 999999", syscall(SYS_ioprio_set, WHO_PGRP, 999999, (2 << 13) | 2));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    r("ioprio_set self BE 4", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (2 << 13) | 4));
    r("ioprio_get self after it", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
    r("ioprio_set self BE 8 (bad level)", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (2 << 13) | 8));
    r("ioprio_set class 5", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (5 << 13)));
    r("ioprio_set NONE level 1", syscall(SYS_ioprio_set, WHO_PROCESS, 0, 1));
    r("ioprio_set -1", syscall(SYS_ioprio_set, WHO_PROCESS, 0, -1));
    r("ioprio_set bad which 9", syscall(SYS_ioprio_set, 9, 0, 0));
    r("ioprio_set no such pid", syscall(SYS_ioprio_set, WHO_PROCESS, 999999, 0));
    r("ioprio_set self RT 0", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (1 << 13)));
    r("ioprio_set self BE 3", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (2 << 13) | 3));
    long in_thread = -1;
    pthread_t t;
    pthread_create(&t, NULL, ioprio_of_thread, &in_thread);
    pthread_join(t, NULL);
    say("   a new thread has %ld\n", in_thread);
    pid_t parent = getpid();
    child = fork();
    if (child == 0) {
        r("   a child has", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
        if (setuid(65534) || getuid() != 65534)
            _exit(1);
        r("   as nobody: ioprio_set its root parent", syscall(SYS_ioprio_set, WHO_PROCESS, parent, (2 << 13) | 1));
        r("   as nobody: ioprio_set self RT", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (1 << 13)));
        r("   as nobody: ioprio_set self IDLE", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (3 << 13)));
        _exit(0);
    }
    waitpid(child, NULL, 0);
    r("ioprio_set self class 8 (only 3 class bits)", syscall(SYS_ioprio_set, WHO_PROCESS, 0, 1 << 16));
    r("ioprio_get self after it", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
    r("ioprio_set self IDLE", syscall(SYS_ioprio_set, WHO_PROCESS, 0, (3 << 13)));
    r("ioprio_get self after it", syscall(SYS_ioprio_get, WHO_PROCESS, 0));
}

static const char *shape_of_release(const char *s)
{
    int a, b, n = 0;
    return sscanf(s, "%d.%d%n", &a, &b, &n) == 2 && n > 0 ? "N.N..." : s;
}

static long meminfo_kb(const char *name)
{
    FILE *f = fopen("/proc/meminfo", "r");
    char line[256];
    long v = -1;
    size_t n = strlen(name);
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, name, n) && line[n] == ':')
            v = atol(line + n + 1);
    if (f)
        fclose(f);
    return v;
}

static void section_identity(const char *dir)
{
    say("5. identity and system\n");
    struct utsname u;
    r("uname", uname(&u));
    say("   sysname %s machine %s release %s nodename nonempty %d domainname nonempty %d\n", u.sysname, u.machine,
        shape_of_release(u.release), u.nodename[0] != 0, u.domainname[0] != 0);
    struct sysinfo si;
    r("sysinfo", sysinfo(&si));
    say("   mem_unit %u, totalram = MemTotal: %d, freeram <= totalram %d, procs >= 1 %d\n", si.mem_unit,
        (long)(si.totalram * si.mem_unit / 1024) == meminfo_kb("MemTotal"), si.freeram <= si.totalram, si.procs >= 1);
    r("sysinfo NULL", syscall(SYS_sysinfo, NULL));

    char buf[600];
    r("getrandom 16, 0", getrandom(buf, 16, 0));
    r("getrandom 16, GRND_NONBLOCK", getrandom(buf, 16, GRND_NONBLOCK));
    r("getrandom 600, GRND_RANDOM", getrandom(buf, 600, GRND_RANDOM));
    r("getrandom 16, GRND_INSECURE", getrandom(buf, 16, GRND_INSECURE));
    r("getrandom 16, GRND_INSECURE|GRND_RANDOM", getrandom(buf, 16, GRND_INSECURE | GRND_RANDOM));
    r("getrandom 16, flag 0x8", getrandom(buf, 16, 0x8));
    r("getrandom 0", getrandom(buf, 0, 0));
    r("getrandom NULL 16", syscall(SYS_getrandom, NULL, 16, 0));

    unsigned cpu = 99, node = 99;
    r("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    say("   cpu < online cpus %d, node %u\n", cpu < (unsigned)sysconf(_SC_NPROCESSORS_ONLN), node);
    r("getcpu NULL NULL", syscall(SYS_getcpu, NULL, NULL, NULL));

    unsigned long mask[128];
    r("sched_getaffinity size 0", syscall(SYS_sched_getaffinity, 0, 0, mask));
    r("sched_getaffinity size 4", syscall(SYS_sched_getaffinity, 0, 4, mask));
    r("sched_getaffinity size 12", syscall(SYS_sched_getaffinity, 0, 12, mask));
    r("sched_getaffinity size 8", syscall(SYS_sched_getaffinity, 0, 8, mask));
    long n = syscall(SYS_sched_getaffinity, 0, sizeof(mask), mask);
    say("   sched_getaffinity size 1024: positive multiple of 8 <= 1024: %d\n", n > 0 && n % 8 == 0 && n <= 1024);
    r("sched_getaffinity no such pid", syscall(SYS_sched_getaffinity, 999999, 8, mask));
    r("sched_setaffinity size 0", syscall(SYS_sched_setaffinity, 0, 0, mask));

    int mode = -1;
    r("get_mempolicy", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0));
    say("   mode %d (MPOL_DEFAULT 0)\n", mode);
    r("get_mempolicy bad flags", syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0x100));
    r("set_mempolicy MPOL_DEFAULT", syscall(SYS_set_mempolicy, 0, NULL, 0));
    r("set_mempolicy mode 99", syscall(SYS_set_mempolicy, 99, NULL, 0));
    section_mempolicy();

    r("prctl unknown option 9999", prctl(9999, 0, 0, 0, 0));
    r("prctl PR_SET_NAME", prctl(PR_SET_NAME, "miscconf-probe", 0, 0, 0));
    char name[32] = {0};
    r("prctl PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
    say("   name %s (15 bytes at most)\n", name);
    r("prctl PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
    r("prctl PR_SET_PDEATHSIG 99", prctl(PR_SET_PDEATHSIG, 99, 0, 0, 0));
    r("prctl PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    r("prctl PR_GET_NO_NEW_PRIVS with arg2", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));

    section_syslog();
    section_ioprio();

    char cwd[PATH_MAX];
    size_t need = strlen(dir) + 1;
    r("getcwd size 0", syscall(SYS_getcwd, cwd, 0));
    r("getcwd size 1", syscall(SYS_getcwd, cwd, 1));
    say("   getcwd size exact = length + 1: %d\n", syscall(SYS_getcwd, cwd, need) == (long)need);
    r("getcwd size one short", syscall(SYS_getcwd, cwd, need - 1) == (long)need ? 0 : -1);
    r("getcwd NULL", syscall(SYS_getcwd, NULL, 100));
    errno = 0;
    char *heap = getcwd(NULL, 0);
    say("   libc getcwd(NULL, 0) allocates it: %d\n", heap && !strcmp(heap, dir));
    free(heap);

    mode_t old = umask(022);
    umask(old);
    say("   umask 077 -> %o\n", umask(077) == old ? 1 : 0);
    umask(07777);
    say("   after umask 07777 it is %o\n", umask(022));
}

/* ---------- 6. /proc ---------- */

static int slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t n = 0;
    ssize_t got;
    while (n < size - 1 && (got = read(fd, buf + n, size - 1 - n)) > 0)
        n += got;
    close(fd);
    buf[n] = 0;
    return (int)n;
}

static int count_fields(const char *s)
{
    int n = 0;
    for (;;) {
        while (*s == ' ' || *s == '\n')
            s++;
        if (!*s)
            return n;
        n++;
        while (*s && *s != ' ' && *s != '\n')
            s++;
    }
}

/* Each line's name up to its first sep, joined by ','. */
static void names_in(const char *label, char *buf, char sep)
{
    say("   %s:", label);
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        char *colon = strchr(line, sep);
        if (colon) {
            *colon = 0;
            say(" %s,", line);
        }
        if (!end)
            break;
        line = end + 1;
    }
    say("\n");
}

static void names_of(const char *label, const char *path, char sep)
{
    static char buf[65536];
    if (slurp(path, buf, sizeof(buf)) < 0)
        say("   %s: %s\n", label, strerrorname_np(errno));
    else
        names_in(label, buf, sep);
}

static int meminfo_lines_have_linux_form(void)
{
    static char buf[65536];
    slurp("/proc/meminfo", buf, sizeof(buf));
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (!end)
            return 0;
        /* "Name:" padded to 16 columns, then the number right-aligned in 8 (more if it is wider). */
        char *colon = strchr(line, ':');
        if (!colon || colon > end)
            return 0;
        int len = (int)(end - line);
        int kb = len > 3 && !strncmp(end - 3, " kB", 3);
        char *num = line + 16;
        if (colon - line + 1 > 16)
            num = colon + 1;
        for (char *p = colon + 1; p < num; p++)
            if (*p != ' ')
                return 0;
        char *numend = kb ? end - 3 : end;
        if (numend - num < 8 && colon - line + 1 <= 16)
            return 0;
        while (num < numend && *num == ' ')
            num++;
        if (num == numend)
            return 0;
        for (char *p = num; p < numend; p++)
            if (!isdigit((unsigned char)*p))
                return 0;
        line = end + 1;
    }
    return 1;
}


/* A kernel-made file's fdinfo (fs/proc/fd.c, then its kind's show_fdinfo): flags in octal, each
 * line's field names, and the lines whose values every Linux shows alike printed whole (shown).
 * pos, mnt_id, ino, ids and device numbers differ between machines: names only. A line with
 * several "name:value" fields (epoll's tfd, inotify's watch) is split into its names; its
 * values of `shown` names are printed too. */
static void fdinfo_of(const char *label, int fd, const char *const *shown)
{
    static char buf[4096];
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    if (slurp(path, buf, sizeof(buf)) < 0) {
        say("   %s fdinfo: %s\n", label, strerrorname_np(errno));
        return;
    }
    say("   %s fdinfo:", label);
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = 0;
        /* "name:\tvalue" or "name: value name2:value2 ..." */
        for (char *field = line; field && *field;) {
            while (*field == ' ')
                field++;
            char *colon = strchr(field, ':');
            if (!colon)
                break;
            char *value = colon + 1;
            while (*value == ' ' || *value == '\t')
                value++;
            char *next = strchr(value, ' ');
            int whole_line = field == line && (!next || strchr(line, '\t') || *value == '(');
            /* inotify's file handle is the filesystem's export encoding (tmpfs's on Linux),
             * printed only where name_to_handle_at works; this kernel has none: left out. */
            int handle = !strncmp(field, "fhandle-", 8) || !strncmp(field, "f_handle:", 9);
            if (!handle)
                say(" %.*s", (int)(colon - field), field);
            for (int i = 0; shown && shown[i]; i++)
                if (strlen(shown[i]) == (size_t)(colon - field) && !strncmp(field, shown[i], colon - field))
                    say("=%.*s", whole_line || !next ? (int)strlen(value) : (int)(next - value), value);
            if (!handle)
                say(",");
            if (whole_line)
                break;
            /* the next field starts after this value (values hold no spaces but for (a, b)) */
            if (*value == '(')
                next = strchr(value, ')') ? strchr(value, ')') + 1 : NULL;
            field = next;
        }
        if (!end)
            break;
        line = end + 1;
    }
    say("\n");
}


/* A "Name:\t<number>" field of /proc/self/status (kB lines too), -1 when missing. */
static long status_kb(const char *status, const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "\n%s:", name);
    const char *p = strstr(status, key);
    return p ? atol(p + strlen(key)) : -1;
}

static int status_umask_agrees(const char *status)
{
    mode_t mask = umask(0);
    umask(mask);
    const char *p = strstr(status, "\nUmask:\t");
    return p && strtol(p + 8, NULL, 8) == (long)mask && p[8] == '0' && p[12] == '\n';
}

static int status_sigq_agrees(const char *status)
{
    struct rlimit rl;
    getrlimit(RLIMIT_SIGPENDING, &rl);
    const char *p = strstr(status, "\nSigQ:\t");
    const char *slash = p ? strchr(p, '/') : NULL;
    return slash && strtoul(slash + 1, NULL, 10) == rl.rlim_cur;
}

/* Cpus_allowed_list as "0-1,3" against sched_getaffinity. */
static int status_cpus_agree(const char *status)
{
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set))
        return 0;
    const char *p = strstr(status, "\nCpus_allowed_list:\t");
    if (!p)
        return 0;
    p += 20;
    cpu_set_t listed;
    CPU_ZERO(&listed);
    while (*p >= '0' && *p <= '9') {
        char *end;
        long lo = strtol(p, &end, 10), hi = lo;
        if (*end == '-')
            hi = strtol(end + 1, &end, 10);
        for (long c = lo; c <= hi && c < CPU_SETSIZE; c++)
            CPU_SET(c, &listed);
        p = *end == ',' ? end + 1 : end;
    }
    return CPU_EQUAL(&set, &listed);
}

/* Each row of /proc/self/limits against getrlimit, "unlimited" for RLIM_INFINITY. */
static int limits_agree(const char *table)
{
    const char *line = strchr(table, '\n');
    for (int res = 0; res < RLIM_NLIMITS; res++) {
        if (!line)
            return 0;
        line++;
        struct rlimit rl;
        getrlimit(res, &rl);
        char soft[32], hard[32];
        snprintf(soft, sizeof(soft), rl.rlim_cur == RLIM_INFINITY ? "unlimited" : "%lu", (unsigned long)rl.rlim_cur);
        snprintf(hard, sizeof(hard), rl.rlim_max == RLIM_INFINITY ? "unlimited" : "%lu", (unsigned long)rl.rlim_max);
        if (strlen(line) < 68 || strncmp(line + 26, soft, strlen(soft)) || strncmp(line + 47, hard, strlen(hard)))
            return 0;
        line = strchr(line, '\n');
    }
    return 1;
}

static void section_proc(int argc, char **argv)
{
    say("6. /proc\n");
    static char buf[65536];
    char path[PATH_MAX], link[PATH_MAX];
    (void)argc;

    slurp("/proc/self/stat", buf, sizeof(buf));
    char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
    say("   stat: pid first %d, comm in parentheses %s, state %c, fields after comm %d\n",
        atoi(buf) == getpid(), open_paren && close_paren ? "yes" : "no",
        close_paren ? close_paren[2] : '?', close_paren ? count_fields(close_paren + 1) : -1);
    char comm[64] = "";
    if (open_paren && close_paren)
        snprintf(comm, sizeof(comm), "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
    say("   stat comm %s, ppid field = getppid %d\n", comm,
        close_paren && atoi(close_paren + 4) == getppid());
    slurp("/proc/self/statm", buf, sizeof(buf));
    say("   statm fields %d\n", count_fields(buf));
    slurp("/proc/self/comm", buf, sizeof(buf));
    say("   comm %s", buf);

    slurp("/proc/self/cmdline", buf, sizeof(buf));
    int n = 0, ok = 1;
    {
        int fd = open("/proc/self/cmdline", O_RDONLY);
        n = read(fd, buf, sizeof(buf));
        close(fd);
        char *p = buf;
        for (int i = 1; i < argc; i++) {   /* argv[0] is the path each side starts it by */
            p += strlen(p) + 1;
            if (p >= buf + n || strcmp(p, argv[i]))
                ok = 0;
        }
        p += strlen(p) + 1;
        ok = ok && p == buf + n;
    }
    say("   cmdline is argv, each NUL-terminated: %d\n", ok);
    {
        int fd = open("/proc/self/environ", O_RDONLY);
        n = read(fd, buf, sizeof(buf));
        close(fd);
        int found = 0;
        for (char *p = buf; p < buf + n; p += strlen(p) + 1)
            if (!strcmp(p, "MISCCONF=here and there"))
                found = 1;
        say("   environ holds MISCCONF NUL-separated: %d, ends in NUL %d\n", found, n > 0 && buf[n - 1] == 0);
    }

    int fd = open("fdfile", O_RDWR | O_CREAT | O_APPEND, 0600);
    write(fd, "hello", 5);
    lseek(fd, 2, SEEK_SET);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t ln = readlink(path, link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = 0;
    char expect[PATH_MAX];
    snprintf(expect, sizeof(expect), "%s/fdfile", argv[1]);
    say("   /proc/self/fd/N -> the file's path: %d\n", !strcmp(link, expect));
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    slurp(path, buf, sizeof(buf));
    long long pos = -1;
    unsigned flags = 0;
    char *p = strstr(buf, "pos:");
    if (p)
        pos = atoll(p + 4);
    p = strstr(buf, "flags:");
    if (p)
        flags = strtoul(p + 6, NULL, 8);
    say("   fdinfo pos %lld, flags 0%o\n", pos, flags);
    names_of("fdinfo names", path, ':');
    /* Locks show in the fdinfo of the open file they were set through (show_fd_locks), and in
     * /proc/locks: POSIX on one file, flock on a second, OFD on a third, all of one inode. */
    int lk1 = open("lockfile", O_RDWR | O_CREAT, 0600), lk2 = open("lockfile", O_RDWR), lk3 = open("lockfile", O_RDWR);
    struct flock posix = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
    struct flock ofd = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 100, .l_len = 0};
    struct stat lst;
    fstat(lk1, &lst);
    say("   locks set: posix %d, flock %d, ofd %d\n", fcntl(lk1, F_SETLK, &posix), flock(lk2, LOCK_SH),
        fcntl(lk3, F_OFD_SETLK, &ofd));
    int lfds[3] = {lk1, lk2, lk3};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", lfds[i]);
        slurp(path, buf, sizeof(buf));
        say("   fd %d's locks:", i + 1);
        for (char *q = strstr(buf, "lock:\t"); q; q = strstr(q + 1, "lock:\t")) {
            int id, lpid;
            char kind[16], type[16], dev[64], start[32], end[32];
            unsigned long ino = 0;
            char *colon2;
            if (sscanf(q, "lock:\t%d: %15s ADVISORY %15s %d %63s %31s %31s", &id, kind, type, &lpid, dev, start, end) != 7)
                continue;
            colon2 = strrchr(dev, ':');
            if (colon2)
                ino = strtoul(colon2 + 1, NULL, 10);
            char exact[256];   /* lock_get_status's spacing */
            int len = snprintf(exact, sizeof(exact), "lock:\t%d: %-6s ADVISORY  %s %d %s %s %s\n", id, kind, type, lpid, dev,
                               start, end);
            say(" %d: %s %s pid %s, ino %s, %s %s, spaced as Linux %d;", id, kind, type,
                lpid == getpid() ? "ours" : lpid == -1 ? "-1" : "other", ino == lst.st_ino ? "the file's" : "other", start,
                end, !strncmp(q, exact, len));
        }
        say("\n");
    }
    slurp("/proc/locks", buf, sizeof(buf));
    int ours_listed = 0;
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = 0;
        char *last = strrchr(line, ':');   /* ...MAJ:MIN:INO START END */
        if (last && strtoul(last + 1, NULL, 10) == lst.st_ino)
            ours_listed++;
        line = end + 1;
    }
    say("   /proc/locks lists the file's locks: %d\n", ours_listed);
    close(lk3);
    close(lk2);
    close(lk1);
    int cfd = open("fdfile", O_RDONLY | O_CLOEXEC);
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", cfd);
    slurp(path, buf, sizeof(buf));
    p = strstr(buf, "flags:");
    say("   fdinfo flags of O_RDONLY|O_CLOEXEC 0%lo\n", p ? strtoul(p + 6, NULL, 8) : 0ul);
    close(cfd);
    close(fd);
    int pfd[2];
    pipe(pfd);
    snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
    ln = readlink(path, link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = 0;
    say("   a pipe's link: %.6s[...]\n", link);
    close(pfd[0]);
    close(pfd[1]);

    /* The kernel's own kinds of file: their flags and their kind's fdinfo lines. */
    static const char *const flags_only[] = {"flags", NULL};
    int efd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC);
    fdinfo_of("eventfd", efd, (const char *const[]){"flags", "eventfd-count", NULL});
    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {{3, 0}, {1000, 0}};
    timerfd_settime(tfd, 0, &its, NULL);
    fdinfo_of("timerfd", tfd, (const char *const[]){"flags", "clockid", "ticks", "settime flags", "it_interval", NULL});
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN + 3);
    int sfd = signalfd(-1, &set, 0);
    fdinfo_of("signalfd", sfd, (const char *const[]){"flags", "sigmask", NULL});
    int ifd = inotify_init1(IN_NONBLOCK);
    inotify_add_watch(ifd, ".", IN_CREATE | IN_DELETE);
    fdinfo_of("inotify", ifd, (const char *const[]){"flags", "inotify wd", "mask", "ignored_mask", NULL});
    int epfd = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 0x1234};
    epoll_ctl(epfd, EPOLL_CTL_ADD, efd, &ev);
    fdinfo_of("epoll", epfd, (const char *const[]){"flags", "events", "data", NULL});
    pipe(pfd);
    fdinfo_of("pipe read end", pfd[0], flags_only);
    fdinfo_of("pipe write end", pfd[1], flags_only);
    close(pfd[0]);
    close(pfd[1]);
    close(epfd);
    close(ifd);
    close(sfd);
    close(tfd);
    close(efd);

    ln = readlink("/proc/self/exe", link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = 0;
    struct stat a, b;
    say("   exe is absolute and is this program: %d\n",
        link[0] == '/' && !stat(link, &a) && !stat("/proc/self/exe", &b) && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    ln = readlink("/proc/self/cwd", link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = 0;
    say("   cwd link is getcwd: %d\n", !strcmp(link, argv[1]));
    ln = readlink("/proc/self/root", link, sizeof(link) - 1);
    link[ln > 0 ? ln : 0] = 0;
    say("   root link %s\n", link);

    fd = open("/proc/self/auxv", O_RDONLY);
    unsigned long auxv[512];
    n = read(fd, auxv, sizeof(auxv));
    close(fd);
    int pairs = n / 16, ends = n % 16 == 0 && pairs > 0 && auxv[2 * pairs - 2] == AT_NULL, agree = 1;
    int seen[64] = {0};
    for (int i = 0; i < pairs - 1; i++) {
        if (auxv[2 * i] < 64)
            seen[auxv[2 * i]] = 1;
        if (auxv[2 * i] != AT_SYSINFO_EHDR && getauxval(auxv[2 * i]) != auxv[2 * i + 1])
            agree = 0;
    }
    say("   auxv: pairs of words ending in AT_NULL %d, each as getauxval %d, has PAGESZ %d PHDR %d PHNUM %d ENTRY %d "
        "RANDOM %d HWCAP %d CLKTCK %d EXECFN %d UID %d SECURE %d\n",
        ends, agree, seen[AT_PAGESZ], seen[AT_PHDR], seen[AT_PHNUM], seen[AT_ENTRY], seen[AT_RANDOM], seen[AT_HWCAP],
        seen[AT_CLKTCK], seen[AT_EXECFN], seen[AT_UID], seen[AT_SECURE]);
    say("   AT_PAGESZ = sysconf %d, AT_CLKTCK %lu\n", getauxval(AT_PAGESZ) == (unsigned long)sysconf(_SC_PAGESIZE),
        getauxval(AT_CLKTCK));

    unsigned long s1, c1, s2, c2, l1, l2, l3, l4, l5, l6;
    int run, total, last;
    char tail;
    slurp("/proc/uptime", buf, sizeof(buf));
    say("   uptime has the form S.CC S.CC\\n: %d\n",
        sscanf(buf, "%lu.%2lu %lu.%2lu%c", &s1, &c1, &s2, &c2, &tail) == 5 && tail == '\n' &&
            strlen(strchr(buf, '.')) > 3 && strchr(buf, '.')[3] == ' ');
    slurp("/proc/loadavg", buf, sizeof(buf));
    say("   loadavg has the form L.LL L.LL L.LL R/T LAST\\n: %d, running >= 1 %d\n",
        sscanf(buf, "%lu.%2lu %lu.%2lu %lu.%2lu %d/%d %d%c", &l1, &l2, &l3, &l4, &l5, &l6, &run, &total, &last, &tail) == 10 &&
            tail == '\n',
        run >= 1);
    say("   meminfo lines as Linux formats them: %d\n", meminfo_lines_have_linux_form());
    slurp("/proc/self/limits", buf, sizeof(buf));
    say("   limits header: %.*s|\n", (int)(strchr(buf, '\n') - buf), buf);
    int lines = 0, widths = 1;
    for (char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        lines++;
        /* "%-25s %-20s %-20s %-10s\n": the second column starts at 26, the third at 47, units at 68. */
        if (strlen(line) < 69 || line[25] != ' ' || line[46] != ' ' || line[67] != ' ' || line[26] == ' ')
            widths = 0;
    }
    say("   limits: %d lines, columns at 26/47/68: %d\n", lines, widths);
    say("   limits names:");
    for (char *line = strchr(buf, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        int len = 25;
        while (len > 0 && line[len - 1] == ' ')
            len--;
        say(" %.*s,", len, line);
    }
    say("\n");

    slurp("/proc/sys/kernel/ostype", buf, sizeof(buf));
    say("   ostype %s", buf);
    struct utsname u;
    uname(&u);
    slurp("/proc/sys/kernel/osrelease", buf, sizeof(buf));
    say("   osrelease is uname's: %d\n", !strncmp(buf, u.release, strlen(u.release)) && buf[strlen(u.release)] == '\n');
    slurp("/proc/sys/kernel/hostname", buf, sizeof(buf));
    say("   hostname is uname's: %d\n", !strncmp(buf, u.nodename, strlen(u.nodename)) && buf[strlen(u.nodename)] == '\n');
    slurp("/proc/sys/kernel/pid_max", buf, sizeof(buf));
    say("   pid_max a number > pid: %d\n", atol(buf) > getpid() && buf[strlen(buf) - 1] == '\n');
    slurp("/proc/sys/kernel/version", buf, sizeof(buf));
    say("   version is uname's: %d\n", !strncmp(buf, u.version, strlen(u.version)) && buf[strlen(u.version)] == '\n');
    /* fs/proc/version.c: "Linux version RELEASE (BUILDER) (COMPILER) VERSION\n" */
    slurp("/proc/version", buf, sizeof(buf));
    char vhead[128], vtail[80];
    snprintf(vhead, sizeof(vhead), "%s version %s (", u.sysname, u.release);
    snprintf(vtail, sizeof(vtail), ") %s\n", u.version);
    size_t blen = strlen(buf), tlen = strlen(vtail);
    say("   /proc/version: starts as uname's %d, ends with its version %d\n", !strncmp(buf, vhead, strlen(vhead)),
        blen > tlen && !strcmp(buf + blen - tlen, vtail));

    slurp("/proc/self/mountinfo", buf, sizeof(buf));
    int mlines = 0, mok = 1, root = 0;
    for (char *line = buf; *line;) {
        char *end = strchr(line, '\n');
        if (!end)
            break;
        *end = 0;
        int id, parent, maj, min;
        char mroot[256], mpoint[256];
        if (sscanf(line, "%d %d %d:%d %255s %255s", &id, &parent, &maj, &min, mroot, mpoint) != 6 || !strstr(line, " - "))
            mok = 0;
        else if (!strcmp(mpoint, "/"))
            root = 1;
        mlines++;
        line = end + 1;
    }
    say("   mountinfo: every line 'ID PARENT MAJ:MIN ROOT POINT ... - TYPE SRC OPTS' %d, one at / %d, lines >= 1 %d\n", mok,
        root, mlines >= 1);

    /* Relations that hold on every Linux between these files and the calls they mirror. */
    static char status[8192];
    long page_kb = sysconf(_SC_PAGESIZE) / 1024;
    unsigned long size = 0, resident = 0;
    slurp("/proc/self/statm", buf, sizeof(buf));
    sscanf(buf, "%lu %lu", &size, &resident);
    slurp("/proc/self/status", status, sizeof(status));
    say("   status VmSize = statm's size: %d, VmRSS = RssAnon + RssFile + RssShmem: %d\n",
        status_kb(status, "VmSize") == (long)(size * page_kb),
        status_kb(status, "VmRSS") >= 0 &&
            status_kb(status, "VmRSS") == status_kb(status, "RssAnon") + status_kb(status, "RssFile") +
                                               status_kb(status, "RssShmem"));
    say("   status Umask is umask's: %d, SigQ's limit is RLIMIT_SIGPENDING's: %d, Cpus_allowed_list is the affinity's: %d\n",
        status_umask_agrees(status), status_sigq_agrees(status), status_cpus_agree(status));
    long before = status_kb(status, "voluntary_ctxt_switches");
    struct timespec nap = {0, 10000000};
    nanosleep(&nap, NULL);
    slurp("/proc/self/status", status, sizeof(status));
    say("   voluntary_ctxt_switches grows across a sleep: %d\n", status_kb(status, "voluntary_ctxt_switches") > before);
    slurp("/proc/self/limits", buf, sizeof(buf));
    say("   limits are getrlimit's: %d\n", limits_agree(buf));
    /* A file's mount (fdinfo's mnt_id) is a mountinfo line whose point holds the file. */
    fd = open("fdfile", O_RDONLY);
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    slurp(path, buf, sizeof(buf));
    p = strstr(buf, "mnt_id:");
    int mnt_id = p ? atoi(p + 7) : -1, holds = 0;
    close(fd);
    slurp("/proc/self/mountinfo", buf, sizeof(buf));
    for (char *line = buf; *line;) {
        int id;
        char point[256];
        if (sscanf(line, "%d %*d %*s %*s %255s", &id, point) == 2 && id == mnt_id &&
            !strncmp(argv[1], point, strlen(point)))
            holds = 1;
        char *end = strchr(line, '\n');
        if (!end)
            break;
        line = end + 1;
    }
    say("   fdinfo's mnt_id names the mountinfo line of the file's mount: %d\n", holds);

    /* Another process's files: a forked child's environ is its parent's; asleep it is S, and
     * once it has exited (not yet waited for) Z, with no memory lines any more. */
    int ready[2];
    pipe(ready);
    pid_t child = fork();
    if (child == 0) {
        close(ready[0]);
        write(ready[1], "x", 1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    char x;
    read(ready[0], &x, 1);
    close(ready[0]);
    static char mine[8192], theirs[8192];
    int nm = slurp("/proc/self/environ", mine, sizeof(mine));
    snprintf(path, sizeof(path), "/proc/%d/environ", child);
    int nt = slurp(path, theirs, sizeof(theirs));
    snprintf(path, sizeof(path), "/proc/%d/status", child);
    for (int i = 0; i < 100; i++) {    /* until it sleeps in pause() */
        slurp(path, status, sizeof(status));
        if (strstr(status, "\nState:\tS (sleeping)\n"))
            break;
        nanosleep(&nap, NULL);
    }
    say("   a child's environ is its parent's: %d, its State %.12s, PPid is us: %d\n",
        nm > 0 && nm == nt && !memcmp(mine, theirs, nm), strstr(status, "\nState:\t") ? strstr(status, "\nState:\t") + 8 : "?",
        status_kb(status, "PPid") == getpid());
    /* Its stat (qemu-user fakes only its own): 50 fields after comm, starttime within the uptime,
     * processor one of the online CPUs. */
    char stat_path[64];
    snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", child);
    slurp(stat_path, buf, sizeof(buf));
    char *after = strrchr(buf, ')');
    unsigned long long start_ticks = 0;
    int cpu_field = -1;
    if (after)
        sscanf(after + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu "
                          "%*u %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %d", &start_ticks, &cpu_field);
    double up = 0;
    slurp("/proc/uptime", theirs, sizeof(theirs));
    sscanf(theirs, "%lf", &up);
    say("   a child's stat: fields after comm %d, starttime within the uptime %d, processor an online CPU %d\n",
        after ? count_fields(after + 1) : -1, start_ticks <= (unsigned long long)(up * sysconf(_SC_CLK_TCK)) + 1,
        cpu_field >= 0 && cpu_field < sysconf(_SC_NPROCESSORS_ONLN));
    kill(child, SIGKILL);
    siginfo_t si;
    waitid(P_PID, child, &si, WEXITED | WNOWAIT);
    slurp(stat_path, buf, sizeof(buf));
    after = strrchr(buf, ')');
    say("   the zombie's stat: state %c, exit_code %d\n", after ? after[2] : '?', after ? atoi(strrchr(buf, ' ') + 1) : -1);
    slurp(path, status, sizeof(status));
    say("   exited, not waited for: State %.10s, VmSize line %d, Threads %ld\n",
        strstr(status, "\nState:\t") ? strstr(status, "\nState:\t") + 8 : "?", strstr(status, "\nVmSize:") != NULL,
        status_kb(status, "Threads"));
    waitpid(child, NULL, 0);

    /* setproctitle's ways, last (they overwrite argv and the environment): argv[0] shortened in
     * place, then a title over the whole argument area and on into the environment's. */
    extern char **environ;
    char *arg_start = argv[0], *arg_end = argv[argc - 1] + strlen(argv[argc - 1]) + 1;
    int contiguous = environ[0] == arg_end;
    int before_len = slurp("/proc/self/cmdline", buf, sizeof(buf));
    memset(argv[0], 0, strlen(argv[0]));
    memcpy(argv[0], "mc", 2);
    int after_len = slurp("/proc/self/cmdline", buf, sizeof(buf));
    say("   cmdline after argv[0] shortened in place: same length %d, first string mc %d\n", after_len == before_len,
        !strcmp(buf, "mc"));
    size_t title_len = (size_t)(arg_end - arg_start) + 5;
    if (contiguous && strlen(environ[0]) > 5) {
        for (size_t i = 0; i < title_len; i++)
            arg_start[i] = "miscconf: a title "[i % 18];
        arg_start[title_len] = 0;
    }
    int title = slurp("/proc/self/cmdline", buf, sizeof(buf));
    say("   arguments lie just below the environment %d; cmdline after a title past argv's end: the title and its NUL %d\n",
        contiguous, title == (int)title_len + 1 && !memcmp(buf, arg_start, title_len + 1));
}

/* ---------- 7. /proc field names (compared as an ordered subset of Linux's) ---------- */

static void section_proc_names(void)
{
    say("7. /proc field names\n");
    names_of("status", "/proc/self/status", ':');
    names_of("meminfo", "/proc/meminfo", ':');
}

/* ---------- 8. /proc/cpuinfo (qemu-user shows the host's: compared with arm64's c_show) ---------- */

/* arm64's feature names by HWCAP bit, then by HWCAP2 bit (arch/arm64/kernel/cpuinfo.c, 6.1). */
static const char *const hwcap_names[] = {
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp",
    "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512",
    "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg"};
static const char *const hwcap2_names[] = {
    "dcpodp", "sve2", "sveaes", "svepmull", "svebitperm", "svesha3", "svesm4", "flagm2", "frint",
    "svei8mm", "svef32mm", "svef64mm", "svebf16", "i8mm", "bf16", "dgh", "rng", "bti", "mte", "ecv",
    "afp", "rpres", "mte3", "sme", "smei16i64", "smef64f64", "smei8i32", "smef16f32", "smeb16f32",
    "smef32f32", "smefa64", "wfxt", "ebf16", "sveebf16"};

/* The Features line as c_show writes it from the hwcaps the kernel reports in the auxv. */
static void features_from_hwcaps(char *out, size_t size)
{
    unsigned long h = getauxval(AT_HWCAP), h2 = getauxval(AT_HWCAP2);
    size_t n = snprintf(out, size, "Features\t:");
    for (unsigned i = 0; i < sizeof(hwcap_names) / sizeof(*hwcap_names); i++)
        if (h & (1UL << i))
            n += snprintf(out + n, size - n, " %s", hwcap_names[i]);
    for (unsigned i = 0; i < sizeof(hwcap2_names) / sizeof(*hwcap2_names); i++)
        if (h2 & (1UL << i))
            n += snprintf(out + n, size - n, " %s", hwcap2_names[i]);
}

static void section_cpuinfo(void)
{
    say("8. /proc/cpuinfo\n");
    static char buf[65536];
    slurp("/proc/cpuinfo", buf, sizeof(buf));
    /* Each stanza: its lines' shapes, one per online CPU, numbered in order, a blank line after. */
    char features[1024];
    features_from_hwcaps(features, sizeof(features));
    int stanzas = 0, numbered = 1, shapes = 1, features_agree = 1, blank_after = 1;
    for (char *p = buf; *p;) {
        char *blank = strstr(p, "\n\n");
        if (!blank) {
            blank_after = 0;
            break;
        }
        *blank = 0;
        int cpu = -1;
        unsigned impl = 0, var = 0, part = 0, rev = 0, arch = 0, bogo_int = 0, bogo_frac = 0;
        char *f = strstr(p, "\nFeatures\t:");
        char *fend = f ? strchr(f + 1, '\n') : NULL;
        if (sscanf(p, "processor\t: %d\n", &cpu) != 1 || cpu != stanzas)
            numbered = 0;
        char *q = strstr(p, "\nBogoMIPS\t: ");
        if (!q || sscanf(q, "\nBogoMIPS\t: %u.%2u\n", &bogo_int, &bogo_frac) != 2 || q[strcspn(q + 12, ".") + 15] != '\n')
            shapes = 0;
        if (!f || !fend || strncmp(f + 1, features, fend - f - 1) || strlen(features) != (size_t)(fend - f - 1))
            features_agree = 0;
        q = fend ? fend : p;
        char tail[32];
        if (sscanf(q, "\nCPU implementer\t: 0x%2x\nCPU architecture: %u\nCPU variant\t: 0x%x\nCPU part\t: 0x%3x\nCPU revision\t: %u%31s",
                   &impl, &arch, &var, &part, &rev, tail) != 5 || arch != 8)
            shapes = 0;
        /* The exact widths: 0x%02x, 0x%x, 0x%03x. */
        char *line = strstr(q, "CPU implementer\t: 0x");
        if (!line || line[22] != '\n')
            shapes = 0;
        line = strstr(q, "CPU part\t: 0x");
        if (!line || line[16] != '\n')
            shapes = 0;
        stanzas++;
        p = blank + 2;
    }
    say("   stanzas = online CPUs %d, numbered 0.. %d, a blank line after each %d\n",
        stanzas == sysconf(_SC_NPROCESSORS_ONLN), numbered, blank_after);
    say("   BogoMIPS N.NN and CPU lines as 0x%%02x/8/0x%%x/0x%%03x/%%d: %d, Features = AT_HWCAP/AT_HWCAP2's names: %d\n",
        shapes, features_agree);
    slurp("/proc/cpuinfo", buf, sizeof(buf));
    char *blank = strstr(buf, "\n\n");
    if (blank)
        blank[1] = 0;   /* the first processor */
    names_in("first processor", buf, ':');
}

/* The sysctls programs size themselves by: Linux's defaults, where this kernel enforces the
 * same limits; the shape only where the value is the machine's (file-max, the port range). */
static void section_sysctl(void)
{
    say("9. /proc/sys limits\n");
    static const char *const same[] = {
        "kernel/ngroups_max", "kernel/overflowuid", "kernel/overflowgid", "kernel/msgmax", "kernel/msgmnb",
        "kernel/msgmni", "kernel/shmmax", "kernel/shmall", "kernel/shmmni", "kernel/sem",
        "kernel/random/entropy_avail", "kernel/random/poolsize", "fs/nr_open", "fs/pipe-max-size",
        "fs/mqueue/msg_max", "fs/mqueue/msgsize_max", "fs/mqueue/queues_max",
        "fs/inotify/max_queued_events", "net/core/somaxconn",
    };
    char path[96], buf[256];
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        snprintf(path, sizeof(path), "/proc/sys/%s", same[i]);
        if (slurp(path, buf, sizeof(buf)) < 0)
            snprintf(buf, sizeof(buf), "%s\n", strerror(errno));
        say("   %s: %s", same[i], buf);
    }
    unsigned long long max = 0;
    char nl = 0;
    int ok = slurp("/proc/sys/fs/file-max", buf, sizeof(buf)) >= 0 && sscanf(buf, "%llu%c", &max, &nl) == 2;
    say("   fs/file-max: a positive number and a newline %d\n", ok && max > 0 && nl == '\n');
    unsigned first = 0, last = 0;
    ok = slurp("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof(buf)) >= 0 &&
         sscanf(buf, "%u\t%u%c", &first, &last, &nl) == 3 && strchr(buf, '\t');
    say("   ip_local_port_range: 'FIRST\\tLAST\\n', 1024 <= FIRST < LAST <= 65535: %d\n",
        ok && nl == '\n' && first >= 1024 && first < last && last <= 65535);
    /* uuid: version 4, RFC 4122 variant, a new one each read; boot_id: the same each read. */
    char u1[64] = "", u2[64] = "", b1[64] = "", b2[64] = "";
    slurp("/proc/sys/kernel/random/uuid", u1, sizeof(u1));
    slurp("/proc/sys/kernel/random/uuid", u2, sizeof(u2));
    slurp("/proc/sys/kernel/random/boot_id", b1, sizeof(b1));
    slurp("/proc/sys/kernel/random/boot_id", b2, sizeof(b2));
    int shape = strlen(u1) == 37 && u1[8] == '-' && u1[13] == '-' && u1[14] == '4' && u1[18] == '-' &&
                strchr("89ab", u1[19]) && u1[23] == '-' && u1[36] == '\n' && strlen(b1) == 37;
    say("   uuid: version 4 text %d, new at each read %d; boot_id the same at each read %d\n", shape,
        strcmp(u1, u2) != 0, !strcmp(b1, b2) && b1[0]);
    /* fs.pipe-max-size is what an unprivileged F_SETPIPE_SZ may grow a pipe to. */
    int fds[2];
    if (pipe(fds) == 0) {
        pid_t child = fork();
        if (child == 0) {
            if (setgid(65534) || setuid(65534))
                _exit(99);
            int at = fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
            errno = 0;
            int above = fcntl(fds[1], F_SETPIPE_SZ, 2 << 20);
            int e = errno;
            _exit((at == 1 << 20 ? 0 : 1) | (above < 0 && e == EPERM ? 0 : 2));
        }
        int status = -1;
        waitpid(child, &status, 0);
        say("   unprivileged F_SETPIPE_SZ: to pipe-max-size ok %d, above it EPERM %d\n",
            WIFEXITED(status) && !(WEXITSTATUS(status) & 1), WIFEXITED(status) && !(WEXITSTATUS(status) & 2));
        say("   root F_SETPIPE_SZ above pipe-max-size: %d\n", fcntl(fds[1], F_SETPIPE_SZ, 2 << 20) == 2 << 20);
        close(fds[0]);
        close(fds[1]);
    }
    static char line[8192];   /* COMMAND_LINE_SIZE is 2048 on arm64, 2048 or more on other hosts */
    ok = slurp("/proc/cmdline", line, sizeof(line)) >= 0;
    say("   /proc/cmdline: one line %d\n", ok && strchr(line, '\n') == line + strlen(line) - 1);
}

/* /proc/self/fd links' permission bits (how each file is open) and names, and the device and
 * inode numbers /proc/self/maps gives a mapped file: the ones its stat gives. */
static void section_fd_links(void)
{
    say("10. /proc/self/fd links and maps ids\n");
    int fds[5];
    fds[0] = open("/dev/null", O_RDONLY);
    fds[1] = open("/dev/null", O_WRONLY);
    fds[2] = open("/dev/null", O_RDWR);
    fds[3] = open("/proc", O_RDONLY | O_DIRECTORY);
    fds[4] = open("/dev/null", O_PATH);
    static const char *const how[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "a directory", "O_PATH" };
    for (int i = 0; i < 5; i++) {
        char link[64], target[256] = "";
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fds[i]);
        struct stat st;
        int mode = lstat(link, &st) ? -1 : (int)(st.st_mode & 07777);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        target[n > 0 ? n : 0] = 0;
        say("   %s: link mode %o, is a link %d -> %s\n", how[i], mode, S_ISLNK(st.st_mode), target);
    }
    for (int i = 0; i < 5; i++)
        close(fds[i]);
    int p[2];
    if (pipe(p) == 0) {
        struct stat st;
        fstat(p[0], &st);
        char want[64], got[64] = "", link[64];
        snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
        snprintf(link, sizeof(link), "/proc/self/fd/%d", p[1]);
        ssize_t n = readlink(link, got, sizeof(got) - 1);
        got[n > 0 ? n : 0] = 0;
        say("   pipe link names fstat's inode: %d\n", !strcmp(want, got));
        close(p[0]);
        close(p[1]);
    }
    /* the program's own mapping: MAJOR:MINOR INODE of the file stat describes */
    struct stat exe;
    static char maps[65536];
    char self[256] = "";
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = 0;
    int same = 0, lines = 0;
    if (!stat(self, &exe) && slurp("/proc/self/maps", maps, sizeof(maps)) > 0) {   /* qemu-user: not /proc/self/exe */
        for (char *line = strtok(maps, "\n"); line; line = strtok(NULL, "\n")) {
            unsigned maj, min;
            unsigned long ino;
            char name[256] = "";
            if (sscanf(line, "%*x-%*x %*4s %*x %x:%x %lu %255s", &maj, &min, &ino, name) == 4 && !strcmp(name, self)) {
                lines++;
                same += maj == major(exe.st_dev) && min == minor(exe.st_dev) && ino == exe.st_ino;
            }
        }
    }
    say("   maps: the program's lines carry its stat's device and inode: %d\n", lines > 0 && same == lines);
}

int main(int argc, char **argv)
{
    alarm(60);
    if (argc < 2 || chdir(argv[1])) {
        fprintf(stderr, "usage: miscconf DIR\n");
        return 2;
    }
    section_clocks();
    section_sleep();
    section_set();
    section_futex();
    section_identity(argv[1]);
    section_proc(argc, argv);
    section_proc_names();
    section_cpuinfo();
    section_sysctl();
    section_fd_links();
    return 0;
}
