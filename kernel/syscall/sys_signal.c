/* Sending signals to ourselves (kill, tkill, tgkill). Handlers are not delivered yet (the
 * signals issue adds frames and rt_sigreturn), but default actions are: a terminating signal
 * ends the program with status 128+N as on Linux, an ignored one is dropped, and a blocked one
 * waits in the pending set until rt_sigprocmask unblocks it. */
#include "kernel.h"
#include "syscall.h"
#include "signal.h"
#include "process.h"
#include "errno.h"

#define SIG_DFL 0
#define SIG_IGN 1

static const char *const names[32] = {
    [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
    [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
    [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
    [31] = "SIGSYS",
};

/* Linux's default action ignores these; stop signals have nothing to stop to here. */
static bool ignored_by_default(int sig)
{
    return sig == 17 || sig == 18 || sig == 23 || sig == 28 || sig == 19 || sig == 20 ||
           sig == 21 || sig == 22;
}

static uint64_t bit(int sig) { return 1UL << (sig - 1); }

/* Act on every pending, unblocked signal. Returns only if none terminates the program. */
void signals_deliver(struct process *p)
{
    uint64_t ready = p->sigpending & ~p->sigmask;
    for (int sig = 1; ready && sig <= 64; sig++) {
        if (!(ready & bit(sig)))
            continue;
        p->sigpending &= ~bit(sig);
        ready &= ~bit(sig);
        uint64_t handler = p->sigactions[sig - 1].handler;
        if (handler == SIG_IGN || (handler == SIG_DFL && ignored_by_default(sig)))
            continue;
        kprintf("killed by %s\n", sig < 32 && names[sig] ? names[sig] : "a real-time signal");
        process_exit(128 + sig);
    }
}

static int64_t send_self(int sig)
{
    struct process *p = current_process();
    if (sig < 0 || sig > 64)
        return -EINVAL;
    if (sig == 0)
        return 0;   /* existence check */
    uint64_t handler = p->sigactions[sig - 1].handler;
    if (handler != SIG_DFL && handler != SIG_IGN && sig != 9 && sig != 19) {
        kinfo("signal: handler delivery not implemented (signal %d)\n", sig);
        return -ENOSYS;
    }
    p->sigpending |= bit(sig);
    if (sig == 9)
        p->sigmask &= ~bit(9);
    signals_deliver(p);
    return 0;
}

static bool is_self(int64_t pid)
{
    return pid == current_process()->pid || pid == 0 || pid == -1;
}

SYSCALL(kill)
{
    return is_self((int64_t)(int)a0) ? send_self((int)a1) : -ESRCH;
}

SYSCALL(tkill)
{
    if ((int)a0 <= 0)
        return -EINVAL;
    return (int)a0 == current_process()->pid ? send_self((int)a1) : -ESRCH;
}

SYSCALL(tgkill)
{
    if ((int)a0 <= 0 || (int)a1 <= 0)
        return -EINVAL;
    if ((int)a0 != current_process()->pid || (int)a1 != current_process()->pid)
        return -ESRCH;
    return send_self((int)a2);
}
