/* seccomp as Linux answers it, section by section: the seccomp(2) and prctl interface, the
 * checks a BPF program must pass, every action (ERRNO, TRACE and USER_NOTIF without anyone to
 * ask, LOG, TRAP with its siginfo, KILL_THREAD, KILL_PROCESS), strict mode, several filters,
 * what a filter sees, and inheritance (fork, threads, TSYNC, execve). Each case runs in a child
 * of its own: a filter cannot be taken off. The oracle is this program built for the host and
 * run natively (filters are generic kernel code; the architecture's own AUDIT_ARCH and syscall
 * numbers are compiled in), so nothing printed depends on the architecture.
 * argv: none, or "exec-check" for the program execve'd under a filter. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_print.h"

#ifdef __aarch64__
#define ARCH AUDIT_ARCH_AARCH64
#else
#define ARCH AUDIT_ARCH_X86_64
#endif

static char self[4096];

static long sc(unsigned int op, unsigned int flags, void *args)
{
    return syscall(SYS_seccomp, op, flags, args);
}

static long install(struct sock_filter *f, unsigned short n, unsigned int flags)
{
    struct sock_fprog p = { n, f };
    return sc(SECCOMP_SET_MODE_FILTER, flags, &p);
}

/* For system call nr: `action`; everything else runs. */
static long on_call(int nr, uint32_t action, unsigned int flags)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, action),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    return install(f, 4, flags);
}

static void status(const char *what, int st)
{
    if (WIFEXITED(st))
        say("   %s: exit %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        say("   %s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
    else
        say("   %s: status %#x\n", what, st);
}

/* fn in a child with no_new_privs (so a filter needs no CAP_SYS_ADMIN); how it ended. */
static void isolated(const char *what, void (*fn)(void))
{
    pid_t c = fork();
    if (c == 0) {
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        alarm(10);
        fn();
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st))
        status(what, st);
}

/* ---- 1. the interface ---- */

static void section_interface(void)
{
    say("1. seccomp(2) and prctl\n");
    uint32_t actions[] = { SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP, SECCOMP_RET_ERRNO,
                           SECCOMP_RET_USER_NOTIF, SECCOMP_RET_TRACE, SECCOMP_RET_LOG, SECCOMP_RET_ALLOW,
                           0x12340000, SECCOMP_RET_ERRNO | 5 };
    for (size_t i = 0; i < sizeof actions / sizeof *actions; i++) {
        char what[64];
        snprintf(what, sizeof what, "GET_ACTION_AVAIL %#x", actions[i]);
        r(what, sc(SECCOMP_GET_ACTION_AVAIL, 0, &actions[i]));
    }
    r("GET_ACTION_AVAIL with flags", sc(SECCOMP_GET_ACTION_AVAIL, 1, &actions[0]));
    r("GET_ACTION_AVAIL, bad pointer", sc(SECCOMP_GET_ACTION_AVAIL, 0, (void *)8));
    struct seccomp_notif_sizes sizes;
    r("GET_NOTIF_SIZES", sc(SECCOMP_GET_NOTIF_SIZES, 0, &sizes));
    say("   sizes: notif %u, resp %u, data %u\n", sizes.seccomp_notif, sizes.seccomp_notif_resp, sizes.seccomp_data);
    r("GET_NOTIF_SIZES with flags", sc(SECCOMP_GET_NOTIF_SIZES, 1, &sizes));
    r("op 99", sc(99, 0, NULL));
    r("SET_MODE_STRICT with flags", sc(SECCOMP_SET_MODE_STRICT, 1, NULL));
    r("SET_MODE_STRICT with args", sc(SECCOMP_SET_MODE_STRICT, 0, &sizes));
    r("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    r("PR_SET_SECCOMP mode 7", prctl(PR_SET_SECCOMP, 7, 0, 0, 0));
}

/* ---- 2. what a program must pass ---- */

#define RET_ALLOW BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

static void check(const char *what, struct sock_filter *f, unsigned short n)
{
    r(what, install(f, n, 0));
}

static void validation(void)
{
    struct sock_filter allow[] = { RET_ALLOW };
    struct sock_fprog p = { 0, allow };
    r("length 0", sc(SECCOMP_SET_MODE_FILTER, 0, &p));
    p.len = 4097;
    r("length 4097", sc(SECCOMP_SET_MODE_FILTER, 0, &p));
    r("bad sock_fprog pointer", sc(SECCOMP_SET_MODE_FILTER, 0, (void *)8));
    p = (struct sock_fprog){ 1, (struct sock_filter *)8 };
    r("bad program pointer", sc(SECCOMP_SET_MODE_FILTER, 0, &p));
    r("unknown flag", install(allow, 1, 1u << 10));
    r("TSYNC with NEW_LISTENER", install(allow, 1, SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_NEW_LISTENER));
    r("WAIT_KILLABLE_RECV alone", install(allow, 1, 1u << 5));
    struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0) };
    check("no RET at the end", no_ret, 1);
    struct sock_filter far[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0), RET_ALLOW };
    check("a jump past the end", far, 2);
    struct sock_filter far_cond[] = { BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1), RET_ALLOW };
    check("a conditional jump past the end", far_cond, 2);
    struct sock_filter at64[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 64), RET_ALLOW };
    check("a load at offset 64", at64, 2);
    struct sock_filter at2[] = { BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 2), RET_ALLOW };
    check("an unaligned load", at2, 2);
    struct sock_filter half[] = { BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 0), RET_ALLOW };
    check("a halfword load", half, 2);
    struct sock_filter ind[] = { BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0), RET_ALLOW };
    check("an indirect load", ind, 2);
    struct sock_filter mod[] = { BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, 3), RET_ALLOW };
    check("MOD", mod, 2);
    struct sock_filter div0[] = { BPF_STMT(BPF_ALU | BPF_DIV | BPF_K, 0), RET_ALLOW };
    check("DIV by a constant 0", div0, 2);
    struct sock_filter lsh32[] = { BPF_STMT(BPF_ALU | BPF_LSH | BPF_K, 32), RET_ALLOW };
    check("LSH by 32", lsh32, 2);
    struct sock_filter unstored[] = { BPF_STMT(BPF_LD | BPF_MEM, 3), RET_ALLOW };
    check("a scratch word read before it is stored", unstored, 2);
    struct sock_filter slot16[] = { BPF_STMT(BPF_ST, 16), RET_ALLOW };
    check("scratch word 16", slot16, 2);
    struct sock_filter one_path[] = {
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
        BPF_STMT(BPF_ST, 2),
        BPF_STMT(BPF_LD | BPF_MEM, 2),
        RET_ALLOW,
    };
    check("stored on one path only", one_path, 4);
    struct sock_filter ret_x[] = { BPF_STMT(BPF_RET | BPF_X, 0) };
    check("RET X", ret_x, 1);
    struct sock_filter msh[] = { BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0), RET_ALLOW };
    check("LDX MSH", msh, 2);
    struct sock_filter fine[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
        BPF_STMT(BPF_ST, 15),
        BPF_STMT(BPF_LDX | BPF_MEM, 15),
        BPF_STMT(BPF_MISC | BPF_TXA, 0),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 0),
        RET_ALLOW,
    };
    check("a program that passes", fine, 7);
    r("PR_GET_SECCOMP after it", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    r("strict mode after a filter", sc(SECCOMP_SET_MODE_STRICT, 0, NULL));
}

static void section_validation(void)
{
    say("2. what a program must pass\n");
    isolated("validation", validation);
}

/* ---- 3. actions ---- */

static void act_errno(void)
{
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | EPERM, 0);
    r("ERRNO(EPERM) on getpid", syscall(SYS_getpid));
    r("getppid still runs", syscall(SYS_getppid) > 0);
}

static void act_errno_big(void)
{
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | 5000, 0);
    long ret = syscall(SYS_getpid);
    say("   ERRNO(5000) on getpid = %ld errno %d\n", ret, errno);
}

static void act_errno_zero(void)
{
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | 0, 0);
    long ret = syscall(SYS_getpid);
    say("   ERRNO(0) on getpid = %ld\n", ret);
}

static void act_trace(void)
{
    on_call(SYS_getpid, SECCOMP_RET_TRACE | 7, 0);
    r("TRACE without a tracer", syscall(SYS_getpid));
}

static void act_user_notif(void)
{
    on_call(SYS_getpid, SECCOMP_RET_USER_NOTIF, 0);
    r("USER_NOTIF without a listener", syscall(SYS_getpid));
}

static void act_log(void)
{
    on_call(SYS_getpid, SECCOMP_RET_LOG, 0);
    r("LOG lets it run", syscall(SYS_getpid) == getppid() ? -1 : syscall(SYS_getpid) > 0);
}

static volatile sig_atomic_t trapped;
static siginfo_t trap_info;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    trap_info = *si;
    trapped++;
}

static void act_trap(void)
{
    struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
    sigaction(SIGSYS, &sa, NULL);
    on_call(SYS_getpid, SECCOMP_RET_TRAP | 0x42, 0);
    syscall(SYS_getpid, 11, 22);
    say("   TRAP: handler ran %d, si_signo %s, si_code %d, si_errno %#x, si_syscall is getpid %d, "
        "si_arch ok %d, si_call_addr set %d\n", trapped, sigabbrev_np(trap_info.si_signo), trap_info.si_code,
        trap_info.si_errno, trap_info.si_syscall == SYS_getpid, trap_info.si_arch == ARCH,
        trap_info.si_call_addr != NULL);
}

static void act_trap_blocked(void)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSYS);
    sigprocmask(SIG_BLOCK, &s, NULL);
    on_call(SYS_getpid, SECCOMP_RET_TRAP, 0);
    syscall(SYS_getpid);
    say("   not reached\n");
}

static void act_trap_ignored(void)
{
    signal(SIGSYS, SIG_IGN);
    on_call(SYS_getpid, SECCOMP_RET_TRAP, 0);
    syscall(SYS_getpid);
    say("   not reached\n");
}

static void act_kill_process(void)
{
    signal(SIGSYS, SIG_IGN);
    on_call(SYS_getpid, SECCOMP_RET_KILL_PROCESS, 0);
    syscall(SYS_getpid);
    say("   not reached\n");
}

static void act_kill_thread(void)
{
    struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };
    sigaction(SIGSYS, &sa, NULL);
    on_call(SYS_getpid, SECCOMP_RET_KILL_THREAD, 0);
    syscall(SYS_getpid);
    say("   not reached\n");
}

static void act_unknown(void)
{
    on_call(SYS_getpid, 0x12340000, 0);
    syscall(SYS_getpid);
    say("   not reached\n");
}

static void *thread_getpid(void *arg)
{
    (void)arg;
    syscall(SYS_getpid);
    say("   not reached in the thread\n");
    return NULL;
}

static void act_kill_one_thread(void)
{
    on_call(SYS_getpid, SECCOMP_RET_KILL_THREAD, 0);
    pthread_t t;
    pthread_create(&t, NULL, thread_getpid, NULL);
    pthread_join(t, NULL);
    say("   KILL_THREAD in a second thread: the process goes on\n");
}

static void section_actions(void)
{
    say("3. actions\n");
    isolated("ERRNO", act_errno);
    isolated("ERRNO past MAX_ERRNO", act_errno_big);
    isolated("ERRNO 0", act_errno_zero);
    isolated("TRACE", act_trace);
    isolated("USER_NOTIF", act_user_notif);
    isolated("LOG", act_log);
    isolated("TRAP", act_trap);
    isolated("TRAP with SIGSYS blocked", act_trap_blocked);
    isolated("TRAP with SIGSYS ignored", act_trap_ignored);
    isolated("KILL_PROCESS", act_kill_process);
    isolated("KILL_THREAD, the only thread", act_kill_thread);
    isolated("an unknown action", act_unknown);
    isolated("KILL_THREAD, another thread", act_kill_one_thread);
}

/* ---- 4. strict mode ---- */

static void strict_write(void)
{
    prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0);
    const char line[] = "   strict: write still runs\n";
    write(1, line, sizeof line - 1);
    syscall(SYS_exit, 3);
}

static void strict_getpid(void)
{
    sc(SECCOMP_SET_MODE_STRICT, 0, NULL);
    syscall(SYS_getpid);
    const char line[] = "   not reached\n";
    write(1, line, sizeof line - 1);
    syscall(SYS_exit, 0);
}

static void strict_exit_group(void)
{
    sc(SECCOMP_SET_MODE_STRICT, 0, NULL);
    _exit(4);                           /* exit_group: not one of the four */
}

static void strict_then_filter(void)
{
    struct sock_filter allow[] = { RET_ALLOW };
    struct sock_fprog p = { 1, allow };
    sc(SECCOMP_SET_MODE_STRICT, 0, NULL);
    long r = sc(SECCOMP_SET_MODE_FILTER, 0, &p);   /* seccomp itself is not allowed: killed */
    (void)r;
    syscall(SYS_exit, 0);
}

static void section_strict(void)
{
    say("4. strict mode\n");
    isolated("strict, exit(3)", strict_write);
    isolated("strict, getpid", strict_getpid);
    isolated("strict, exit_group", strict_exit_group);
    isolated("strict, then seccomp", strict_then_filter);
}

/* ---- 5. several filters, and what a filter sees ---- */

static void two_errnos(void)
{
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | 1, 0);
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | 2, 0);
    r("ERRNO(1) then ERRNO(2): the newest of equals", syscall(SYS_getpid));
    on_call(SYS_getpid, SECCOMP_RET_ALLOW, 0);
    r("then ALLOW: the most restrictive", syscall(SYS_getpid));
    on_call(SYS_getpid, SECCOMP_RET_TRACE, 0);
    r("then TRACE: ERRNO is more restrictive", syscall(SYS_getpid));
    r("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
}

static void sees(void)
{
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 9),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x1234, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1]) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xabcd, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 78),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 79),
        RET_ALLOW,
    };
    install(f, sizeof f / sizeof *f, 0);
    long ret = syscall(SYS_getpid, 0x1234);
    say("   args[0] low word: %ld errno %d\n", ret, errno);
    ret = syscall(SYS_getpid, 0, 0xabcd00000000UL);
    say("   args[1] high word: %ld errno %d\n", ret, errno);
    ret = syscall(SYS_getpid, 0, 0);
    say("   arch: %ld errno %d\n", ret, errno);
}

static void on_flags(void)
{
    /* openat with O_CREAT refused, any other open runs: a filter on an argument's bits */
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
        BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, O_CREAT, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EACCES),
        RET_ALLOW,
    };
    install(f, sizeof f / sizeof *f, 0);
    int fd = open("/proc/self/status", O_RDONLY);
    say("   open without O_CREAT works: %d\n", fd >= 0);
    r("open with O_CREAT", open("/tmp/seccompconf-nope", O_CREAT | O_WRONLY, 0600));
}

static void len_and_alu(void)
{
    /* A = LEN (64); A = A * 3 - 2; A >>= 1 -> 95; A / X (0) ends the program with 0 (KILL_THREAD)
     * for getppid only. */
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getpid, 0, 6),
        BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
        BPF_STMT(BPF_ALU | BPF_MUL | BPF_K, 3),
        BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 2),
        BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 1),
        BPF_STMT(BPF_ALU | BPF_OR | BPF_K, SECCOMP_RET_ERRNO),
        BPF_STMT(BPF_RET | BPF_A, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
        BPF_STMT(BPF_LDX | BPF_IMM, 0),
        BPF_STMT(BPF_ALU | BPF_DIV | BPF_X, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
        RET_ALLOW,
    };
    install(f, sizeof f / sizeof *f, 0);
    long ret = syscall(SYS_getpid);
    say("   RET A of (LEN * 3 - 2) >> 1 | ERRNO: %ld errno %d\n", ret, errno);
    syscall(SYS_getppid);
    say("   not reached\n");
}

static void section_filters(void)
{
    say("5. several filters, and what a filter sees\n");
    isolated("two filters", two_errnos);
    isolated("seccomp_data", sees);
    isolated("a filter on flags", on_flags);
    isolated("LEN, ALU and a division by zero", len_and_alu);
}

/* ---- 6. inheritance ---- */

static void forked(void)
{
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | EPERM, 0);
    pid_t c = fork();
    if (c == 0) {
        r("in a forked child", syscall(SYS_getpid));
        r("its PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
        _exit(0);
    }
    waitpid(c, NULL, 0);
    char *args[] = { self, "exec-check", NULL };
    fflush(stdout);
    execv(self, args);
    say("   execv failed\n");
}

static volatile int phase;

static void *waiter(void *arg)
{
    (void)arg;
    while (phase == 0)
        usleep(1000);
    r("   a thread made before, without TSYNC", syscall(SYS_getpid) > 0);
    phase = 2;
    while (phase == 2)
        usleep(1000);
    r("   after TSYNC", syscall(SYS_getpid));
    return NULL;
}

static void threads(void)
{
    pthread_t t;
    pthread_create(&t, NULL, waiter, NULL);
    on_call(SYS_getpid, SECCOMP_RET_ERRNO | EPERM, 0);
    phase = 1;
    while (phase == 1)
        usleep(1000);
    r("TSYNC", on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC));
    phase = 3;
    pthread_join(t, NULL);
}

static volatile pid_t own_tid;

static void *own_filter(void *arg)
{
    (void)arg;
    own_tid = (pid_t)syscall(SYS_gettid);
    on_call(SYS_getppid, SECCOMP_RET_ERRNO | EPERM, 0);
    phase = 1;
    while (phase == 1)
        usleep(1000);
    return NULL;
}

static void tsync_fails(void)
{
    pthread_t t;
    phase = 0;
    pthread_create(&t, NULL, own_filter, NULL);
    while (phase == 0)
        usleep(1000);
    long ret = on_call(SYS_getpid, SECCOMP_RET_ERRNO | EPERM, SECCOMP_FILTER_FLAG_TSYNC);
    say("   TSYNC with a thread on another chain: %s\n", ret == own_tid ? "its tid" : ret == 0 ? "0" : "other");
    r("with TSYNC_ESRCH", on_call(SYS_getpid, SECCOMP_RET_ERRNO | EPERM,
                                  SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_TSYNC_ESRCH));
    r("no filter was added", syscall(SYS_getpid) > 0);
    phase = 2;
    pthread_join(t, NULL);
}

static void section_inherit(void)
{
    say("6. fork, threads, TSYNC, execve\n");
    isolated("fork and execve", forked);
    isolated("threads", threads);
    isolated("TSYNC failing", tsync_fails);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && !strcmp(argv[1], "exec-check")) {
        r("after execve", syscall(SYS_getpid));
        r("its PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
        return 0;
    }
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    alarm(60);
    section_interface();
    section_validation();
    section_actions();
    section_strict();
    section_filters();
    section_inherit();
    return 0;
}
