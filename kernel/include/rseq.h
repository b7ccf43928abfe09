/* Restartable sequences (rseq(2), Linux 4.18+): a thread registers a struct rseq in its memory;
 * the kernel keeps its cpu_id fields current on every return to user space after the thread
 * was switched out, and a critical section (rseq_cs) that was preempted, migrated or signalled
 * resumes at its abort_ip. glibc 2.35+ registers one for every thread it starts. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct thread_rseq {
    uint64_t area;              /* user address of the struct rseq; 0: none registered */
    uint32_t len, sig;
    bool event;                 /* switched out or signalled since the last fixup (rseq_event_mask) */
    bool notify;                /* fix up on the next return to user space (TIF_NOTIFY_RESUME) */
};

struct thread;
struct trap_frame;
/* The scheduler switched t out (Linux's rseq_preempt; a migration always follows one). */
void rseq_switched_out(struct thread *t);
/* On the way back to user space with f (a system call, an interrupt, a new thread's start):
 * the pending fixup, or SIGSEGV when the thread's rseq memory is bad. */
void rseq_return_to_user(struct trap_frame *f);
/* A signal handler is about to run on f: a critical section it interrupts aborts first, so the
 * frame saves abort_ip (rseq_signal_deliver). 0, or -1 when SIGSEGV must be forced instead. */
int rseq_signal_deliver(struct trap_frame *f);
/* A fork's child keeps the registration (its memory is a copy); a thread or a vfork child
 * (CLONE_VM) starts without one, as does an exec'd program. */
void rseq_fork(struct thread *child, const struct thread *parent, bool same_vm);
void rseq_exec(struct thread *t);
