/* Signal generation and delivery, following Linux's kernel/signal.c and arm64's do_signal:
 * a signal is queued (one instance per number), acted on when the program next returns to user
 * space, and a handler runs on a frame the architecture builds on the user stack. Blocking waits
 * end early when a deliverable signal is pending (signal_interrupts_wait), and the interrupted
 * call is restarted or fails with EINTR as Linux decides it. */
#include "kernel.h"
#include "signal.h"
#include "signal_arch.h"
#include "process.h"
#include "syscall.h"
#include "errno.h"

static const char *const names[32] = {
    [1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
    [6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
    [11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
    [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
    [26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
    [31] = "SIGSYS",
};

/* Signals the program caused itself go first, as Linux's next_signal does. */
#define SYNCHRONOUS (SIG_BIT(SIGSEGV) | SIG_BIT(SIGBUS) | SIG_BIT(SIGILL) | SIG_BIT(SIGTRAP) | \
                     SIG_BIT(SIGFPE) | SIG_BIT(SIGSYS))

/* Linux's default action ignores these; stop signals have nothing to stop to here (no parent
 * shell), so they are ignored too. */
static bool ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == 18 || sig == 23 || sig == 28 || sig == SIGSTOP || sig == 20 ||
           sig == 21 || sig == 22;
}

static bool ignored(struct process *p, int sig)
{
    uint64_t h = p->sig.action[sig - 1].handler;
    return h == SIG_IGN || (h == SIG_DFL && ignored_by_default(sig));
}

const char *signal_name(int sig)
{
    return sig > 0 && sig < 32 && names[sig] ? names[sig] : "a real-time signal";
}

/* Terminate as the default action does; the message matches what a shell would report. */
static __attribute__((noreturn)) void die(int sig)
{
    kprintf("killed by %s\n", signal_name(sig));
    process_exit(128 + sig);
}

void signal_send(struct process *p, int sig, const struct ksiginfo *info)
{
    /* Linux drops a signal whose action is to ignore it at generation time, blocked or not. */
    if (sig < 1 || sig > NSIG || (ignored(p, sig) && !(p->sig.blocked & SIG_BIT(sig))))
        return;
    if (p->sig.pending & SIG_BIT(sig))
        return;                    /* one instance queued already */
    p->sig.pending |= SIG_BIT(sig);
    struct ksiginfo *slot = &p->sig.info[sig - 1];
    if (info) {
        *slot = *info;
    } else {
        *slot = (struct ksiginfo){ .code = SI_KERNEL };
    }
    slot->signo = sig;
}

void signal_send_self(int sig, int code)
{
    struct process *p = current_process();
    struct ksiginfo info = { .signo = sig, .code = code, .pid = p->pid, .uid = 0 };
    signal_send(p, sig, &info);
}

static uint64_t deliverable(struct process *p)
{
    return p->sig.pending & ~p->sig.blocked;
}

bool signal_interrupts_wait(struct process *p)
{
    uint64_t ready = deliverable(p);
    for (int sig = 1; ready; sig++, ready >>= 1)
        if ((ready & 1) && !ignored(p, sig))
            return true;
    return false;
}

void signal_set_blocked(struct process *p, uint64_t mask)
{
    p->sig.blocked = mask & ~SIG_UNBLOCKABLE;
}

void signal_begin_temporary_mask(struct process *p, uint64_t mask)
{
    p->sig.saved_blocked = p->sig.blocked;
    p->sig.restore_saved = true;
    signal_set_blocked(p, mask);
}

void signal_end_temporary_mask(struct process *p, int64_t result)
{
    if (result == -EINTR || result == -ERESTARTNOHAND || result == -ERESTARTSYS)
        return;                    /* restored after the handler, from its frame */
    if (p->sig.restore_saved) {
        p->sig.blocked = p->sig.saved_blocked;
        p->sig.restore_saved = false;
    }
}

bool signal_on_altstack(struct process *p, uint64_t sp)
{
    const struct altstack *a = &p->sig.altstack;
    return a->size && sp > a->sp && sp - a->sp <= a->size;
}

/* The next pending unblocked signal, synchronous ones first, then by number. */
static int next_signal(struct process *p)
{
    uint64_t ready = deliverable(p);
    if (!ready)
        return 0;
    if (ready & SYNCHRONOUS)
        ready &= SYNCHRONOUS;
    return __builtin_ctzl(ready) + 1;
}

/* The system call whose result is in the frame, if it may still be restarted. */
static bool in_syscall;
static uint64_t syscall_arg0;

void signal_syscall_entry(uint64_t orig_x0)
{
    in_syscall = true;
    syscall_arg0 = orig_x0;
}

void signal_forget_syscall(void) { in_syscall = false; }

/* An interrupted call whose handler is about to run: EINTR, or a restart for ERESTARTSYS when
 * the handler was installed with SA_RESTART. */
static void resolve_restart(struct trap_frame *f, const struct kernel_sigaction *act)
{
    int64_t r = arch_syscall_result(f);
    if (r == -ERESTARTNOHAND || (r == -ERESTARTSYS && !(act->flags & SA_RESTART)))
        arch_set_syscall_result(f, -EINTR);
    else if (r == -ERESTARTSYS)
        arch_restart_syscall(f, syscall_arg0);
}

/* Push the handler frame and switch the registers to the handler. */
static bool run_handler(struct process *p, struct trap_frame *f, int sig, const struct ksiginfo *info)
{
    struct kernel_sigaction *act = &p->sig.action[sig - 1];
    struct kernel_sigaction used = *act;
    uint64_t sp = arch_user_sp(f);
    struct altstack before = p->sig.altstack;
    /* The mask the handler's return restores: the caller's, if a call swapped in its own. */
    uint64_t restore = p->sig.restore_saved ? p->sig.saved_blocked : p->sig.blocked;
    if ((used.flags & SA_ONSTACK) && p->sig.altstack.size && !signal_on_altstack(p, sp)) {
        sp = p->sig.altstack.sp + p->sig.altstack.size;
        if (p->sig.altstack.flags & SS_AUTODISARM)
            p->sig.altstack = (struct altstack){ 0 };
    }
    if (arch_signal_push_frame(f, sp, info, &used, p->sigreturn_page, restore, &before)) {
        p->sig.altstack = before;
        return false;
    }
    p->sig.restore_saved = false;
    uint64_t block = used.mask | (used.flags & SA_NODEFER ? 0 : SIG_BIT(sig));
    signal_set_blocked(p, p->sig.blocked | block);
    if (used.flags & SA_RESETHAND)
        act->handler = SIG_DFL;
    return true;
}

void signal_return_to_user(struct trap_frame *f)
{
    struct process *p = current_process();
    bool restarting = in_syscall;
    in_syscall = false;
    for (;;) {
        int sig = next_signal(p);
        if (!sig)
            break;
        struct ksiginfo info = p->sig.info[sig - 1];
        p->sig.pending &= ~SIG_BIT(sig);
        uint64_t handler = p->sig.action[sig - 1].handler;
        if (handler == SIG_IGN || (handler == SIG_DFL && ignored_by_default(sig)))
            continue;
        if (handler == SIG_DFL)
            die(sig);
        if (restarting) {
            resolve_restart(f, &p->sig.action[sig - 1]);
            restarting = false;
        }
        if (!run_handler(p, f, sig, &info)) {
            /* No room for the frame: Linux forces SIGSEGV, which with a broken stack is fatal. */
            kprintf("signal: cannot push a frame for %s at sp %#lx\n", signal_name(sig), arch_user_sp(f));
            die(SIGSEGV);
        }
        /* Like Linux, go on: another pending signal nests its frame on top of this one. */
    }
    if (!restarting)
        return;                    /* handled above (or not a system call) */
    int64_t r = arch_syscall_result(f);
    if (r == -ERESTARTSYS || r == -ERESTARTNOHAND)
        arch_restart_syscall(f, syscall_arg0);   /* nothing ran: the call simply goes on */
    if (p->sig.restore_saved) {
        p->sig.blocked = p->sig.saved_blocked;
        p->sig.restore_saved = false;
    }
}

void signal_fault(struct trap_frame *f, const struct ksiginfo *info, const char *what)
{
    struct process *p = current_process();
    int sig = info->signo;
    uint64_t handler = p->sig.action[sig - 1].handler;
    in_syscall = false;
    /* Linux's force_sig_info: a blocked or ignored fault signal cannot be held back; the
     * default action (death) happens instead. */
    if (handler != SIG_DFL && handler != SIG_IGN && !(p->sig.blocked & SIG_BIT(sig))) {
        if (run_handler(p, f, sig, info))
            return;
    }
    if (sig == SIGSEGV)
        kprintf("segfault at %#lx pc %#lx\n", info->addr, f ? arch_user_pc(f) : 0);
    else
        kprintf("%s at pc %#lx (signal %d)\n", what, f ? arch_user_pc(f) : 0, sig);
    process_exit(128 + sig);
}
