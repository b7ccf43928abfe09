/* Signals as Linux has them: per-process actions and a process-wide pending set, per-thread
 * masks, pending sets and alternate stacks; handlers run on a frame pushed onto the user stack
 * (or the alternate signal stack) and left again through rt_sigreturn. */
#pragma once
#include "linux_uapi.h"
#include <stdint.h>
#include <stdbool.h>

struct process;
struct trap_frame;

/* Linux's internal "restart this system call" results. A blocking call that a signal interrupts
 * returns one of these; on the way back to user space they become a restart (the svc runs
 * again) or EINTR, depending on whether a handler runs and asked for SA_RESTART. User space
 * never sees them. */
#define ERESTARTSYS     512     /* restart unless a handler without SA_RESTART runs */
#define ERESTARTNOINTR  513     /* restart always, after any handler (FUTEX_LOCK_PI) */
#define ERESTARTNOHAND  514     /* restart only if no handler runs (poll, epoll_wait, pause...) */

#define SIG_BIT(sig) (1UL << ((sig) - 1))
#define SIG_UNBLOCKABLE (SIG_BIT(SIGKILL) | SIG_BIT(SIGSTOP))

struct kernel_sigaction {
    uint64_t handler, flags, restorer, mask;
};

/* What a handler learns through siginfo (the fields Linux fills for the codes we send). */
struct ksiginfo {
    int signo, code;
    int pid;                    /* SI_USER, SI_TKILL, SI_QUEUE: the sender */
    uint32_t uid;
    uint64_t addr;              /* faults: the address */
    uint64_t value;             /* SI_QUEUE: sigval */
    uint64_t esr;               /* faults: the exception syndrome (esr_context record) */
    bool charged;               /* counted against RLIMIT_SIGPENDING while it is pending */
    int errno_value;            /* si_errno (seccomp's SIGSYS: the filter's data) */
    bool poll;                  /* F_SETSIG's signal: si_band and si_fd below */
    int64_t band;
    int fd;
    int syscall;                /* seccomp's SIGSYS: the call (si_syscall), its si_arch; */
    uint32_t arch;              /* `addr` is si_call_addr */
    /* SI_TIMER: pid carries si_timerid, uid si_overrun, value si_value (the same offsets in
     * Linux's siginfo union). */
};

struct altstack {
    uint64_t sp, size;
    /* The ss_flags given to sigaltstack, as Linux keeps them (sas_ss_flags): a handler's
     * uc_stack reports them as they are. Disabled is size == 0. */
    uint32_t flags;
};

/* Further instances of a pending real-time signal, oldest first: Linux queues every one sent
 * (standard signals coalesce into one). */
struct sigqueue {
    struct ksiginfo info;
    struct sigqueue *next;
};

/* Per thread, as Linux keeps them. */
struct thread_signals {
    uint64_t blocked;
    uint64_t pending;             /* sent to this thread (tgkill, its own faults) */
    struct ksiginfo info[NSIG];   /* the first pending instance of each signal */
    struct sigqueue *queued;      /* the real-time signals' later instances */
    /* ppoll/pselect6/epoll_pwait/rt_sigsuspend swap the mask for the call; when a signal
     * interrupts it, the caller's mask comes back only after the handler (in its frame). */
    uint64_t saved_blocked;
    bool restore_saved;
    /* rt_sigtimedwait unblocks the awaited signals while it waits; Linux's real_blocked keeps
     * the mask before that, so an awaited signal whose action is to ignore it is still queued
     * (sig_ignored) rather than dropped. 0 outside such a wait. */
    uint64_t real_blocked;
    struct altstack altstack;
};

/* Per process: the actions, and signals sent to the process as a whole (kill, timers), which
 * whichever thread does not block them takes. */
struct process_signals {
    struct kernel_sigaction action[NSIG];
    uint64_t pending;
    struct ksiginfo info[NSIG];
    struct sigqueue *queued;
};

struct thread;

/* Queue sig for the process (any thread not blocking it takes it) or for one thread, with the
 * given info (NULL: SI_KERNEL). Nothing is acted on here: the signal is delivered on the way
 * back to user space, or ends a blocking wait first. */
void signal_send(struct process *p, int sig, const struct ksiginfo *info);
void signal_send_thread(struct thread *t, int sig, const struct ksiginfo *info);
/* rt_sigqueueinfo's send, to the process or to thread t when not NULL: -EAGAIN when a
 * real-time signal's siginfo is past RLIMIT_SIGPENDING, else 0 (queued or ignored). */
int signal_send_queued(struct process *p, struct thread *t, int sig, const struct ksiginfo *info);
/* A POSIX timer's signal (info->signo, SI_TIMER) to the process, or to thread t when not NULL:
 * queued as an instance of its own. False when it was dropped (ignored). */
bool signal_send_timer(struct process *p, struct thread *t, const struct ksiginfo *info);
/* sig from the calling thread with `code` (SI_USER for kill, SI_TKILL for tkill/tgkill) and our
 * pid, to the process or to thread `to`. */
void signal_send_self(int sig, int code);
void signal_send_to_thread(struct thread *to, int sig, int code);
/* A pending signal t does not block and does not ignore: its blocking waits end early. */
bool signal_interrupts_wait(struct thread *t);
/* Set the blocked mask (SIGKILL and SIGSTOP can never be blocked). */
void signal_set_blocked(struct thread *t, uint64_t mask);
/* Swap in a temporary mask for a blocking call (see saved_blocked); signal_end_temporary_mask
 * restores the old one now, unless the call was interrupted (result is a restart/EINTR code). */
void signal_begin_temporary_mask(struct thread *t, uint64_t mask);
void signal_end_temporary_mask(struct thread *t, int64_t result);
/* The pending signals of t (its own and the process's). */
uint64_t signal_pending_set(struct thread *t);
/* Every return to user space: resolve a restart code of an interrupted syscall and run the
 * first pending unblocked signal's action (push a handler frame, ignore, or terminate). */
void signal_return_to_user(struct trap_frame *f);
/* A synchronous fault the program caused (SIGSEGV, SIGBUS, SIGILL, SIGTRAP): delivered now to
 * its handler, or fatal with Linux's message-free default when blocked, ignored or unhandled. */
void signal_fault(struct trap_frame *f, const struct ksiginfo *info, const char *what);
/* Whether the system call being handled may be restarted (rt_sigreturn clears it). */
void signal_syscall_entry(uint64_t orig_x0);
void signal_forget_syscall(void);
/* Drop every pending instance of sig, for the process and each thread (its action became
 * "ignore"). */
void signal_discard(struct process *p, int sig);
/* A process or thread is freed: what it still had pending goes (and stops counting against
 * RLIMIT_SIGPENDING). */
void signal_process_gone(struct process *p);
void signal_thread_gone(struct thread *t);
/* A POSIX timer's preallocated siginfo, as Linux's sigqueue_alloc: it counts against
 * RLIMIT_SIGPENDING from timer_create to timer_delete (false: the limit is reached). */
bool signal_charge_preallocated(void);
void signal_uncharge_preallocated(void);
/* "SIGSEGV", ... for messages. */
const char *signal_name(int sig);
/* sigaltstack's view: is sp on t's alternate stack? */
bool signal_on_altstack(struct thread *t, uint64_t sp);
/* Take the lowest pending signal of `set` (its own first, then the process's) for
 * rt_sigtimedwait; 0 if none. */
int signal_dequeue(struct thread *t, uint64_t set, struct ksiginfo *info);
