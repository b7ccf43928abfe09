/* SMP behaviour a program can see, one mode per run (argv[1]):
 *   info               what the CPU count looks like through every interface glibc and Go use
 *   busy N ITERS       N threads spinning ITERS iterations each: wall time and the CPUs each used
 *   pingpong N         two threads pinned to CPUs 0 and 1 hand a futex word back and forth N times
 *   storm N            N short threads created and joined, 4 alive at a time
 *   unmap N            a thread writes a page in a loop on another CPU; munmap, mprotect and
 *                      mremap of it must make its next write fault (no stale TLB entry survives)
 *   signal N           N pthread_kills of a thread spinning in user space on another CPU
 *   epoll N            N pipe writes from CPU 1 to an epoll_wait on CPU 0
 *   lock N             a thread per CPU writes N bytes into one pipe, main reads them all: the
 *                      kernel's pipe state under every CPU's system calls at once
 *   counts             info, then lock 500, in two numbered sections (the boot matrix's run)
 *   migrate N          N threads asleep on CPU 1 given CPU 0 by sched_setaffinity wake up there
 *   all                info, then each check above in a numbered section (one boot for all)
 *   kvm                info, pingpong, signal and busy, small, then exit status 3 from a thread
 *                      on the last CPU (the nested-KVM test's one --smp 2 run: vGIC IPIs, a
 *                      busy thread per vCPU, the exit report from a secondary's SYSTEM_OFF)
 * Each prints what Linux prints for the same run, so qemu-aarch64-static is the oracle (given
 * the same CPU count: modes other than info and busy only need two CPUs). Timings go to stderr;
 * busy's stdout is the CPUs its threads ran on, which the test reads rather than compares. */
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

/* Every CPU again: a section starts from no pinning. */
static void unpin(void)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int cpu = 0; cpu < get_nprocs(); cpu++)
        CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
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

static pthread_barrier_t busy_start;

static void *busy_thread(void *arg)
{
    int id = (int)(intptr_t)arg;
    volatile long x = 0;
    /* All alive before any spins: a short run must not end before the next thread exists
     * (nested under KVM a thread's creation can take longer than its whole run). */
    pthread_barrier_wait(&busy_start);
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
    pthread_barrier_init(&busy_start, NULL, n);
    double t0 = now();
    for (int i = 0; i < n; i++)
        pthread_create(&t[i], NULL, busy_thread, (void *)(intptr_t)i);
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
    double wall = now() - t0;
    pthread_barrier_destroy(&busy_start);
    /* Not compared with the oracle: the test reads the CPUs, bench/smp.py the time. */
    fprintf(stderr, "busy %d threads %.3f s\n", n, wall);
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

static int storm(long n)
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
    printf("storm %ld threads, sum %s\n", n, atomic_load(&storm_sum) == expect ? "ok" : "WRONG");
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
 * mapping (how: 0 munmap, 1 mprotect, 2 mremap away), and require a fault: the write must not
 * go on through a stale entry. */
static int one_unmap_round(int how)
{
    long before = atomic_load(&writes);
    while (atomic_load(&writes) < before + 1000)
        ;
    void *moved = NULL, *guard = MAP_FAILED;
    if (how == 1) {
        mprotect((void *)target, 4096, PROT_READ);
    } else if (how == 2) {
        /* Growing it where the next page is taken moves it: the old address must be gone on
         * every CPU. (A guard page is put there unless something already is.) */
        guard = mmap((char *)target + 4096, 4096, PROT_NONE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
        moved = mremap((void *)target, 4096, 8192, MREMAP_MAYMOVE);
    } else {
        munmap((void *)target, 4096);
    }
    double deadline = now() + 5;
    while (atomic_load(&writer_state) != 2)
        if (now() > deadline)
            return 0;                  /* it kept writing: a stale TLB entry */
    if (how == 1)
        munmap((void *)target, 4096);
    if (moved && moved != MAP_FAILED)
        munmap(moved, 8192);
    if (guard != MAP_FAILED)
        munmap(guard, 4096);
    return 1;
}

static int unmap_test(long rounds_n)
{
    pthread_t t;
    int faults = 0;
    pin(0);
    target = fresh_page();
    pthread_create(&t, NULL, writer, NULL);
    for (int i = 0; i < rounds_n; i++) {
        faults += one_unmap_round(i % 3);
        target = fresh_page();
        atomic_store(&writer_state, 1);
    }
    long before = atomic_load(&writes);
    while (atomic_load(&writes) < before + 1000)
        ;
    target = NULL;
    pthread_join(t, NULL);
    printf("unmap %ld rounds, faults %d\n", rounds_n, faults);
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
    atomic_store(&got, 0);             /* shared with the signal check */
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

/* ---- lock ---- */
static int lock_pipe[2];
static long lock_bytes;

static void *lock_writer(void *arg)
{
    pin((int)(intptr_t)arg);
    char buf[1] = { 'x' };
    for (long i = 0; i < lock_bytes; i++)
        if (write(lock_pipe[1], buf, 1) != 1)
            break;
    return NULL;
}

static int lock_test(long n)
{
    pthread_t t[64];
    int cpus = get_nprocs() < 64 ? get_nprocs() : 64;
    long total = 0;
    char buf[4096];
    lock_bytes = n;
    if (pipe(lock_pipe))
        return 1;
    for (int i = 0; i < cpus; i++)
        pthread_create(&t[i], NULL, lock_writer, (void *)(intptr_t)i);
    while (total < n * cpus) {
        ssize_t got_now = read(lock_pipe[0], buf, sizeof(buf));
        if (got_now <= 0)
            break;
        for (ssize_t i = 0; i < got_now; i++)
            total += buf[i] == 'x';
    }
    for (int i = 0; i < cpus; i++)
        pthread_join(t[i], NULL);
    printf("lock %ld bytes from a thread per cpu, %s\n", n, total == n * cpus ? "all received" : "LOST");
    return 0;
}

/* ---- migrate ---- */
static _Atomic uint32_t migrant_go;
static _Atomic int migrant_tid;
static int migrant_cpu;

static void *migrant(void *arg)
{
    pin(1);
    atomic_store(&migrant_tid, (int)syscall(SYS_gettid));
    while (atomic_load(&migrant_go) == 0)
        futex(&migrant_go, FUTEX_WAIT, 0);
    migrant_cpu = current_cpu();       /* the first thing it does after its wake */
    return NULL;
}

/* A thread asleep on CPU 1 is given CPU 0 alone by another thread: it wakes up there, as Linux
 * moves a sleeping task at its wake-up. */
static int migrate_test(long n)
{
    int moved = 0;
    pin(0);
    for (long i = 0; i < n; i++) {
        pthread_t t;
        atomic_store(&migrant_go, 0);
        atomic_store(&migrant_tid, 0);
        migrant_cpu = -1;
        pthread_create(&t, NULL, migrant, NULL);
        while (!atomic_load(&migrant_tid))
            sched_yield();
        usleep(2000);                  /* most rounds: it sleeps in FUTEX_WAIT by now */
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(0, &set);
        sched_setaffinity(atomic_load(&migrant_tid), sizeof(set), &set);
        atomic_store(&migrant_go, 1);
        futex(&migrant_go, FUTEX_WAKE, 1);
        pthread_join(t, NULL);
        moved += migrant_cpu == 0;
    }
    printf("migrate %ld sleeping threads given cpu 0 woke there: %d\n", n, moved);
    return 0;
}

/* Every check in one run, each in its own section, sized to take a few seconds under TCG. */
static int all(void)
{
    static const struct { const char *name; int (*fn)(long); long arg; } checks[] = {
        { "pingpong", pingpong, 5000 }, { "storm", storm, 400 }, { "unmap", unmap_test, 30 },
        { "signal", signal_test, 200 }, { "epoll", epoll_test, 2000 }, { "lock", lock_test, 2000 },
        { "migrate", migrate_test, 20 },
    };
    printf("1. info\n");
    if (info())
        return 1;
    for (unsigned i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        printf("%u. %s\n", i + 2, checks[i].name);
        unpin();
        int err = checks[i].fn(checks[i].arg);
        if (err)
            return err;
    }
    printf("9. busy\n");
    unpin();
    return busy(2, 30000000L);
}

/* exit(3) from a thread pinned to the last CPU: the process's status is 3 wherever it exits. */
#define KVM_EXIT_STATUS 3

static void *exit_from_last_cpu(void *arg)
{
    int cpu = get_nprocs() - 1;
    pin(cpu);
    printf("exit %d from cpu %d: %s\n", KVM_EXIT_STATUS, cpu, current_cpu() == cpu ? "yes" : "no");
    exit(KVM_EXIT_STATUS);
}

/* Sized to take a second or two nested under KVM (whose guest still runs on TCG). */
static int kvm_run(void)
{
    printf("1. info\n");
    if (info())
        return 1;
    printf("2. pingpong\n");
    unpin();
    pingpong(100);
    printf("3. signal\n");
    unpin();
    signal_test(20);
    printf("4. busy\n");
    unpin();
    busy(2, 8000000L);
    printf("5. exit\n");
    unpin();
    pthread_t t;
    pthread_create(&t, NULL, exit_from_last_cpu, NULL);
    pthread_join(t, NULL);
    return 1;                          /* not reached: the thread's exit ends the process */
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
        return storm(arg);
    if (!strcmp(mode, "unmap"))
        return unmap_test(arg);
    if (!strcmp(mode, "signal"))
        return signal_test(arg);
    if (!strcmp(mode, "epoll"))
        return epoll_test(arg);
    if (!strcmp(mode, "lock"))
        return lock_test(arg);
    if (!strcmp(mode, "migrate"))
        return migrate_test(arg);
    if (!strcmp(mode, "counts")) {
        printf("1. info\n");
        if (info())
            return 1;
        printf("2. lock\n");
        unpin();
        return lock_test(500);
    }
    if (!strcmp(mode, "all"))
        return all();
    if (!strcmp(mode, "kvm"))
        return kvm_run();
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
