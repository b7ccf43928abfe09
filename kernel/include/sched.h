/* The scheduler: one CPU shared round-robin by the process's threads. Nothing preempts the
 * kernel; a thread gives up the CPU when it waits (wait_until), yields, exits, or when an
 * interrupt arrives in user mode and either its 10 ms slice is over or a waiting thread can now
 * go on (a wake-up: what it waited for has happened). */
#pragma once
#include <stdbool.h>

struct thread;

/* The first thread: it runs now, on the stack the boot path gave it. */
void sched_start(struct thread *t);
/* A new thread takes part from now on; it first runs at the next switch that picks it. */
void sched_add(struct thread *t);
/* The current thread is WAITING (wait fields set): run something else, or idle, until it may
 * check its condition again. */
void sched_wait(void);
/* What t waits for in wait_until_woken may have happened: look at it again. */
void sched_wake(struct thread *t);
/* sched_yield: another thread that can run goes first. */
void sched_yield_cpu(void);
/* From an interrupt taken in user mode. */
void sched_preempt(void);
/* A dead thread leaves the CPU for good. */
__attribute__((noreturn)) void sched_switch_away(void);
/* Called by a new thread's first run, before it enters user space. */
void sched_thread_started(void);
