/* Signal behaviour probe: every line it prints must match Linux (the oracle is this program under
 * qemu-aarch64-static on the host kernel). Each numbered case checks one rule of signal(7),
 * sigaction(2), sigaltstack(2), setitimer(2) or the arm64 frame layout. Output goes through
 * write(2) so handler and main-line messages appear in the order they happen. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (write(1, buf, (size_t)n) < 0)
        _exit(99);
}

static volatile sig_atomic_t hits;
static volatile int last_code, last_pid_ok, in_mask_self, in_mask_other;
static volatile uintptr_t last_addr;
static sigjmp_buf jump;
static int pipefd[2];

static void info_handler(int sig, siginfo_t *si, void *ucv)
{
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    hits++;
    last_code = si->si_code;
    last_pid_ok = si->si_pid == getpid();
    in_mask_self = sigismember(&now, sig);
    in_mask_other = sigismember(&now, SIGUSR2);
    say("  handler: sig %d code %d pid-ok %d self-blocked %d usr2-blocked %d\n", sig, si->si_code,
        last_pid_ok, in_mask_self, in_mask_other);
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int also_block)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    if (also_block)
        sigaddset(&sa.sa_mask, also_block);
    if (sigaction(sig, &sa, NULL))
        say("sigaction failed: %s\n", strerror(errno));
}

static void fault_handler(int sig, siginfo_t *si, void *ucv)
{
    last_code = si->si_code;
    last_addr = (uintptr_t)si->si_addr;
    siglongjmp(jump, sig);
}

static void skip_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    say("  handler: sig %d code %d addr-is-pc %d\n", sig, si->si_code, (uintptr_t)si->si_addr == uc->uc_mcontext.pc);
    uc->uc_mcontext.pc += 4;           /* step over the faulting instruction */
}

static char altstack[64 * 1024];

static void onstack_handler(int sig, siginfo_t *si, void *ucv)
{
    int local;
    stack_t now, tiny = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
    sigaltstack(NULL, &now);
    int perm = sigaltstack(&tiny, NULL) == -1 ? errno : 0;
    say("  handler: on altstack %d, ss_flags %d, change while on it: %s\n",
        (char *)&local >= altstack && (char *)&local < altstack + sizeof(altstack), now.ss_flags,
        perm ? strerrorname_np(perm) : "ok");
}

static volatile double fp_seen;

static void fp_handler(int sig)
{
    volatile double x = 1.0;
    for (int i = 0; i < 50; i++)
        x = x * 1.5 + 0.25;            /* clobbers the FP registers the main line is using */
    fp_seen = x;
}

static void alarm_handler(int sig, siginfo_t *si, void *ucv)
{
    hits++;
    say("  handler: SIGALRM code %d\n", si->si_code);
    if (pipefd[1] > 0) {
        if (write(pipefd[1], "x", 1) != 1)
            _exit(98);
    }
}

static void plain_handler(int sig) { hits++; }

static void arm_alarm_ms(int ms)
{
    struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };
    setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);

    say("1. raise with SA_SIGINFO\n");
    set_handler(SIGUSR1, info_handler, 0, SIGUSR2);
    raise(SIGUSR1);
    say("   hits %d\n", hits);

    say("2. kill to self\n");
    kill(getpid(), SIGUSR1);

    say("3. blocked, pending, delivered on unblock\n");
    sigset_t set, pend;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    sigpending(&pend);
    say("   pending %d, hits %d\n", sigismember(&pend, SIGUSR1), hits);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    say("   after unblock hits %d\n", hits);

    say("4. SA_NODEFER and SA_RESETHAND\n");
    set_handler(SIGUSR1, info_handler, SA_NODEFER | SA_RESETHAND, 0);
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    say("   handler reset to default %d\n", now.sa_handler == SIG_DFL);

    say("5. SIGSEGV handler, unmapped and read-only\n");
    set_handler(SIGSEGV, fault_handler, 0, 0);
    volatile int *bad = (int *)0x10;
    if (sigsetjmp(jump, 1) == 0)
        *bad = 1;
    say("   code %d addr %#lx\n", last_code, (unsigned long)last_addr);
    char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(jump, 1) == 0)
        ro[8] = 1;
    say("   code %d addr-ok %d\n", last_code, last_addr == (uintptr_t)(ro + 8));
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    say("   SIGSEGV blocked after siglongjmp %d\n", sigismember(&cur, SIGSEGV));

    say("6. SIGILL handler edits the pc\n");
    set_handler(SIGILL, skip_handler, 0, 0);
    __asm__ volatile(".inst 0x00000000");   /* udf #0 */
    say("   resumed after the instruction\n");

    say("7. sigaltstack\n");
    stack_t ss = { .ss_sp = altstack, .ss_size = 1024, .ss_flags = 0 }, old;
    say("   tiny: %s\n", sigaltstack(&ss, NULL) ? strerrorname_np(errno) : "ok");
    ss.ss_flags = 5;
    ss.ss_size = sizeof(altstack);
    say("   bad flags: %s\n", sigaltstack(&ss, NULL) ? strerrorname_np(errno) : "ok");
    ss.ss_flags = 0;
    say("   set: %s\n", sigaltstack(&ss, &old) ? strerrorname_np(errno) : "ok");
    say("   old flags %d\n", old.ss_flags);
    set_handler(SIGUSR2, (void (*)(int, siginfo_t *, void *))onstack_handler, SA_ONSTACK, 0);
    raise(SIGUSR2);
    sigaltstack(NULL, &old);
    say("   after: flags %d size-ok %d\n", old.ss_flags, old.ss_size == sizeof(altstack));

    say("8. FP registers survive a handler\n");
    signal(SIGUSR2, fp_handler);
    double a = 3.25;
    volatile double b = a * 2.0;
    raise(SIGUSR2);
    say("   %s\n", b * 2.0 == 13.0 && a == 3.25 && fp_seen > 1000 ? "preserved" : "clobbered");

    say("9. setitimer and pause\n");
    set_handler(SIGALRM, alarm_handler, 0, 0);
    struct itimerval it = { { 0, 0 }, { 5, 0 } }, got;
    setitimer(ITIMER_REAL, &it, NULL);
    getitimer(ITIMER_REAL, &got);
    say("   remaining between 4 and 5 s: %d\n", got.it_value.tv_sec == 4 || (got.it_value.tv_sec == 5 && got.it_value.tv_usec == 0));
    arm_alarm_ms(30);
    int r = pause();
    say("   pause %d %s\n", r, strerrorname_np(errno));

    say("10. read interrupted: EINTR without SA_RESTART, restarted with it\n");
    if (pipe(pipefd))
        return 1;
    set_handler(SIGALRM, alarm_handler, 0, 0);
    char c;
    arm_alarm_ms(30);
    ssize_t n = read(pipefd[0], &c, 1);
    say("   read %zd %s\n", n, n < 0 ? strerrorname_np(errno) : "");
    if (read(pipefd[0], &c, 1) != 1)
        say("   drain failed\n");
    set_handler(SIGALRM, alarm_handler, SA_RESTART, 0);
    arm_alarm_ms(30);
    n = read(pipefd[0], &c, 1);
    say("   read %zd '%c'\n", n, c);

    say("11. nanosleep interrupted\n");
    pipefd[1] = 0;
    arm_alarm_ms(30);
    struct timespec req = { 2, 0 }, rem = { 0, 0 };
    r = nanosleep(&req, &rem);
    say("   nanosleep %d %s rem-ok %d\n", r, strerrorname_np(errno), rem.tv_sec == 1 || rem.tv_sec == 2);

    say("12. sigtimedwait and sigqueue\n");
    sigprocmask(SIG_BLOCK, &set, NULL);
    union sigval v = { .sival_int = 42 };
    sigqueue(getpid(), SIGUSR1, v);
    siginfo_t si;
    r = sigtimedwait(&set, &si, NULL);
    say("   got %d code %d value %d\n", r, si.si_code, si.si_value.sival_int);
    struct timespec short_wait = { 0, 20 * 1000 * 1000 };
    r = sigtimedwait(&set, &si, &short_wait);
    say("   timeout %d %s\n", r, strerrorname_np(errno));
    sigprocmask(SIG_UNBLOCK, &set, NULL);

    say("13. sigsuspend\n");
    sigset_t block_alrm, empty;
    sigemptyset(&block_alrm);
    sigaddset(&block_alrm, SIGALRM);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block_alrm, NULL);
    arm_alarm_ms(20);
    r = sigsuspend(&empty);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    say("   sigsuspend %d %s, SIGALRM blocked again %d\n", r, strerrorname_np(errno), sigismember(&cur, SIGALRM));
    sigprocmask(SIG_UNBLOCK, &block_alrm, NULL);

    say("14. interval timer ticks\n");
    hits = 0;
    signal(SIGALRM, plain_handler);
    struct itimerval iv = { { 0, 10000 }, { 0, 10000 } };
    setitimer(ITIMER_REAL, &iv, NULL);
    while (hits < 3)
        pause();
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, &got);
    say("   three ticks, old interval %ld us\n", (long)got.it_interval.tv_usec);

    say("15. sigaction errors and ignored pending signal\n");
    say("   SIGKILL: %s\n", sigaction(SIGKILL, &now, NULL) ? strerrorname_np(errno) : "ok");
    say("   signal 65: %s\n", sigaction(65, &now, NULL) ? strerrorname_np(errno) : "ok");
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    signal(SIGUSR1, SIG_IGN);
    sigpending(&pend);
    say("   pending after SIG_IGN %d\n", sigismember(&pend, SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    say("   kill 0: %d, bad signal: %s\n", kill(getpid(), 0), kill(getpid(), 99) ? strerrorname_np(errno) : "ok");

    say("16. handler installed without SA_RESTORER returns through the kernel's trampoline\n");
    struct { void (*handler)(int); unsigned long flags; void *restorer; unsigned long mask; } ksa = { plain_handler, 0, 0, 0 };
    hits = 0;
    syscall(SYS_rt_sigaction, SIGUSR2, &ksa, NULL, 8);
    raise(SIGUSR2);
    say("   hits %d\n", hits);

    say("17. SIGPIPE handler, then EPIPE\n");
    signal(SIGPIPE, plain_handler);
    int p2[2];
    if (pipe(p2))
        return 1;
    close(p2[0]);
    hits = 0;
    r = (int)write(p2[1], "x", 1);
    say("   write %d %s hits %d\n", r, strerrorname_np(errno), hits);

    say("18. abort with a returning handler\n");
    signal(SIGABRT, plain_handler);
    abort();
}
