/* rseq(2) as glibc 2.36 and Linux 6.1 use it: `rseqconf [exec-check]` prints one line per
 * check. glibc registers a struct rseq for every thread it starts (its __rseq_offset from the
 * thread pointer); the kernel must then keep cpu_id current and abort a critical section that
 * is preempted or signalled. Every wait is bounded (alarm() is the backstop). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_print.h"

#define UNREGISTER 1

static struct rseq *glibc_area(void) { return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset); }
static long sys_rseq(void *area, uint32_t len, int flags, uint32_t sig) { return syscall(SYS_rseq, area, len, flags, sig); }
static int getcpu_syscall(void)
{
    unsigned cpu = 999;
    syscall(SYS_getcpu, &cpu, NULL, NULL);
    return (int)cpu;
}

/* A critical section (x0: the struct rseq, x1: a word, x2: its value, x3: a bound) that spins
 * while the word keeps its value: 0 when it ends (changed, or the bound), 1 at abort_ip. */
int cs_spin(struct rseq *area, volatile unsigned long *word, unsigned long value, unsigned long bound);
__asm__(".text\n"
        ".global cs_spin\n"
        "cs_spin:\n"
        "    adrp x4, cs_desc\n"
        "    add  x4, x4, :lo12:cs_desc\n"
        "    str  x4, [x0, #8]\n"
        "1:  ldr  x5, [x1]\n"
        "    cmp  x5, x2\n"
        "    b.ne 2f\n"
        "    subs x3, x3, #1\n"
        "    b.ne 1b\n"
        "2:  mov  x0, #0\n"
        "    ret\n"
        "    .inst 0xd428bc00\n"          /* RSEQ_SIG, the word before abort_ip */
        "3:  mov  x0, #1\n"
        "    ret\n"
        ".data\n"
        ".balign 32\n"
        "cs_desc:\n"
        "    .long 0, 0\n"                /* version, flags */
        "    .quad 1b, 2b - 1b, 3b\n"     /* start_ip, post_commit_offset, abort_ip */
        ".text\n");

static volatile unsigned long ticks, alarms;
static volatile unsigned long cs_seen_in_handler = 99;

static void on_alarm(int sig)
{
    (void)sig;
    cs_seen_in_handler = glibc_area()->rseq_cs;
    alarms++;
}

/* Stopped by its own flag: a store to ticks from the other thread can be lost to this one's
 * read-increment-write (preempted between them, it writes the old value back and spins on). */
static volatile int stop_spinner;
static void *spinner(void *arg)
{
    (void)arg;
    while (!stop_spinner)
        ticks++;
    return NULL;
}

static void pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

/* A thread on CPU 1 in a critical section until told to stop (or the bound). */
static volatile long membarrier_cs = -2;
static volatile unsigned long stop_cs;
static void *cs_on_cpu1(void *arg)
{
    (void)arg;
    pin(1);
    membarrier_cs = -1;
    membarrier_cs = cs_spin(glibc_area(), &stop_cs, 0, 1ul << 40);
    return NULL;
}

static long membarrier(int cmd, unsigned flags, int cpu) { return syscall(SYS_membarrier, cmd, flags, cpu); }

static void on_usr1(int sig) { (void)sig; }

/* A child whose rseq_cs names a descriptor of version 1 gets a signal: the fixup before its
 * handler finds the descriptor invalid, which is SIGSEGV (force_sigsegv). Its wait status. */
static int bad_descriptor_child(void)
{
    static struct rseq_cs bad __attribute__((aligned(32))) = {.version = 1};
    pid_t child = fork();
    if (child == 0) {
        struct sigaction sa = {.sa_handler = on_usr1};
        sigaction(SIGUSR1, &sa, NULL);
        glibc_area()->rseq_cs = (uintptr_t)&bad;
        raise(SIGUSR1);
        _exit(0);
    }
    int status;
    waitpid(child, &status, 0);
    return status;
}

static void *thread_check(void *arg)
{
    (void)arg;
    struct rseq *a = glibc_area();
    say("   new thread: registered (again EBUSY) %s, cpu_id = getcpu %d\n",
        sys_rseq(a, __rseq_size, 0, RSEQ_SIG) < 0 ? strerrorname_np(errno) : "0", (int)a->cpu_id == getcpu_syscall());
    return NULL;
}

int main(int argc, char **argv)
{
    alarm(60);
    struct rseq *a = glibc_area();
    if (argc > 1) {                    /* the program exec'd by the check below */
        say("   after exec: glibc registered %d, again %s\n", __rseq_size == 32,
            sys_rseq(a, 32, 0, RSEQ_SIG) < 0 ? strerrorname_np(errno) : "0");
        return 0;
    }
    say("1. registration\n");
    say("   glibc registered: size %u, cpu_id = getcpu %d\n", __rseq_size, (int)a->cpu_id == getcpu_syscall());
    r("again, same", sys_rseq(a, 32, 0, RSEQ_SIG));
    r("again, other signature", sys_rseq(a, 32, 0, RSEQ_SIG + 1));
    r("again, other length", sys_rseq(a, 64, 0, RSEQ_SIG));
    static struct rseq mine __attribute__((aligned(32)));
    r("another area", sys_rseq(&mine, 32, 0, RSEQ_SIG));
    r("flags 2", sys_rseq(a, 32, 2, RSEQ_SIG));
    r("unregister with flag 2", sys_rseq(a, 32, UNREGISTER | 2, RSEQ_SIG));
    r("unregister another area", sys_rseq(&mine, 32, UNREGISTER, RSEQ_SIG));
    r("unregister other length", sys_rseq(a, 64, UNREGISTER, RSEQ_SIG));
    r("unregister other signature", sys_rseq(a, 32, UNREGISTER, RSEQ_SIG + 1));
    r("unregister", sys_rseq(a, 32, UNREGISTER, RSEQ_SIG));
    say("   cpu_id_start %u, cpu_id %d\n", a->cpu_id_start, (int)a->cpu_id);
    r("unregister again", sys_rseq(a, 32, UNREGISTER, RSEQ_SIG));
    r("register misaligned", sys_rseq((char *)&mine + 4, 32, 0, RSEQ_SIG));
    r("register length 31", sys_rseq(&mine, 31, 0, RSEQ_SIG));
    r("register length 64", sys_rseq(&mine, 64, 0, RSEQ_SIG));
    r("register past user space", sys_rseq((void *)-64L, 32, 0, RSEQ_SIG));
    mine.cpu_id = 12345;
    r("register another area", sys_rseq(&mine, 32, 0, RSEQ_SIG));
    say("   its cpu_id = getcpu %d\n", (int)mine.cpu_id == getcpu_syscall());
    r("unregister it", sys_rseq(&mine, 32, UNREGISTER, RSEQ_SIG));
    r("glibc's again", sys_rseq(a, 32, 0, RSEQ_SIG));

    say("2. critical sections\n");
    r("outside: returns", cs_spin(a, &ticks, ticks, 1000));
    a->rseq_cs = 0;                    /* Linux clears it only at a fixup (after a switch) */
    /* A section entered just after a signal (or a switch) sees its word move at once and ends
     * without an abort: each is tried until one aborts, a bounded number of times. */
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {.it_value = {0, 20000}, .it_interval = {0, 20000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &it, NULL);
    int aborted = 0;
    for (int i = 0; i < 20 && !aborted; i++)
        aborted = cs_spin(a, &alarms, alarms, 1ul << 40);
    setitimer(ITIMER_REAL, &off, NULL);
    signal(SIGALRM, SIG_DFL);
    alarm(60);                         /* the backstop again (it shares the timer) */
    r("signalled inside: abort_ip", aborted);
    say("   rseq_cs cleared before the handler ran: %d\n", cs_seen_in_handler == 0);
    /* Preempted: another thread that can only run on this CPU runs only when this one is
     * switched out, so the section sees its counter move only after an abort. */
    pin(0);
    pthread_t t;
    pthread_create(&t, NULL, spinner, NULL);
    aborted = 0;
    for (int i = 0; i < 20 && !aborted; i++)
        aborted = cs_spin(a, &ticks, ticks, 1ul << 40);
    r("preempted inside: abort_ip", aborted);
    stop_spinner = 1;
    pthread_join(t, NULL);

    int st = bad_descriptor_child();
    say("   invalid rseq_cs, then a signal: killed by %s\n", WIFSIGNALED(st) ? strsignal(WTERMSIG(st)) : "nothing");

    say("3. membarrier\n");
    enum { RSEQ = 1 << 7, REGISTER_RSEQ = 1 << 8, FLAG_CPU = 1 };
    say("   query has the rseq commands: %d\n", (membarrier(0, 0, 0) & (RSEQ | REGISTER_RSEQ)) == (RSEQ | REGISTER_RSEQ));
    r("rseq before registering", membarrier(RSEQ, 0, 0));
    r("register rseq", membarrier(REGISTER_RSEQ, 0, 0));
    r("rseq flags 2", membarrier(RSEQ, 2, 0));
    r("register rseq flags 1", membarrier(REGISTER_RSEQ, 1, 0));
    r("rseq", membarrier(RSEQ, 0, 0));
    r("rseq on cpu 999", membarrier(RSEQ, FLAG_CPU, 999));
    r("rseq on this cpu", membarrier(RSEQ, FLAG_CPU, sched_getcpu()));
    pthread_create(&t, NULL, cs_on_cpu1, NULL);
    while (membarrier_cs == -2)
        usleep(1000);
    usleep(20000);                     /* in its section by now (it has a CPU of its own) */
    for (int i = 0; i < 5000 && membarrier_cs == -1; i++) {   /* 5 s at most */
        membarrier(RSEQ, FLAG_CPU, 1);
        usleep(1000);
    }
    stop_cs = 1;
    pthread_join(t, NULL);
    say("   a section on CPU 1, membarrier rseq on CPU 1: abort_ip %ld\n", membarrier_cs);

    say("4. threads, fork, exec, CPUs\n");
    pthread_create(&t, NULL, thread_check, NULL);
    pthread_join(t, NULL);
    pid_t child = fork();
    if (child == 0) {
        say("   fork child: kept (again EBUSY) %s, cpu_id = getcpu %d\n",
            sys_rseq(a, 32, 0, RSEQ_SIG) < 0 ? strerrorname_np(errno) : "0", (int)a->cpu_id == getcpu_syscall());
        execl("/proc/self/exe", argv[0], "exec-check", (char *)NULL);
        _exit(127);
    }
    int status;
    waitpid(child, &status, 0);
    int n = (int)sysconf(_SC_NPROCESSORS_ONLN), agree = 1;
    for (int round = 0; round < 2; round++)
        for (int cpu = 0; cpu < n; cpu++) {
            pin(cpu);
            agree &= sched_getcpu() == cpu && (int)a->cpu_id == cpu && getcpu_syscall() == cpu;
        }
    say("   pinned to each CPU in turn, sched_getcpu and cpu_id follow: %d\n", agree);
    return 0;
}
