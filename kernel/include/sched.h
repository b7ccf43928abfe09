/* The scheduler: the process's threads shared round-robin by every CPU that came up, from one
 * ring under the kernel lock. Nothing preempts the kernel; a thread gives up its CPU when it
 * waits (wait_until), yields, exits, or when an interrupt arrives in user mode and either its
 * 10 ms slice is over, a waiting thread can now go on (a wake-up: what it waited for has
 * happened), or its affinity no longer allows this CPU. A CPU with nothing to run sleeps in its
 * idle loop until an interrupt; other CPUs wake it with a reschedule IPI (smp.h). */
#pragma once
#include <stdbool.h>

struct thread;

/* The first thread: it runs now, on this CPU, on the stack the boot path gave it. */
void sched_start(struct thread *t);
/* A new thread takes part from now on; an idle CPU or the next switch picks it. */
void sched_add(struct thread *t);
/* The current thread is WAITING (wait fields set): run something else, or idle, until it may
 * check its condition again. */
void sched_wait(void);
/* What t waits for in wait_until_woken may have happened: look at it again (on whichever CPU
 * can run it; an idle one gets an IPI). */
void sched_wake(struct thread *t);
/* A signal for t is pending: wake it if it waits, interrupt its CPU if it runs on another. */
void sched_interrupt(struct thread *t);
/* sched_yield: another thread that can run goes first. */
void sched_yield_cpu(void);
/* From an interrupt taken in user mode. */
void sched_preempt(void);
/* A dead thread leaves the CPU for good. */
__attribute__((noreturn)) void sched_switch_away(void);
/* Called by a new thread's first run, before it enters user space. */
void sched_thread_started(void);
/* A CPU's loop when no thread can run on it (secondaries start in it). Kernel lock held. */
__attribute__((noreturn)) void sched_idle_loop(void);
/* Idle CPUs look at their waiting threads again (something they may wait for changed). */
void sched_kick_idle(void);
/* t's affinity mask changed. */
void sched_affinity_changed(struct thread *t);
/* The current thread's process has a new address space (execve): load it on this CPU. */
void sched_user_space_changed(void);
/* A user page table is being freed: no CPU may take it for the one it has live. */
void sched_forget_user_root(uint64_t root);
