/* Signal generation and delivery, following Linux's kernel/signal.c and arm64's do_signal:
 * a signal is queued (one instance per number), acted on when the program next returns to user
 * space, and a handler runs on a frame the architecture builds on the user stack. Blocking waits
 * end early when a deliverable signal is pending (signal_interrupts_wait), and the interrupted
 * call is restarted or fails with EINTR as Linux decides it. */
#include "kernel.h"
#include "rseq.h"
#include "signal.h"
#include "anonfd.h"
#include "mm.h"
#include "signal_arch.h"
#include "process.h"
#include "thread.h"
#include "sched.h"
#include "syscall.h"
#include "errno.h"
#include "jobctl.h"
#include "posix_timer.h"

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

/* Linux's default action ignores these (SIGCONT's continuing happens when it is sent). */
static bool ignored_by_default(int sig)
{
    return sig == SIGCHLD || sig == SIGCONT || sig == 23 || sig == 28;
}

/* pid 1 is the container's init: like Linux's (SIGNAL_UNKILLABLE), it ignores the stop signals
 * it has no handler for, so nothing inside can stop the guest for good. */
static bool ignored(struct process *p, int sig)
{
    uint64_t h = p->sig.action[sig - 1].handler;
    return h == SIG_IGN || (h == SIG_DFL && (ignored_by_default(sig) ||
                                             (p->pid == 1 && jobctl_is_stop_signal(sig))));
}

const char *signal_name(int sig)
{
    return sig > 0 && sig < 32 && names[sig] ? names[sig] : "a real-time signal";
}

/* Terminate as the default action does; the message matches what a shell would report. */
static __attribute__((noreturn)) void die(int sig)
{
    process_die(sig);
}

/* Pending signals that carry their siginfo, as Linux's per-user sigpending count (one user
 * here): RLIMIT_SIGPENDING bounds it. */
static uint64_t charged_count;

static void uncharge(const struct ksiginfo *si)
{
    if (si->charged)
        charged_count--;
}

bool signal_charge_preallocated(void)
{
    if (charged_count + 1 > rlimit_current(RLIMIT_SIGPENDING))
        return false;
    charged_count++;
    return true;
}

void signal_uncharge_preallocated(void)
{
    charged_count--;
}

/* Linux's __sigqueue_alloc and __send_signal: a standard signal the kernel or kill sent
 * (si_code >= 0) may exceed the limit; past it anything else loses its siginfo (it reads as a
 * bare SI_USER), and a real-time one sent with its own siginfo fails (EAGAIN). A POSIX timer's
 * signal (`always`) uses the entry it was given at timer_create, charged there instead. */
static int store_info(struct ksiginfo *si, int sig, bool always)
{
    bool exempt = sig < SIGRTMIN && si->code >= 0;
    si->charged = false;
    if (always)
        return 0;
    if (exempt || charged_count + 1 <= rlimit_current(RLIMIT_SIGPENDING)) {
        si->charged = true;
        charged_count++;
        return 0;
    }
    if (sig >= SIGRTMIN && si->code != SI_USER)
        return -EAGAIN;
    *si = (struct ksiginfo){ .signo = sig, .code = SI_USER };
    return 0;
}

/* Linux drops a signal whose action is to ignore it at generation time, unless it is blocked
 * (here: by every thread, for a process-wide one). A standard signal already pending is not
 * queued again; a real-time one is, with its own siginfo, and they are taken in order. */
/* A POSIX timer's signal (`always`) is an instance of its own even for a standard signal
 * already pending, as Linux queues a timer's preallocated sigqueue entry. */
static int queue(uint64_t *pending, struct ksiginfo *slots, struct sigqueue **queued, int sig,
                 const struct ksiginfo *info, bool always)
{
    struct ksiginfo si = info ? *info : (struct ksiginfo){ .code = SI_KERNEL };
    si.signo = sig;
    bool first = !(*pending & SIG_BIT(sig));
    if (!first && sig < SIGRTMIN && !always)
        return 0;                      /* coalesced into the one pending */
    struct sigqueue *q = first ? NULL : kmalloc(sizeof(*q));
    if (!first && !q)
        return sig >= SIGRTMIN && si.code != SI_USER ? -EAGAIN : 0;
    int err = store_info(&si, sig, always);
    if (err) {
        kfree(q);
        return err;
    }
    if (first) {
        *pending |= SIG_BIT(sig);
        slots[sig - 1] = si;
        return 0;
    }
    if (!si.charged && !always) {      /* lost its siginfo: nothing to queue behind the first */
        kfree(q);
        return 0;
    }
    q->info = si;
    q->next = NULL;
    while (*queued)
        queued = &(*queued)->next;
    *queued = q;
    return 0;
}

/* sig was taken from `slots`: its next queued instance (if any) becomes the pending one. */
static void take(uint64_t *pending, struct ksiginfo *slots, struct sigqueue **queued, int sig, struct ksiginfo *out)
{
    *out = slots[sig - 1];
    uncharge(out);
    out->charged = false;
    *pending &= ~SIG_BIT(sig);
    for (; *queued; queued = &(*queued)->next) {
        struct sigqueue *q = *queued;
        if (q->info.signo != sig)
            continue;
        slots[sig - 1] = q->info;
        *pending |= SIG_BIT(sig);
        *queued = q->next;
        kfree(q);
        return;
    }
}

static void discard(uint64_t *pending, struct ksiginfo *slots, struct sigqueue **queued, int sig)
{
    if (*pending & SIG_BIT(sig))
        uncharge(&slots[sig - 1]);
    *pending &= ~SIG_BIT(sig);
    while (*queued) {
        struct sigqueue *q = *queued;
        if (q->info.signo == sig) {
            *queued = q->next;
            uncharge(&q->info);
            kfree(q);
        } else {
            queued = &q->next;
        }
    }
}

void signal_discard(struct process *p, int sig)
{
    discard(&p->sig.pending, p->sig.info, &p->sig.queued, sig);
    for (struct thread *t = p->threads; t; t = t->next)
        discard(&t->sig.pending, t->sig.info, &t->sig.queued, sig);
}

static void discard_all(uint64_t *pending, struct ksiginfo *slots, struct sigqueue **queued)
{
    for (int sig = 1; sig <= NSIG; sig++)
        discard(pending, slots, queued, sig);
}

void signal_process_gone(struct process *p)
{
    discard_all(&p->sig.pending, p->sig.info, &p->sig.queued);
}

void signal_thread_gone(struct thread *t)
{
    discard_all(&t->sig.pending, t->sig.info, &t->sig.queued);
}

static bool blocked_everywhere(struct process *p, int sig)
{
    for (struct thread *t = p->threads; t; t = t->next)
        if (t->state != THREAD_DEAD && !((t->sig.blocked | t->sig.real_blocked) & SIG_BIT(sig)))
            return false;
    return true;
}

/* 1: queued; 0: dropped (ignored); -EAGAIN: a real-time signal's siginfo found no room. */
static int send_to_process(struct process *p, int sig, const struct ksiginfo *info, bool always)
{
    if (sig < 1 || sig > NSIG)
        return 0;
    jobctl_signal_sent(p, sig);
    if (ignored(p, sig) && !blocked_everywhere(p, sig))
        return 0;
    int err = queue(&p->sig.pending, p->sig.info, &p->sig.queued, sig, info, always);
    if (err)
        return err;
    signalfd_notify(sig);
    /* One thread that does not block it takes it (Linux's complete_signal): the current one on
     * its way back to user space, else the first other one that waits (woken), else one that
     * runs on another CPU (interrupted by an IPI). A runnable thread no CPU runs acts on it when
     * it next returns to user space. */
    struct thread *cur = current_thread();
    if (cur && cur->proc == p && !(cur->sig.blocked & SIG_BIT(sig)))
        return 1;
    struct thread *running = NULL;
    for (struct thread *t = p->threads; t; t = t->next) {
        if (t->state == THREAD_DEAD || (t->sig.blocked & SIG_BIT(sig)))
            continue;
        if (t->state == THREAD_WAITING) {
            sched_wake(t);
            return 1;
        }
        if (!running && t->cpu >= 0)
            running = t;
    }
    if (running)
        sched_interrupt(running);
    return 1;
}

void signal_send(struct process *p, int sig, const struct ksiginfo *info)
{
    send_to_process(p, sig, info, false);
}

static int send_to_thread(struct thread *t, int sig, const struct ksiginfo *info, bool always)
{
    if (sig < 1 || sig > NSIG)
        return 0;
    jobctl_signal_sent(t->proc, sig);
    if (ignored(t->proc, sig) && !((t->sig.blocked | t->sig.real_blocked) & SIG_BIT(sig)))
        return 0;
    int err = queue(&t->sig.pending, t->sig.info, &t->sig.queued, sig, info, always);
    if (err)
        return err;
    signalfd_notify(sig);
    sched_interrupt(t);
    return 1;
}

int signal_send_queued(struct process *p, struct thread *t, int sig, const struct ksiginfo *info)
{
    int r = t ? send_to_thread(t, sig, info, false) : send_to_process(p, sig, info, false);
    return r < 0 ? r : 0;
}

void signal_send_thread(struct thread *t, int sig, const struct ksiginfo *info)
{
    send_to_thread(t, sig, info, false);
}

bool signal_send_timer(struct process *p, struct thread *t, const struct ksiginfo *info)
{
    return (t ? send_to_thread(t, info->signo, info, true) : send_to_process(p, info->signo, info, true)) > 0;
}

void signal_send_self(int sig, int code)
{
    struct process *p = current_process();
    struct ksiginfo info = { .signo = sig, .code = code, .pid = p->pid, .uid = 0 };
    signal_send(p, sig, &info);
}

void signal_send_to_thread(struct thread *to, int sig, int code)
{
    struct ksiginfo info = { .signo = sig, .code = code, .pid = current_process()->pid, .uid = 0 };
    signal_send_thread(to, sig, &info);
}

uint64_t signal_pending_set(struct thread *t)
{
    return t->sig.pending | t->proc->sig.pending;
}

static uint64_t deliverable(struct thread *t)
{
    return signal_pending_set(t) & ~t->sig.blocked;
}

bool signal_interrupts_wait(struct thread *t)
{
    if (t->proc->exiting || (t->proc->exec_thread && t->proc->exec_thread != t))
        return true;                   /* another thread ended the process or execs: leave now */
    if (t->job_stopped)
        return jobctl_stopped_wait_ends(t);   /* stopped: only SIGKILL moves it */
    if (jobctl_stop_pending(t))
        return true;                   /* its process stops: it goes to stop too */
    uint64_t ready = deliverable(t);
    for (int sig = 1; ready; sig++, ready >>= 1)
        if ((ready & 1) && !ignored(t->proc, sig))
            return true;
    return false;
}

void signal_set_blocked(struct thread *t, uint64_t mask)
{
    t->sig.blocked = mask & ~SIG_UNBLOCKABLE;
}

void signal_begin_temporary_mask(struct thread *t, uint64_t mask)
{
    t->sig.saved_blocked = t->sig.blocked;
    t->sig.restore_saved = true;
    signal_set_blocked(t, mask);
}

void signal_end_temporary_mask(struct thread *t, int64_t result)
{
    if (result == -EINTR || result == -ERESTARTNOHAND || result == -ERESTARTSYS || result == -ERESTARTNOINTR)
        return;                    /* restored after the handler, from its frame */
    if (t->sig.restore_saved) {
        t->sig.blocked = t->sig.saved_blocked;
        t->sig.restore_saved = false;
    }
}

bool signal_on_altstack(struct thread *t, uint64_t sp)
{
    const struct altstack *a = &t->sig.altstack;
    /* Linux's on_sig_stack: an SS_AUTODISARM stack is disarmed while a handler runs on it, so
     * being on an armed one means the program switched there itself: not a signal's stack. */
    if (a->flags & SS_AUTODISARM)
        return false;
    return a->size && sp > a->sp && sp - a->sp <= a->size;
}

/* The lowest signal of `ready`, synchronous ones first, as Linux's next_signal. */
static int pick(uint64_t ready)
{
    if (!ready)
        return 0;
    if (ready & SYNCHRONOUS)
        ready &= SYNCHRONOUS;
    return __builtin_ctzl(ready) + 1;
}

/* Take a signal of `set`: the thread's own first, then the process's. */
int signal_dequeue(struct thread *t, uint64_t set, struct ksiginfo *info)
{
    struct process *p = t->proc;
    int sig = pick(t->sig.pending & set);
    if (sig)
        take(&t->sig.pending, t->sig.info, &t->sig.queued, sig, info);
    else if ((sig = pick(p->sig.pending & set)))
        take(&p->sig.pending, p->sig.info, &p->sig.queued, sig, info);
    if (sig && info->code == SI_TIMER)
        posix_timer_delivered(p, info);   /* its overrun, and the next period armed */
    return sig;
}

void signal_syscall_entry(uint64_t orig_x0)
{
    struct thread *t = current_thread();
    t->in_syscall = true;
    t->syscall_arg0 = orig_x0;
}

void signal_forget_syscall(void) { current_thread()->in_syscall = false; }

/* An interrupted call whose handler is about to run: EINTR, or a restart for ERESTARTSYS when
 * the handler was installed with SA_RESTART. */
static void resolve_restart(struct thread *t, struct trap_frame *f, const struct kernel_sigaction *act)
{
    int64_t r = arch_syscall_result(f);
    if (r == -ERESTARTNOHAND || (r == -ERESTARTSYS && !(act->flags & SA_RESTART)))
        arch_set_syscall_result(f, -EINTR);
    else if (r == -ERESTARTSYS || r == -ERESTARTNOINTR)
        arch_restart_syscall(f, t->syscall_arg0);
}

/* Push the handler frame and switch the registers to the handler. */
static bool run_handler(struct thread *t, struct trap_frame *f, int sig, const struct ksiginfo *info)
{
    struct process *p = t->proc;
    struct kernel_sigaction *act = &p->sig.action[sig - 1];
    struct kernel_sigaction used = *act;
    /* A critical section the handler interrupts aborts first: the frame saves abort_ip. Bad
     * rseq memory is Linux's force_sigsegv: SIGSEGV follows this handler. */
    if (rseq_signal_deliver(f)) {
        struct ksiginfo segv = { .signo = SIGSEGV, .code = SI_KERNEL };
        signal_send_thread(t, SIGSEGV, &segv);
    }
    uint64_t sp = arch_user_sp(f);
    struct altstack before = t->sig.altstack;
    /* The mask the handler's return restores: the caller's, if a call swapped in its own. */
    uint64_t restore = t->sig.restore_saved ? t->sig.saved_blocked : t->sig.blocked;
    if ((used.flags & SA_ONSTACK) && t->sig.altstack.size && !signal_on_altstack(t, sp)) {
        sp = t->sig.altstack.sp + t->sig.altstack.size;
        if (t->sig.altstack.flags & SS_AUTODISARM)
            t->sig.altstack = (struct altstack){ 0 };
    }
    if (arch_signal_push_frame(f, sp, info, &used, p->sigreturn_page, restore, &before)) {
        t->sig.altstack = before;
        return false;
    }
    t->sig.restore_saved = false;
    uint64_t block = used.mask | (used.flags & SA_NODEFER ? 0 : SIG_BIT(sig));
    signal_set_blocked(t, t->sig.blocked | block);
    if (used.flags & SA_RESETHAND)
        act->handler = SIG_DFL;
    return true;
}

void signal_return_to_user(struct trap_frame *f)
{
    struct thread *t = current_thread();
    struct process *p = t->proc;
    bool restarting = t->in_syscall;
    t->in_syscall = false;
    if (p->exiting || (p->exec_thread && p->exec_thread != t))
        thread_exit(0);                /* the status is the process's, set by who ended it */
    for (;;) {
        if (jobctl_stop_pending(t)) {  /* another thread took the stop signal */
            jobctl_stop(p->stop_signal);
            if (p->exiting)
                thread_exit(0);
            continue;
        }
        struct ksiginfo info;
        int sig = signal_dequeue(t, ~t->sig.blocked, &info);
        if (!sig)
            break;
        uint64_t handler = p->sig.action[sig - 1].handler;
        if (ignored(p, sig))
            continue;
        if (handler == SIG_DFL && jobctl_is_stop_signal(sig)) {
            /* POSIX: SIGTSTP, SIGTTIN and SIGTTOU do not stop an orphaned group (nobody would
             * continue it); SIGSTOP does. */
            if (sig != SIGSTOP && jobctl_group_orphaned(p->pgid, NULL))
                continue;
            jobctl_stop(sig);          /* back when continued (or killed: the loop goes on) */
            if (p->exiting)
                thread_exit(0);
            continue;
        }
        if (handler == SIG_DFL)
            die(sig);
        if (restarting) {
            resolve_restart(t, f, &p->sig.action[sig - 1]);
            restarting = false;
        }
        if (!run_handler(t, f, sig, &info)) {
            /* No room for the frame: Linux forces SIGSEGV, which with a broken stack is fatal. */
            kprintf("signal: cannot push a frame for %s at sp %#lx\n", signal_name(sig), arch_user_sp(f));
            die(SIGSEGV);
        }
        /* Like Linux, go on: another pending signal nests its frame on top of this one. */
    }
    if (!restarting)
        return;                    /* handled above (or not a system call) */
    int64_t r = arch_syscall_result(f);
    if (r == -ERESTARTSYS || r == -ERESTARTNOHAND || r == -ERESTARTNOINTR)
        arch_restart_syscall(f, t->syscall_arg0);   /* nothing ran: the call simply goes on */
    if (t->sig.restore_saved) {
        t->sig.blocked = t->sig.saved_blocked;
        t->sig.restore_saved = false;
    }
}

void signal_fault(struct trap_frame *f, const struct ksiginfo *info, const char *what)
{
    struct thread *t = current_thread();
    int sig = info->signo;
    uint64_t handler = t->proc->sig.action[sig - 1].handler;
    t->in_syscall = false;
    /* Linux's force_sig_info: a blocked or ignored fault signal cannot be held back; the
     * default action (death) happens instead. */
    if (handler != SIG_DFL && handler != SIG_IGN && !(t->sig.blocked & SIG_BIT(sig))) {
        if (run_handler(t, f, sig, info))
            return;
    }
    /* The program's own end is reported as a shell would; a child's is its parent's to
     * report (wait status), so only --verbose shows it, as dmesg would. */
    void (*report)(const char *, ...) = t->proc->pid == 1 ? kprintf : kinfo;
    if (sig == SIGSEGV)
        report("segfault at %#lx pc %#lx\n", info->addr, arch_user_pc(f));
    else
        report("%s at pc %#lx (signal %d)\n", what, arch_user_pc(f), sig);
    process_die(sig);
}
