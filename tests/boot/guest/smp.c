/* SMP behaviour a program can see, one mode per run (argv[1]):
 *   info               what the CPU count looks like through every interface glibc and Go use
 *   busy N ITERS       N threads spinning ITERS iterations each: wall time and the CPUs each used
 *   pingpong N         two threads pinned to CPUs 0 and 1 hand a futex word back and forth N times
 *   storm N            N short threads created and joined, 4 alive at a time
 *   unmap              a thread writes a page in a loop on another CPU; munmap and mprotect of it
 *                      must make its next write fault (no stale TLB entry survives)
 *   signal N           N pthread_kills of a thread spinning in user space on another CPU
 *   epoll N            N pipe writes from CPU 1 to an epoll_wait on CPU 0
 * Each prints what Linux prints for the same run, so qemu-aarch64-static is the oracle (given
 * the same CPU count: modes other than info and busy only need two CPUs). */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof(set), &set)) {
        perror("sched_setaffinity");
        exit(1);
    }
}

static int current_cpu(void)
{
    unsigned cpu;
    getcpu(&cpu, NULL);
    return (int)cpu;
}

static int count_lines_starting(const char *path, const char *prefix)
{
    FILE *f = fopen(path, "r");
    char line[512];
    int n = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        n += strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return n;
}

static int info(void)
{
    cpu_set_t set;
    char online[64] = "";
    FILE *f = fopen("/sys/devices/system/cpu/online", "r");
    if (f) {
        if (!fgets(online, sizeof(online), f))
            online[0] = 0;
        fclose(f);
        online[strcspn(online, "\n")] = 0;
    }
    if (sched_getaffinity(0, sizeof(set), &set))
        return 1;
    printf("get_nprocs %d\n", get_nprocs());
    printf("nprocessors_onln %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    printf("nprocessors_conf %ld\n", sysconf(_SC_NPROCESSORS_CONF));
    printf("affinity %d\n", CPU_COUNT(&set));
    printf("online %s\n", online);
    printf("cpuinfo processors %d\n", count_lines_starting("/proc/cpuinfo", "processor"));
    /* Every online CPU accepts a thread pinned to it, and runs it there. */
    int ok = 1;
    for (int cpu = 0; cpu < get_nprocs(); cpu++) {
        pin(cpu);
        for (int i = 0; i < 100 && current_cpu() != cpu; i++)
            sched_yield();
        ok &= current_cpu() == cpu;
    }
    printf("pinned to each cpu %s\n", ok ? "ok" : "FAILED");
    return 0;
}

/* ---- busy ---- */
static long busy_iters;
static int busy_cpus[64][64];

static void *busy_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    volatile long x = 0;
    for (long i = 0; i < busy_iters; i++) {
        x += i;
        if ((i & 0xfffff) == 0)
            busy_cpus[id][current_cpu() & 63] = 1;
    }
    return NULL;
}

static int busy(int n, long iters)
{
    pthread_t t[64];
    busy_iters = iters;
    double t0 = now();
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, busy_thread, (void *)(intptr_t)i);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    double wall = now() - t0;
    /* Not compared with the oracle: the test reads the time and the CPUs. */
    printf("busy %d threads %.3f s\n", n, wall);
    for (int i = 0; i < n; i++) {
        printf("thread %d cpus", i);
        for (int c = 0; c < 64; c++)
            if (busy_cpus[i][c])
                printf(" %d", c);
        printf("\n");
    }
    return 0;
}

/* ---- pingpong ---- */
static _Atomic uint32_t turn;
static long rounds;

static long futex(_Atomic uint32_t *word, int op, uint32_t val)
{
    return syscall(SYS_futex, word, op | FUTEX_PRIVATE_FLAG, val, NULL, NULL, 0);
}

/* Player p waits for turn == p, then passes it to the other; a lost wake-up hangs (the test's
 * timeout catches it). */
static void play(uint32_t p, int *cpu_ok)
{
    for (long i = 0; i < rounds; i++) {
        uint32_t v;
        while ((v = atomic_load(&turn)) != p)
            futex(&turn, FUTEX_WAIT, v);
        if (i == 0 || i == rounds - 1)
            *cpu_ok &= current_cpu() == (int)p;
        atomic_store(&turn, 1 - p);
        futex(&turn, FUTEX_WAKE, 1);
    }
}

static int ponger_cpu_ok = 1;

static void *ponger(void *arg)
{
    pin(1);
    play(1, &ponger_cpu_ok);
    return NULL;
}

static int pingpong(long n)
{
    pthread_t t;
    int cpu_ok = 1;
    rounds = n;
    pin(0);
    pthread_create(&t, NULL, ponger, NULL);
    double t0 = now();
    play(0, &cpu_ok);
    pthread_join(t, NULL);
    double each = (now() - t0) / (2.0 * n);
    fprintf(stderr, "pingpong: %.2f us per hand-off\n", each * 1e6);
    printf("pingpong %ld rounds, on cpus 0 and 1: %s\n", n, cpu_ok && ponger_cpu_ok ? "yes" : "no");
    return 0;
}

/* ---- storm ---- */
static _Atomic long storm_sum;

static void *storm_thread(void *arg)
{
    atomic_fetch_add(&storm_sum, (long)(intptr_t)arg);
    return NULL;
}

static int storm(int n)
{
    pthread_t t[4];
    long expect = 0;
    for (int i = 0; i < n; i += 4) {
        for (int j = 0; j < 4; j++) {
            expect += i + j;
            if (pthread_create(&t[j], NULL, storm_thread, (void *)(intptr_t)(i + j))) {
                printf("pthread_create failed at %d\n", i + j);
                return 1;
            }
        }
        for (int j = 0; j < 4; j++)
            pthread_join(t[j], NULL);
    }
    printf("storm %d threads, sum %s\n", n, atomic_load(&storm_sum) == expect ? "ok" : "WRONG");
    return 0;
}

/* ---- unmap ---- */
static volatile char *volatile target;
static _Atomic int writer_state;     /* 1 writing, 2 faulted */
static sigjmp_buf writer_env;
static _Atomic long writes;

static void writer_fault(int sig)
{
    siglongjmp(writer_env, 1);
}

static void *writer(void *arg)
{
    pin(1);
    struct sigaction sa = { .sa_handler = writer_fault };
    sigaction(SIGSEGV, &sa, NULL);
    for (;;) {
        if (sigsetjmp(writer_env, 1)) {
            atomic_store(&writer_state, 2);
            while (atomic_load(&writer_state) == 2)
                ;                      /* main maps the next page and sets 1 again */
            continue;
        }
        atomic_store(&writer_state, 1);
        for (;;) {
            volatile char *p = target;
            if (!p)
                return NULL;
            p[0] = 1;                  /* in user space, on CPU 1, through its TLB */
            atomic_fetch_add(&writes, 1);
        }
    }
}

static volatile char *fresh_page(void)
{
    return mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* Wait until the writer has written through the mapping (so its TLB holds it), change the
 * mapping, and require a fault: the write must not go on through a stale entry. */
static int one_unmap_round(int use_mprotect)
{
    long before = atomic_load(&writes);
    while (atomic_load(&writes) < before + 1000)
        ;
    if (use_mprotect)
        mprotect((void *)target, 4096, PROT_READ);
    else
        munmap((void *)target, 4096);
    double deadline = now() + 5;
    while (atomic_load(&writer_state) != 2)
        if (now() > deadline)
            return 0;                  /* it kept writing: a stale TLB entry */
    if (use_mprotect)
        munmap((void *)target, 4096);
    return 1;
}

static int unmap_test(int rounds_n)
{
    pthread_t t;
    int faults = 0;
    pin(0);
    target = fresh_page();
    pthread_create(&t, NULL, writer, NULL);
    for (int i = 0; i < rounds_n; i++) {
        faults += one_unmap_round(i & 1);
        target = fresh_page();
        atomic_store(&writer_state, 1);
    }
    long before = atomic_load(&writes);
    while (atomic_load(&writes) < before + 1000)
        ;
    target = NULL;
    pthread_join(t, NULL);
    printf("unmap %d rounds, faults %d\n", rounds_n, faults);
    return 0;
}

/* ---- signal ---- */
static _Atomic int got;
static _Atomic int spinner_ready;

static void on_usr1(int sig) { atomic_fetch_add(&got, 1); }

static void *spinner(void *arg)
{
    long n = (long)(intptr_t)arg;
    pin(1);
    atomic_store(&spinner_ready, 1);
    while (atomic_load(&got) < n)
        ;                              /* no system calls: only an interrupt gets it in */
    return NULL;
}

static int signal_test(long n)
{
    pthread_t t;
    struct sigaction sa = { .sa_handler = on_usr1 };
    sigaction(SIGUSR1, &sa, NULL);
    pin(0);
    pthread_create(&t, NULL, spinner, (void *)(intptr_t)n);
    while (!atomic_load(&spinner_ready))
        sched_yield();
    double t0 = now(), worst = 0;
    for (long i = 0; i < n; i++) {
        double s = now();
        pthread_kill(t, SIGUSR1);
        while (atomic_load(&got) <= i)
            ;
        if (now() - s > worst)
            worst = now() - s;
    }
    pthread_join(t, NULL);
    fprintf(stderr, "signal: %.1f us each, worst %.1f us\n", (now() - t0) / n * 1e6, worst * 1e6);
    printf("signal %ld delivered to a thread on another cpu: %d\n", n, atomic_load(&got));
    return 0;
}

/* ---- epoll ---- */
static int pipefd[2];

static void *epoll_writer(void *arg)
{
    long n = (long)(intptr_t)arg;
    pin(1);
    for (long i = 0; i < n; i++) {
        char c = (char)i;
        if (write(pipefd[1], &c, 1) != 1)
            return NULL;
        while (atomic_load(&got) <= i)
            ;                          /* the reader took it: one byte in flight at a time */
    }
    return NULL;
}

static int epoll_test(long n)
{
    pthread_t t;
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN }, out;
    if (pipe(pipefd) || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, pipefd[0], &ev))
        return 1;
    pin(0);
    pthread_create(&t, NULL, epoll_writer, (void *)(intptr_t)n);
    long wrong = 0;
    for (long i = 0; i < n; i++) {
        char c;
        if (epoll_wait(ep, &out, 1, 5000) != 1 || read(pipefd[0], &c, 1) != 1)
            break;
        wrong += c != (char)i;
        atomic_fetch_add(&got, 1);
    }
    pthread_join(t, NULL);
    printf("epoll %ld wake-ups across cpus, %d received, %ld wrong\n", n, atomic_load(&got), wrong);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *mode = argc > 1 ? argv[1] : "info";
    long arg = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(mode, "info"))
        return info();
    if (!strcmp(mode, "busy"))
        return busy((int)arg, argc > 3 ? atol(argv[3]) : 100000000L);
    if (!strcmp(mode, "pingpong"))
        return pingpong(arg);
    if (!strcmp(mode, "storm"))
        return storm((int)arg);
    if (!strcmp(mode, "unmap"))
        return unmap_test((int)arg);
    if (!strcmp(mode, "signal"))
        return signal_test(arg);
    if (!strcmp(mode, "epoll"))
        return epoll_test(arg);
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
