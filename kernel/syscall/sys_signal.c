/* The signal system calls, with Linux's argument checks in Linux's order. kill reaches a
 * process, a process group or every process; tkill/tgkill any thread. */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "signal.h"
#include "signal_arch.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "vm.h"
#include "wait.h"
#include "errno.h"
#include <string.h>

/* Linux's MINSIGSTKSZ for arm64 (uapi): what sigaltstack insists on. */
#define ALTSTACK_MIN 5120

/* sa_flags bits Linux keeps (UAPI_SA_FLAGS); others read back as clear, so a program can probe. */
#define SA_KNOWN (0x1u | 0x2u | SA_SIGINFO | 0x800u | SA_RESTORER | SA_ONSTACK | SA_RESTART | \
                  SA_NODEFER | SA_RESETHAND)

static struct process *proc(void) { return current_process(); }
static struct thread *self(void) { return current_thread(); }

/* The validity check of check_kill_permission, after the target was found; to the process, or
 * to one thread. */
static int64_t send(int sig, int code, struct thread *to)
{
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (sig && to)
        signal_send_to_thread(to, sig, code);
    else if (sig)
        signal_send_self(sig, code);
    return 0;
}

static struct thread *live_thread(int tid)
{
    struct thread *t = thread_find(tid);
    return t && t->state != THREAD_DEAD ? t : NULL;
}

/* One process: a zombie takes the signal and does nothing with it, as on Linux. */
static void send_to_process(struct process *p, int sig)
{
    struct ksiginfo info = { .signo = sig, .code = SI_USER, .pid = proc()->pid, .uid = 0 };
    if (sig && p->state == PROCESS_LIVE)
        signal_send(p, sig, &info);
}

SYSCALL(kill)
{
    int pid = (int)a0, sig = (int)a1;
    bool valid = sig >= 0 && sig <= NSIG;
    if (pid > 0) {
        struct process *p = process_find(pid);
        if (!p)
            return -ESRCH;       /* before the number's EINVAL, as Linux finds the task first */
        if (!valid)
            return -EINVAL;
        send_to_process(p, sig);
        return 0;
    }
    if (pid == INT32_MIN)
        return -ESRCH;
    /* 0: the caller's group; -1: every process but pid 1 and the caller; < -1: group -pid. */
    int pgid = pid == 0 ? proc()->pgid : -pid;
    bool found = false;
    for (struct process *p = process_first(), *next; p; p = next) {
        next = p->all_next;
        bool chosen = pid == -1 ? p->pid != 1 && p != proc() : p->pgid == pgid;
        if (!chosen || (pid == -1 && p->state != PROCESS_LIVE))
            continue;
        found = true;
        if (valid)
            send_to_process(p, sig);
    }
    return !found ? -ESRCH : valid ? 0 : -EINVAL;
}

SYSCALL(tkill)
{
    if ((int)a0 <= 0)
        return -EINVAL;
    struct thread *t = live_thread((int)a0);
    if (!t)
        return -ESRCH;
    return send((int)a1, SI_TKILL, t);
}

SYSCALL(tgkill)
{
    if ((int)a0 <= 0 || (int)a1 <= 0)
        return -EINVAL;
    struct thread *t = live_thread((int)a1);
    if (!t || t->proc->pid != (int)a0)
        return -ESRCH;
    return send((int)a2, SI_TKILL, t);
}

struct user_queued_info {
    int32_t signo, errno_, code, pad;
    int32_t pid;
    uint32_t uid;
    uint64_t value;
};

/* rt_sigqueueinfo/rt_tgsigqueueinfo: the sender chooses the siginfo, but may not pose as the
 * kernel or as kill/tkill (si_code >= 0, or SI_TKILL) when signalling another process (or
 * thread); to itself anything goes. Linux's order: EFAULT, EPERM, then the target's ESRCH,
 * then the number's EINVAL. */
static int64_t read_queued_info(uint64_t uinfo, int target, int self_id, struct user_queued_info *si)
{
    if (copy_from_user(si, uinfo, sizeof(*si)))
        return -EFAULT;
    if ((si->code >= 0 || si->code == SI_TKILL) && target != self_id)
        return -EPERM;
    return 0;
}

static int64_t queue_info(int sig, const struct user_queued_info *si, struct process *p, struct thread *to)
{
    if (sig < 0 || sig > NSIG)
        return -EINVAL;
    if (!sig || p->state != PROCESS_LIVE)
        return 0;
    struct ksiginfo info = { .signo = sig, .code = si->code, .pid = si->pid, .uid = si->uid, .value = si->value };
    return signal_send_queued(p, to, sig, &info);
}

SYSCALL(rt_sigqueueinfo)
{
    struct user_queued_info si;
    int64_t err = read_queued_info(a2, (int)a0, proc()->pid, &si);
    if (err)
        return err;
    struct process *p = (int)a0 > 0 ? process_find((int)a0) : NULL;
    if (!p)
        return -ESRCH;
    return queue_info((int)a1, &si, p, NULL);
}

SYSCALL(rt_tgsigqueueinfo)
{
    if ((int)a0 <= 0 || (int)a1 <= 0)
        return -EINVAL;
    struct user_queued_info si;
    int64_t err = read_queued_info(a3, (int)a1, self()->tid, &si);
    if (err)
        return err;
    struct thread *t = live_thread((int)a1);
    if (!t || t->proc->pid != (int)a0)
        return -ESRCH;
    return queue_info((int)a2, &si, t->proc, t);
}

SYSCALL(rt_sigaction)
{
    int sig = (int)a0;
    struct process *p = proc();
    struct kernel_sigaction act, old;
    if (a3 != sizeof(uint64_t))
        return -EINVAL;
    if (a1 && copy_from_user(&act, a1, sizeof(act)))
        return -EFAULT;
    if (sig < 1 || sig > NSIG || (a1 && (sig == SIGKILL || sig == SIGSTOP)))
        return -EINVAL;
    old = p->sig.action[sig - 1];
    if (a1) {
        act.flags &= SA_KNOWN;
        act.mask &= ~SIG_UNBLOCKABLE;
        p->sig.action[sig - 1] = act;
        /* POSIX: setting a pending signal to be ignored discards it. */
        if (act.handler == SIG_IGN || (act.handler == SIG_DFL && (sig == SIGCHLD || sig == 18 ||
            sig == 23 || sig == 28)))
            signal_discard(p, sig);
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    struct thread *p = self();
    uint64_t set, old = p->sig.blocked;
    if (a3 != sizeof(uint64_t))
        return -EINVAL;
    if (a1) {
        if (copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
        switch ((int)a0) {
        case SIG_BLOCK: signal_set_blocked(p, p->sig.blocked | set); break;
        case SIG_UNBLOCK: signal_set_blocked(p, p->sig.blocked & ~set); break;
        case SIG_SETMASK: signal_set_blocked(p, set); break;
        default: return -EINVAL;
        }
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    return 0;   /* an unblocked pending signal is acted on as this call returns */
}

SYSCALL(rt_sigpending)
{
    struct thread *t = self();
    if (a1 > sizeof(uint64_t))
        return -EINVAL;
    uint64_t set = signal_pending_set(t) & t->sig.blocked;
    return copy_to_user(a0, &set, a1) ? -EFAULT : 0;
}

static bool never(void *arg) { return false; }

SYSCALL(rt_sigsuspend)
{
    uint64_t set;
    if (a1 != sizeof(uint64_t))
        return -EINVAL;
    if (copy_from_user(&set, a0, sizeof(set)))
        return -EFAULT;
    signal_begin_temporary_mask(self(), set);
    wait_until_woken(never, NULL, WAIT_FOREVER);     /* ends only for a signal */
    return -ERESTARTNOHAND;
}

struct sigtimedwait_arg {
    struct thread *t;
    uint64_t set;
};

static bool waited_signal_pending(void *arg)
{
    struct sigtimedwait_arg *w = arg;
    return (signal_pending_set(w->t) & w->set) != 0;
}

SYSCALL(rt_sigtimedwait)
{
    struct thread *p = self();
    struct sigtimedwait_arg w = { p, 0 };
    struct { int64_t sec, nsec; } ts;
    uint64_t deadline = WAIT_FOREVER;
    if (a3 != sizeof(uint64_t))
        return -EINVAL;
    if (copy_from_user(&w.set, a0, sizeof(w.set)))
        return -EFAULT;
    w.set &= ~SIG_UNBLOCKABLE;
    if (a2) {
        if (copy_from_user(&ts, a2, sizeof(ts)))
            return -EFAULT;
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000L)
            return -EINVAL;
        deadline = wait_deadline_after((uint64_t)ts.sec * 1000000000UL + (uint64_t)ts.nsec);
    }
    if (!waited_signal_pending(&w)) {
        /* The awaited signals are unblocked for the wait (Linux's real_blocked), so that only
         * other signals can interrupt it. */
        uint64_t blocked = p->sig.blocked;
        p->sig.real_blocked = blocked;
        signal_set_blocked(p, blocked & ~w.set);
        int err = wait_until(waited_signal_pending, &w, deadline);
        signal_set_blocked(p, blocked);
        p->sig.real_blocked = 0;
        if (err == -ETIMEDOUT)
            return -EAGAIN;
        if (err)
            return -EINTR;
    }
    struct ksiginfo info;
    int sig = signal_dequeue(p, w.set, &info);
    if (a1 && arch_siginfo_to_user(a1, &info))
        return -EFAULT;
    return sig;
}

/* Linux's do_sigaltstack, shared by sigaltstack and rt_sigreturn. */
static int set_altstack(struct thread *p, uint64_t sp, uint64_t ss_sp, int32_t flags, uint64_t size)
{
    if (signal_on_altstack(p, sp))
        return -EPERM;
    uint32_t mode = (uint32_t)flags & ~SS_AUTODISARM;
    if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
        return -EINVAL;
    if (mode == SS_DISABLE) {
        p->sig.altstack = (struct altstack){ 0, 0, (uint32_t)flags };
        return 0;
    }
    if (size < ALTSTACK_MIN)
        return -ENOMEM;
    p->sig.altstack = (struct altstack){ ss_sp, size, (uint32_t)flags };
    return 0;
}

struct user_stack_t {
    uint64_t ss_sp;
    int32_t ss_flags, pad;
    uint64_t ss_size;
};

SYSCALL(sigaltstack)
{
    struct thread *p = self();
    struct user_stack_t ss, old;
    uint64_t sp = arch_user_sp(arch_syscall_frame());
    if (a0 && copy_from_user(&ss, a0, sizeof(ss)))
        return -EFAULT;
    const struct altstack *a = &p->sig.altstack;
    old = (struct user_stack_t){ a->sp, (int32_t)((!a->size ? SS_DISABLE : signal_on_altstack(p, sp) ? SS_ONSTACK : 0) |
                                                 (a->flags & SS_AUTODISARM)), 0, a->size };
    if (a0) {
        int err = set_altstack(p, sp, ss.ss_sp, ss.ss_flags, ss.ss_size);
        if (err)
            return err;
    }
    if (a1 && copy_to_user(a1, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

SYSCALL(rt_sigreturn)
{
    struct thread *p = self();
    struct trap_frame *f = arch_syscall_frame();
    uint64_t blocked;
    struct altstack stack;
    signal_forget_syscall();
    if (arch_signal_pop_frame(f, &blocked, &stack)) {
        /* Linux's arm64_notify_segfault: the code says whether anything is mapped at sp. */
        uint64_t sp = arch_user_sp(f);
        struct ksiginfo info = { .signo = SIGSEGV, .code = vm_find(current_process()->vm, sp) ? SEGV_ACCERR : SEGV_MAPERR,
                                 .addr = sp };
        signal_fault(f, &info, "bad signal frame");
    }
    signal_set_blocked(p, blocked);
    /* Errors other than EFAULT are squashed, as Linux's restore_altstack does. */
    set_altstack(p, arch_user_sp(f), stack.sp, (int32_t)stack.flags, stack.size);
    return arch_syscall_result(f);     /* the dispatcher writes x0 back unchanged */
}

/* Linux's restart_syscall runs the restart block an interrupted call left behind. Ours never
 * leave one (an interrupted sleep restarts through the -ERESTART* codes instead), so it is
 * what Linux answers without one: do_no_restart_syscall's EINTR. */
SYSCALL(restart_syscall)
{
    return -EINTR;
}
