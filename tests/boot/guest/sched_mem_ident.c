/* Scheduling attributes, nice values, memory locks and residency, membarrier, personality,
 * capabilities, host names, reboot's checks, file-range hints and prctl, printed so the same
 * binary under qemu-aarch64-static (Linux) gives the same lines. Raw syscalls where glibc would
 * hide the kernel's answer (getpriority's 20 - nice, sched_setattr). With the argument
 * "reboot" it ends with reboot(POWER_OFF) (never run on the oracle: that is the host). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/personality.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/membarrier.h>
#include <linux/reboot.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s: %ld\n", what, r);
    fflush(stdout);
}

static long sys(long nr, long a, long b, long c, long d)
{
    return syscall(nr, a, b, c, d);
}

/* Fields 18, 19, 40, 41 (priority, nice, rt_priority, policy) of a thread's stat file. */
static void stat_prio(const char *what, pid_t tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", getpid(), tid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof(buf), f)) {
        printf("%s: no stat\n", what);
        return;
    }
    fclose(f);
    char *p = strrchr(buf, ')') + 2;   /* field 3 */
    long v[52];
    int n = 3;
    for (char *tok = strtok(p + 2, " "); tok && n < 52; tok = strtok(NULL, " "))
        v[++n] = strtol(tok, NULL, 10);
    printf("%s: prio %ld nice %ld rt %ld policy %ld\n", what, v[18], v[19], v[40], v[41]);
}

struct sched_attr_v1 {
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
};

static volatile int stop_thread;
static volatile long spins;
static void *spinner(void *arg)
{
    (void)arg;
    while (!stop_thread)
        spins++;
    return NULL;
}

static pid_t other_tid;
static void *idle_thread(void *arg)
{
    other_tid = gettid();
    while (!stop_thread)
        usleep(1000);
    return arg;
}

static void section_sched(void)
{
    printf("1. sched\n");
    struct sched_param sp = { 0 };
    for (int pol = 0; pol <= 8; pol++) {
        if (pol == 7)
            continue;   /* SCHED_EXT since Linux 6.12: not in the 6.1 ABI we give */
        char what[40];
        snprintf(what, sizeof(what), "prio max %d", pol);
        show(what, sched_get_priority_max(pol));
        snprintf(what, sizeof(what), "prio min %d", pol);
        show(what, sched_get_priority_min(pol));
    }
    show("getscheduler", sched_getscheduler(0));
    show("getparam", sched_getparam(0, &sp)); printf("  prio %d\n", sp.sched_priority);
    show("getscheduler -1", sched_getscheduler(-1));
    show("getscheduler nobody", sched_getscheduler(4000000));
    show("getparam NULL", sys(SYS_sched_getparam, 0, 0, 0, 0));
    sp.sched_priority = 0;
    show("FIFO prio 0", sched_setscheduler(0, SCHED_FIFO, &sp));
    sp.sched_priority = 100;
    show("FIFO prio 100", sched_setscheduler(0, SCHED_FIFO, &sp));
    sp.sched_priority = 5;
    show("OTHER prio 5", sched_setscheduler(0, SCHED_OTHER, &sp));
    show("policy 4", sched_setscheduler(0, 4, &sp));
    show("policy -1", sys(SYS_sched_setscheduler, 0, -1, (long)&sp, 0));
    show("param NULL", sys(SYS_sched_setscheduler, 0, SCHED_FIFO, 0, 0));
    show("param bad", sys(SYS_sched_setscheduler, 0, SCHED_FIFO, 8, 0));
    show("pid nobody", sched_setscheduler(4000000, SCHED_FIFO, &sp));
    sp.sched_priority = 10;
    show("FIFO 10", sched_setscheduler(0, SCHED_FIFO, &sp));
    show("getscheduler", sched_getscheduler(0));
    sp.sched_priority = 0;
    show("getparam", sched_getparam(0, &sp)); printf("  prio %d\n", sp.sched_priority);
    stat_prio("stat fifo", gettid());
    struct timespec ts;
    show("rr_interval fifo", sched_rr_get_interval(0, &ts)); printf("  %ld.%09ld\n", ts.tv_sec, ts.tv_nsec);
    sp.sched_priority = 50;
    show("setparam 50", sched_setparam(0, &sp));
    sp.sched_priority = 0;
    show("setparam 0", sched_setparam(0, &sp));
    sp.sched_priority = 20;
    show("RR 20 reset", sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp));
    show("getscheduler", sched_getscheduler(0));
    show("rr_interval rr", sched_rr_get_interval(0, &ts)); printf("  %ld.%09ld\n", ts.tv_sec, ts.tv_nsec);
    stat_prio("stat rr", gettid());
    pid_t child = fork();
    if (child == 0) {
        struct sched_param c = { 0 };
        sched_getparam(0, &c);
        printf("  child policy %d prio %d\n", sched_getscheduler(0), c.sched_priority);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    /* pthread: another thread's policy through glibc */
    pthread_t th;
    stop_thread = 0;
    pthread_create(&th, NULL, idle_thread, NULL);
    while (!other_tid)
        usleep(1000);
    int pol;
    struct sched_param tp = { .sched_priority = 7 };
    show("pthread_setschedparam", pthread_setschedparam(th, SCHED_FIFO, &tp));
    tp.sched_priority = 0;
    show("pthread_getschedparam", pthread_getschedparam(th, &pol, &tp));
    printf("  policy %d prio %d; this thread %d\n", pol, tp.sched_priority, sched_getscheduler(0));
    show("getscheduler tid", sched_getscheduler(other_tid));
    stat_prio("stat other", other_tid);
    tp.sched_priority = 0;
    pthread_setschedparam(th, SCHED_OTHER, &tp);
    stop_thread = 1;
    pthread_join(th, NULL);
    sp.sched_priority = 0;
    show("back to OTHER", sched_setscheduler(0, SCHED_OTHER, &sp));
    show("rr_interval nobody", sched_rr_get_interval(4000000, &ts));
    show("rr_interval -1", sched_rr_get_interval(-1, &ts));
    /* sched_setattr / sched_getattr */
    struct sched_attr_v1 a;
    memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.sched_policy = SCHED_BATCH;
    a.sched_nice = 5;
    show("setattr batch 5", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    show("getpriority raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    memset(&a, 0xff, sizeof(a));
    show("getattr 48", sys(SYS_sched_getattr, 0, (long)&a, 48, 0));
    printf("  size %u policy %u flags %lu nice %d prio %u util_min %x\n", a.size, a.sched_policy,
           (unsigned long)a.sched_flags, a.sched_nice, a.sched_priority, a.sched_util_min);
    show("getattr 47", sys(SYS_sched_getattr, 0, (long)&a, 47, 0));
    show("getattr flags", sys(SYS_sched_getattr, 0, (long)&a, 48, 1));
    show("getattr nobody", sys(SYS_sched_getattr, 4000000, (long)&a, 48, 0));
    memset(&a, 0, sizeof(a));
    a.size = 40;
    show("setattr size 40", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    printf("  size now %u\n", a.size);
    unsigned char big[80];
    memset(big, 0, sizeof(big));
    ((struct sched_attr_v1 *)big)->size = 80;
    big[70] = 1;
    show("setattr tail", sys(SYS_sched_setattr, 0, (long)big, 0, 0));
    printf("  size now %u\n", ((struct sched_attr_v1 *)big)->size);
    big[70] = 0;
    ((struct sched_attr_v1 *)big)->sched_nice = -30;   /* clamped to -20 */
    show("setattr 80 nice -30", sys(SYS_sched_setattr, 0, (long)big, 0, 0));
    show("getpriority raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    memset(&a, 0, sizeof(a));
    a.size = 48;
    a.sched_policy = SCHED_OTHER;
    a.sched_flags = 0x100;
    show("setattr bad flag", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    a.sched_flags = 0;
    show("setattr flags arg", sys(SYS_sched_setattr, 0, (long)&a, 1, 0));
    a.sched_policy = SCHED_DEADLINE;
    show("setattr deadline 0", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    a.sched_runtime = 10000000; a.sched_deadline = 5000000; a.sched_period = 20000000;
    show("setattr deadline<runtime", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    a.sched_policy = SCHED_IDLE;
    a.sched_runtime = a.sched_deadline = a.sched_period = 0;
    a.sched_flags = 0x10;   /* KEEP_PARAMS: the nice value stays, and so does the policy */
    show("setattr idle keep", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
    show("getscheduler", sched_getscheduler(0));
    show("getpriority raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    a.sched_policy = SCHED_OTHER;
    a.sched_flags = 0;
    a.sched_nice = 0;
    show("setattr other 0", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
}

static void section_priority(void)
{
    printf("2. priority\n");
    setpgid(0, 0);   /* PRIO_PGRP below must reach no process but this one (EPERM for pid 1) */
    show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    errno = 0;
    show("glibc", getpriority(PRIO_PROCESS, 0));
    show("set 5", setpriority(PRIO_PROCESS, 0, 5));
    show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    errno = 0;
    show("nice(2)", nice(2));
    show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    stat_prio("stat", gettid());
    show("set 100", setpriority(PRIO_PROCESS, 0, 100));
    show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    show("set -100", setpriority(PRIO_PROCESS, 0, -100));
    show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    show("which 3", setpriority(3, 0, 0));
    show("get which -1", sys(SYS_getpriority, -1, 0, 0, 0));
    show("get nobody", sys(SYS_getpriority, PRIO_PROCESS, 4000000, 0, 0));
    show("set nobody", setpriority(PRIO_PROCESS, 4000000, 0));
    show("get pgrp nobody", sys(SYS_getpriority, PRIO_PGRP, 4000000, 0, 0));
    /* a thread's nice is its own */
    stop_thread = 0;
    other_tid = 0;
    pthread_t th;
    pthread_create(&th, NULL, idle_thread, NULL);
    while (!other_tid)
        usleep(1000);
    show("set 0", setpriority(PRIO_PROCESS, 0, 0));
    show("set thread 7", setpriority(PRIO_PROCESS, other_tid, 7));
    show("raw self", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
    show("raw thread", sys(SYS_getpriority, PRIO_PROCESS, other_tid, 0, 0));
    stat_prio("stat thread", other_tid);
    show("raw pgrp (lowest nice)", sys(SYS_getpriority, PRIO_PGRP, 0, 0, 0));
    show("set pgrp 3", setpriority(PRIO_PGRP, 0, 3));
    show("raw thread", sys(SYS_getpriority, PRIO_PROCESS, other_tid, 0, 0));
    stop_thread = 1;
    pthread_join(th, NULL);
    /* PRIO_USER for a uid only a child of ours has (root's would renice every root process) */
    pid_t user_child = fork();
    if (user_child == 0) {
        setresuid(54321, 54321, 54321);
        show("set user 4", setpriority(PRIO_USER, 54321, 4));
        show("raw self", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
        show("raw user", sys(SYS_getpriority, PRIO_USER, 0, 0, 0));
        show("raw user nobody", sys(SYS_getpriority, PRIO_USER, 54322, 0, 0));
        show("lower nice unprivileged", setpriority(PRIO_PROCESS, 0, 0));
        show("renice another user's", setpriority(PRIO_PROCESS, getppid(), 10));
        /* without root's capabilities (a bad magic: the capability is checked first) */
        show("sethostname unprivileged", sethostname("x", 1));
        show("reboot unprivileged", syscall(SYS_reboot, 0x1234, 0, 0, 0));
        struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct d[2];
        memset(d, 0xff, sizeof(d));
        syscall(SYS_capget, &h, d);
        printf("  caps eff %x %x prm %x %x\n", d[0].effective, d[1].effective, d[0].permitted, d[1].permitted);
        struct sched_param sp = { 0 };
        show("getscheduler unprivileged", sched_getscheduler(0));
        show("getparam unprivileged", sched_getparam(0, &sp));
        sp.sched_priority = 1;
        show("FIFO unprivileged", sched_setscheduler(0, SCHED_FIFO, &sp));
        sp.sched_priority = 0;
        show("another user's policy", sched_setscheduler(getppid(), SCHED_BATCH, &sp));
        show("IDLE unprivileged", sched_setscheduler(0, SCHED_IDLE, &sp));
        show("back from IDLE", sched_setscheduler(0, SCHED_OTHER, &sp));
        show("IDLE to BATCH", sched_setscheduler(0, SCHED_BATCH, &sp));
        struct sched_attr_v1 a = { .size = sizeof(a), .sched_policy = SCHED_IDLE, .sched_nice = 10 };
        show("setattr raise nice", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
        a.sched_nice = 5;
        show("setattr lower nice", sys(SYS_sched_setattr, 0, (long)&a, 0, 0));
        show("raw", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
        fflush(stdout);
        _exit(0);
    }
    waitpid(user_child, NULL, 0);
    pid_t child = fork();
    if (child == 0) {
        printf("  child raw %ld\n", sys(SYS_getpriority, PRIO_PROCESS, 0, 0, 0));
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    setpriority(PRIO_PROCESS, 0, 0);
}

static long vmlck_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "VmLck:", 6))
            kb = strtol(line + 6, NULL, 10);
    if (f)
        fclose(f);
    return kb;
}

static void residency(const char *what, void *p, size_t len)
{
    unsigned char vec[16];
    memset(vec, 7, sizeof(vec));
    long r = mincore(p, len, vec);
    if (r < 0) {
        show(what, r);
        return;
    }
    printf("%s: ", what);
    for (size_t i = 0; i < len / 4096; i++)
        putchar('0' + (vec[i] & 1));
    putchar('\n');
}

static void section_mlock(void)
{
    printf("3. mlock\n");
    long base = vmlck_kb();
    size_t pg = 4096, len = 4 * pg;
    char *m = mmap(NULL, 6 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(m + 5 * pg, pg);     /* a hole after the 4 pages + 1 */
    residency("fresh", m, len);
    m[0] = 1;
    m[2 * pg] = 1;
    residency("touched 0 2", m, len);
    show("mlock", mlock(m, len));
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    residency("locked", m, len);
    show("mlock again", mlock(m + 1, 10));   /* unaligned: the page it is in */
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    show("munlock middle", munlock(m + pg, pg));
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    show("munlock", munlock(m, len));
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    show("mlock hole", mlock(m + 4 * pg, 2 * pg));
    show("munlock hole", munlock(m + 4 * pg, 2 * pg));
    show("mlock 0 len", mlock(m + 5 * pg, 0));
    char *n = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mlock populates", mlock(n, len));
    residency("populated", n, len);
    munmap(n, len);
    printf("  VmLck after munmap +%ld kB\n", vmlck_kb() - base);
    show("mlockall 0", mlockall(0));
    show("mlockall onfault", mlockall(MCL_ONFAULT));
    show("mlockall 8", mlockall(8));
    show("munlockall", munlockall());
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    show("mincore unaligned", mincore(m + 1, pg, (unsigned char *)&base));
    show("mincore hole", mincore(m + 4 * pg, 2 * pg, (unsigned char[2]){ 0 }));
    show("mincore len 0", mincore(m, 0, (unsigned char[1]){ 0 }));
    show("mincore bad vec", mincore(m, pg, (unsigned char *)8));
    residency("partial page", m, pg - 1 + 1);
    munmap(m, 5 * pg);
    /* a file mapping's pages are resident when the file's are (tmpfs on Linux: a hole is not) */
    int fd = open("/tmp/sched_mem_ident.map", O_RDWR | O_CREAT | O_TRUNC, 0600);
    ftruncate(fd, 3 * pg);
    pwrite(fd, "x", 1, pg);
    char *fm = mmap(NULL, 3 * pg, PROT_READ, MAP_SHARED, fd, 0);
    residency("file, page 1 written", fm, 3 * pg);
    munmap(fm, 3 * pg);
    fm = mmap(NULL, 3 * pg, PROT_READ, MAP_PRIVATE, fd, 0);
    residency("private file mapping", fm, 3 * pg);
    munmap(fm, 3 * pg);
    close(fd);
    unlink("/tmp/sched_mem_ident.map");
    /* a forked child's pages are its own: the locks are not inherited */
    m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mlock(m, len);
    pid_t child = fork();
    if (child == 0) {
        printf("  child VmLck +%ld kB\n", vmlck_kb() - base);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    munmap(m, len);
}

static void section_membarrier(void)
{
    printf("4. membarrier\n");
    long q = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    printf("query has the 6.1 set: %s\n", q >= 0 && (q & 0x7f) == 0x7f ? "yes" : "no");
    show("private before register", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
    show("sync_core before register", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    show("register private", syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
    show("sync_core still", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
    pthread_t th;
    stop_thread = 0;
    pthread_create(&th, NULL, spinner, NULL);
    long fails = 0;
    for (int i = 0; i < 50; i++)
        if (syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0))
            fails++;
    printf("private x50 with a spinning thread: %ld failed\n", fails);
    show("global", syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0));
    show("register global", syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0));
    show("global expedited", syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
    stop_thread = 1;
    pthread_join(th, NULL);
    show("query flags", syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 1, 0));
    show("private flag 2", syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 2, 0));
    show("cmd 1<<12", syscall(SYS_membarrier, 1 << 12, 0, 0));
    show("cmd -1", syscall(SYS_membarrier, -1, 0, 0));
}

static void section_ident(void)
{
    printf("5. ident\n");
    show("personality query", personality(0xffffffff));
    show("personality norandom", personality(ADDR_NO_RANDOMIZE));
    show("personality query", personality(0xffffffff));
    show("personality 0", personality(0));
    show("personality query", personality(0xffffffff));
    /* capabilities: compare with what /proc/self/status says about the same process */
    struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
    show("capget data NULL", syscall(SYS_capget, &h, NULL));
    h.version = 0x1234;
    show("capget bad version", syscall(SYS_capget, &h, NULL));
    printf("  version written back %#x\n", h.version);
    h.version = 0x1234;
    struct __user_cap_data_struct d[2];
    show("capget bad version data", syscall(SYS_capget, &h, d));
    show("capget bad header", syscall(SYS_capget, 8, d));
    h.version = _LINUX_CAPABILITY_VERSION_3;
    h.pid = -1;
    show("capget pid -1", syscall(SYS_capget, &h, d));
    h.pid = 4000000;
    show("capget nobody", syscall(SYS_capget, &h, d));
    h.pid = getpid();
    memset(d, 0, sizeof(d));
    syscall(SYS_capget, &h, d);
    unsigned long long eff = d[0].effective | (unsigned long long)d[1].effective << 32, status_eff = 0;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "CapEff:", 7))
            status_eff = strtoull(line + 7, NULL, 16);
    fclose(f);
    printf("capget v3 effective == CapEff: %s; inheritable %x %x\n", eff == status_eff ? "yes" : "no",
           d[0].inheritable, d[1].inheritable);
    struct __user_cap_data_struct d1 = { 0 };
    h.version = _LINUX_CAPABILITY_VERSION_1;
    h.pid = 0;
    syscall(SYS_capget, &h, &d1);
    printf("capget v1 == low word: %s\n", d1.effective == d[0].effective ? "yes" : "no");
    pid_t child = fork();
    if (child == 0) {
        struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
        struct __user_cap_data_struct cd[2];
        syscall(SYS_capget, &ch, cd);
        cd[0].effective &= ~(1u << CAP_SYS_NICE);
        show("capset drop eff nice", syscall(SYS_capset, &ch, cd));
        struct __user_cap_data_struct now[2];
        syscall(SYS_capget, &ch, now);
        printf("  eff has nice %d prm has nice %d\n", !!(now[0].effective & (1u << CAP_SYS_NICE)),
               !!(now[0].permitted & (1u << CAP_SYS_NICE)));
        cd[0].effective |= 1u << CAP_SYS_NICE;
        show("capset re-add eff", syscall(SYS_capset, &ch, cd));
        cd[0].inheritable |= 1u << CAP_KILL;
        show("capset inheritable kill", syscall(SYS_capset, &ch, cd));
        syscall(SYS_capget, &ch, now);
        printf("  inh %08x\n", now[0].inheritable);
        cd[0].permitted &= ~(1u << CAP_SYS_NICE);
        show("capset eff beyond prm", syscall(SYS_capset, &ch, cd));
        cd[0].effective &= ~(1u << CAP_SYS_NICE);
        show("capset drop prm nice", syscall(SYS_capset, &ch, cd));
        cd[0].permitted |= 1u << CAP_SYS_NICE;
        show("capset raise prm", syscall(SYS_capset, &ch, cd));
        ch.pid = getppid();
        show("capset other pid", syscall(SYS_capset, &ch, cd));
        ch.pid = 0;
        ch.version = 7;
        show("capset bad version", syscall(SYS_capset, &ch, cd));
        printf("  version written back %#x\n", ch.version);
        fflush(stdout);
        _exit(0);
    }
    waitpid(child, NULL, 0);
    /* PR_SET_KEEPCAPS (setpriv --reuid, su, servers dropping root): the permitted set survives
     * setresuid away from root, the effective one does not, and capset may raise it again;
     * without it both are gone and setresgid is refused. Each in a child of its own. */
    for (int keep = 1; keep >= 0; keep--) {
        fflush(stdout);
        if ((child = fork()) == 0) {
            printf("  keepcaps %d\n", keep);
            show("get_keepcaps", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
            show("set_keepcaps 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
            show("set_keepcaps", prctl(PR_SET_KEEPCAPS, keep, 0, 0, 0));
            show("get_keepcaps", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
            show("get_securebits", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
            show("setresuid 54321", setresuid(54321, 54321, 54321));
            struct __user_cap_header_struct ch = { _LINUX_CAPABILITY_VERSION_3, 0 };
            struct __user_cap_data_struct cd[2];
            syscall(SYS_capget, &ch, cd);
            printf("  eff %08x prm has setgid %d\n", cd[0].effective, !!(cd[0].permitted & (1u << CAP_SETGID)));
            cd[0].effective = cd[0].permitted & (1u << CAP_SETGID);
            cd[1].effective = 0;
            show("capset eff setgid", syscall(SYS_capset, &ch, cd));
            show("setresgid 54321", setresgid(54321, 54321, 54321));
            show("get_keepcaps", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
            fflush(stdout);
            _exit(0);
        }
        waitpid(child, NULL, 0);
    }
    /* host and domain names (the oracle runs in a UTS namespace of its own) */
    show("sethostname", sethostname("probe-host", 10));
    show("setdomainname", setdomainname("probe.dom", 9));
    struct utsname u;
    uname(&u);
    printf("  uname %s %s\n", u.nodename, u.domainname);
    char name[80];
    gethostname(name, sizeof(name));
    printf("  gethostname %s\n", name);
    memset(name, 'x', sizeof(name));
    show("sethostname 65", sethostname(name, 65));
    show("sethostname 64", sethostname(name, 64));
    uname(&u);
    printf("  nodename length %zu\n", strlen(u.nodename));
    show("sethostname -1", syscall(SYS_sethostname, name, -1));
    show("sethostname bad", syscall(SYS_sethostname, 8, 4));
    show("sethostname 0", sethostname("", 0));
    uname(&u);
    printf("  nodename '%s'\n", u.nodename);
    /* reboot's checks (a good magic is only tried on our kernel, at the end) */
    show("reboot bad magic1", syscall(SYS_reboot, 0x1234, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0));
    show("reboot bad magic2", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, 0x1234, LINUX_REBOOT_CMD_POWER_OFF, 0));
    /* file-range hints */
    int fd = open("/tmp/sched_mem_ident.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(fd, "hello\n", 6);
    int p[2];
    pipe(p);
    int null = open("/dev/null", O_RDONLY);
    int wo = open("/tmp/sched_mem_ident.tmp", O_WRONLY);
    show("sync_file_range", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER));
    show("sync_file_range flags 8", sync_file_range(fd, 0, 0, 8));
    show("sync_file_range offset -1", sync_file_range(fd, -1, 0, 0));
    show("sync_file_range nbytes -1", sync_file_range(fd, 0, -1, 0));
    show("sync_file_range pipe", sync_file_range(p[0], 0, 0, 0));
    show("sync_file_range /dev/null", sync_file_range(null, 0, 0, 0));
    show("sync_file_range bad fd", sync_file_range(99, 0, 0, 0));
    show("readahead", readahead(fd, 0, 4096));
    show("readahead pipe", readahead(p[0], 0, 4096));
    show("readahead /dev/null", readahead(null, 0, 4096));
    show("readahead write-only", readahead(wo, 0, 4096));
    show("readahead bad fd", readahead(99, 0, 4096));
    close(fd);
    close(wo);
    close(null);
    unlink("/tmp/sched_mem_ident.tmp");
}

static void section_prctl(void)
{
    printf("6. prctl\n");
    show("capbset_read 0", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));
    show("capbset_read 40", prctl(PR_CAPBSET_READ, 40, 0, 0, 0));
    show("capbset_read 64", prctl(PR_CAPBSET_READ, 64, 0, 0, 0));
    show("get_securebits", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
    show("get_timerslack", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("set_timerslack", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
    show("get_timerslack", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("set_timerslack 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
    show("get_timerslack", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    show("umask", umask(027));
    show("umask", umask(022));
}

/* What qemu-aarch64-static cannot answer (it has no mlock2 and refuses these prctl options
 * itself): printed only with "reboot", checked against Linux's documented answers. */
static void section_beyond_qemu(void)
{
    printf("7. beyond qemu\n");
    size_t len = 4 * 4096;
    long base = vmlck_kb();
    char *n = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("mlock2 flags 2", sys(SYS_mlock2, (long)n, len, 2, 0));
    show("mlock2 onfault", sys(SYS_mlock2, (long)n, len, MLOCK_ONFAULT, 0));
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
    residency("onfault", n, len);
    show("mlock2 plain", sys(SYS_mlock2, (long)n, len, 0, 0));
    residency("populated", n, len);
    munmap(n, len);
    printf("  VmLck after munmap +%ld kB\n", vmlck_kb() - base);
    show("get_seccomp", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    show("get_thp_disable", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    show("set_thp_disable", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
    show("get_thp_disable", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
    show("set_thp_disable bad", prctl(PR_SET_THP_DISABLE, 1, 1, 0, 0));
    /* a child subreaper adopts its descendants' orphans (pid 1 would otherwise) */
    int on = 7;
    show("get_child_subreaper", prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0));
    printf("  %d\n", on);
    pid_t s = fork();
    if (s == 0) {
        pid_t me = getpid();
        show("set_child_subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
        prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0);
        printf("  %d\n", on);
        int p[2];
        pipe(p);
        pid_t a = fork();
        if (a == 0) {
            if (fork() == 0) {          /* the grandchild: reads EOF once its parent is reaped */
                close(p[1]);
                char c;
                read(p[0], &c, 1);
                printf("  orphan adopted by the subreaper: %s\n", getppid() == me ? "yes" : "no");
                fflush(stdout);
                _exit(0);
            }
            _exit(0);
        }
        close(p[0]);
        waitpid(a, NULL, 0);            /* the middle process is gone: its child is an orphan */
        close(p[1]);
        pid_t got = wait(NULL);
        printf("  subreaper reaped its grandchild: %s\n", got > 0 && got != a ? "yes" : "no");
        fflush(stdout);
        _exit(0);
    }
    waitpid(s, NULL, 0);
    show("get_child_subreaper, parent", prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0));
    printf("  %d\n", on);
    show("mlockall current", mlockall(MCL_CURRENT));
    printf("  VmLck grew: %s\n", vmlck_kb() > base ? "yes" : "no");
    show("munlockall", munlockall());
    printf("  VmLck +%ld kB\n", vmlck_kb() - base);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    section_sched();
    section_priority();
    section_mlock();
    section_membarrier();
    section_ident();
    section_prctl();
    if (argc > 1 && !strcmp(argv[1], "reboot")) {
        section_beyond_qemu();
        printf("8. reboot\n");
        show("reboot cad on", syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_ON, 0));
        fflush(stdout);
        syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
        printf("reboot returned\n");
    }
    return 0;
}
