/* CPU time as Linux accounts it: relations that hold on Linux whatever the machine's speed, one
 * "yes"/"no" per line, numbered sections for tests/boot/test_cputime.py (compared with the same
 * binary under qemu-aarch64-static). Every loop burns a fixed amount of CPU time (measured by
 * the clock under test, looked at every million iterations) rather than of wall time. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }
static int64_t us(struct timeval t) { return (int64_t)t.tv_sec * 1000000 + t.tv_usec; }
static const char *yes(int c) { return c ? "yes" : "no"; }

static int64_t clock_ns(clockid_t id)
{
    struct timespec t;
    return clock_gettime(id, &t) ? -1 : ns(t);
}

/* User-space work until this thread has used `ms` of CPU time. */
static void burn(int ms)
{
    volatile uint64_t x = 1;
    int64_t until = clock_ns(CLOCK_THREAD_CPUTIME_ID) + (int64_t)ms * 1000000;
    while (clock_ns(CLOCK_THREAD_CPUTIME_ID) < until)
        for (int i = 0; i < 1000000; i++)
            x = x * 6364136223846793005ULL + 1;
}

static struct rusage usage(int who)
{
    struct rusage r;
    getrusage(who, &r);
    return r;
}

static void busy_loop(void)
{
    printf("1. a busy loop in user space\n");
    struct rusage a = usage(RUSAGE_SELF);
    int64_t t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID), p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    burn(100);
    struct rusage b = usage(RUSAGE_SELF);
    int64_t t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID), p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    int64_t du = us(b.ru_utime) - us(a.ru_utime), ds = us(b.ru_stime) - us(a.ru_stime);
    printf("  user time grew: %s\n", yes(du > 0));
    printf("  more user time than system time: %s\n", yes(du > ds));
    printf("  thread and process clocks grew by 100 ms or more: %s\n", yes(t1 - t0 >= 100000000 && p1 - p0 >= 100000000));
    printf("  thread clock <= process clock: %s\n", yes(t1 <= clock_ns(CLOCK_PROCESS_CPUTIME_ID)));
    struct rusage th = usage(RUSAGE_THREAD), self = usage(RUSAGE_SELF);
    printf("  RUSAGE_THREAD <= RUSAGE_SELF: %s\n",
           yes(us(th.ru_utime) + us(th.ru_stime) <= us(self.ru_utime) + us(self.ru_stime)));
    struct tms tm;
    times(&tm);
    printf("  times: user ticks > 0: %s, children's 0: %s\n", yes(tm.tms_utime > 0),
           yes(tm.tms_cutime == 0 && tm.tms_cstime == 0));
}

static void syscall_loop(void)
{
    printf("2. a system-call loop\n");
    static char buf[65536];
    int fd = open("/dev/zero", O_RDONLY);
    struct rusage a = usage(RUSAGE_SELF), b = a;
    int64_t start = clock_ns(CLOCK_MONOTONIC);
    /* Bounded: at most 10 s of wall time, on a loaded host too. */
    while (us(b.ru_stime) == us(a.ru_stime) && clock_ns(CLOCK_MONOTONIC) - start < 10000000000LL) {
        for (int i = 0; i < 200; i++)
            if (read(fd, buf, sizeof(buf)) != sizeof(buf))
                break;
        b = usage(RUSAGE_SELF);
    }
    close(fd);
    printf("  system time grew: %s\n", yes(us(b.ru_stime) > us(a.ru_stime)));
}

static volatile int spinner_done, spinner_stop;

static void *spinner(void *arg)
{
    burn(50);
    spinner_done = 1;
    while (!spinner_stop)
        usleep(1000);
    return NULL;
}

static void other_thread(void)
{
    printf("3. another thread's clock\n");
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    while (!spinner_done)
        usleep(1000);
    clockid_t cid;
    int rc = pthread_getcpuclockid(t, &cid);
    int64_t other = rc ? -1 : clock_ns(cid), process = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("  pthread_getcpuclockid: %s, readable: %s\n", yes(rc == 0), yes(other >= 0));
    printf("  it used 50 ms or more: %s, <= the process clock: %s\n", yes(other >= 50000000), yes(other <= process));
    struct timespec res;
    printf("  its resolution is 1 ns: %s\n", yes(clock_getres(cid, &res) == 0 && ns(res) == 1));
    printf("  CLOCK_PROCESS_CPUTIME_ID / THREAD resolution 1 ns: %s\n",
           yes(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res) == 0 && ns(res) == 1 &&
               clock_getres(CLOCK_THREAD_CPUTIME_ID, &res) == 0 && ns(res) == 1));
    clockid_t pid_clock;
    printf("  clock_getcpuclockid(getpid()): %s, readable: %s\n", yes(clock_getcpuclockid(getpid(), &pid_clock) == 0),
           yes(clock_ns(pid_clock) >= process));
    /* Linux's encoding: which 3 is no clock; a thread clock is readable only inside its process. */
    clockid_t bad_which = (clockid_t)((~(unsigned)getpid() << 3) | 3);
    errno = 0;
    printf("  which 3: %s\n", yes(clock_ns(bad_which) == -1 && errno == EINVAL));
    spinner_stop = 1;
    pthread_join(t, NULL);
    printf("  process clock kept its time after the join: %s\n", yes(clock_ns(CLOCK_PROCESS_CPUTIME_ID) >= process));
}

static void child(void)
{
    printf("4. a child that burns CPU, then is reaped\n");
    pid_t pid = fork();
    if (pid == 0) {
        burn(200);
        _exit(0);
    }
    clockid_t cid;
    int rc = clock_getcpuclockid(pid, &cid);
    printf("  the child's process clock readable: %s\n", yes(rc == 0 && clock_ns(cid) >= 0));
    clockid_t child_thread = (clockid_t)((~(unsigned)pid << 3) | 4 | 2);
    errno = 0;
    printf("  its thread clock from here: EINVAL: %s\n", yes(clock_ns(child_thread) == -1 && errno == EINVAL));
    siginfo_t si;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);       /* it has ended, not yet reaped */
    struct rusage before = usage(RUSAGE_CHILDREN);
    struct tms tb;
    times(&tb);
    printf("  before the wait: RUSAGE_CHILDREN zero: %s, times' cutime zero: %s\n",
           yes(us(before.ru_utime) == 0 && us(before.ru_stime) == 0), yes(tb.tms_cutime == 0 && tb.tms_cstime == 0));
    struct rusage ru;
    int status;
    pid_t got = wait4(pid, &status, 0, &ru);
    printf("  wait4 reaped it: %s, its user time >= 100 ms: %s\n", yes(got == pid), yes(us(ru.ru_utime) >= 100000));
    struct rusage after = usage(RUSAGE_CHILDREN);
    printf("  RUSAGE_CHILDREN now equals wait4's: %s\n",
           yes(us(after.ru_utime) == us(ru.ru_utime) && us(after.ru_stime) == us(ru.ru_stime)));
    struct tms ta;
    times(&ta);
    printf("  times' cutime >= 10 ticks: %s\n", yes(ta.tms_cutime >= 10));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    busy_loop();
    syscall_loop();
    other_thread();
    child();
    return 0;
}
