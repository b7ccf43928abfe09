/* Round-robin scheduling of the process's threads on one CPU (see sched.h). A waiting thread
 * does not sit on a wait queue of its own: it records what it waits for (wait_done/arg and a
 * deadline) and the scheduler evaluates that for it, so every blocking call in the kernel works
 * unchanged with threads. With interrupts masked everywhere in the kernel, nothing here races. */
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "process.h"
#include "signal.h"
#include "wait.h"
#include "timer.h"
#include "idle.h"
#include "arch.h"
#include "mm.h"

#define SLICE_TICKS 1          /* 10 ms at TICK_HZ 100, Linux's order of magnitude */

static struct thread *current;

struct thread *current_thread(void) { return current; }

void sched_start(struct thread *t)
{
    current = t;
    t->slice_start = timer_ticks();
}

void sched_add(struct thread *t)
{
    arch_context_init(&t->ctx, t->frame);
    t->state = THREAD_RUNNABLE;
}

/* What a waiting thread waits for has happened (or a signal or its deadline came). */
static bool wait_over(struct thread *t, uint64_t now_ns)
{
    return t->wait_done(t->wait_arg) || signal_interrupts_wait(t) ||
           (t->wait_deadline_ns != WAIT_FOREVER && now_ns >= t->wait_deadline_ns);
}

static bool can_run(struct thread *t, uint64_t now_ns)
{
    return t->state == THREAD_RUNNABLE || (t->state == THREAD_WAITING && wait_over(t, now_ns));
}

static struct thread *after(struct thread *t)
{
    return t->next ? t->next : t->proc->threads;
}

/* The first thread after the current one that can run; the current one itself comes last. */
static struct thread *pick(bool include_current)
{
    uint64_t now = wait_now_ns();
    for (struct thread *t = after(current); ; t = after(t)) {
        if (t == current)
            return include_current && can_run(t, now) ? t : NULL;
        if (can_run(t, now))
            return t;
    }
}

/* Threads that died and whose stacks nobody runs on any more. */
static void reap(void)
{
    struct process *p = current->proc;
    for (struct thread **pp = &p->threads; *pp; ) {
        struct thread *t = *pp;
        if (t->state == THREAD_DEAD && t != current) {
            *pp = t->next;
            page_free(t->kstack_pa, KERNEL_STACK_PAGES);
            kfree(t);
            continue;
        }
        pp = &t->next;
    }
}

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    if (next == prev)
        return;
    arch_switch_user_state(&prev->ctx, &next->ctx);
    current = next;
    next->slice_start = timer_ticks();
    arch_context_switch(&prev->ctx, &next->ctx);
    reap();                            /* we run again: prev may have been a dead thread */
}

void sched_thread_started(void)
{
    reap();
}

/* Nothing can run: sleep until an interrupt, or the earliest deadline of a waiting thread. */
static void idle(void)
{
    uint64_t earliest = WAIT_FOREVER;
    for (struct thread *t = current->proc->threads; t; t = t->next)
        if (t->state == THREAD_WAITING && t->wait_deadline_ns < earliest)
            earliest = t->wait_deadline_ns;
    if (earliest != WAIT_FOREVER)
        timer_wake_at(ns_to_counter(earliest));
    cpu_idle();
    arch_irq_enable();                 /* take the interrupt that woke us */
    arch_irq_disable();
}

static bool alone(void) { return current->next == NULL && current->proc->threads == current; }

void sched_wait(void)
{
    if (alone()) {                     /* the common case: nobody to switch to, just sleep */
        idle();
        return;                        /* wait_until polls the network and looks again */
    }
    for (;;) {
        struct thread *next = pick(true);
        if (next) {
            switch_to(next);
            return;
        }
        idle();
        wait_run_poll_hooks();         /* what the interrupt brought may let a thread go on */
    }
}

void sched_yield_cpu(void)
{
    struct thread *next = pick(false);
    if (next)
        switch_to(next);
}

void sched_preempt(void)
{
    if (alone())
        return;
    uint64_t now = wait_now_ns();
    bool slice_over = timer_ticks() - current->slice_start >= SLICE_TICKS;
    for (struct thread *t = after(current); t != current; t = after(t)) {
        if (t->state == THREAD_WAITING && wait_over(t, now)) {
            switch_to(t);              /* a wake-up: let it go on now */
            return;
        }
        if (slice_over && t->state == THREAD_RUNNABLE) {
            switch_to(t);
            return;
        }
    }
    if (slice_over)
        current->slice_start = timer_ticks();
}

void sched_switch_away(void)
{
    for (;;) {
        struct thread *next = pick(false);
        if (next) {
            switch_to(next);           /* never comes back: we are dead */
        } else {
            idle();
            wait_run_poll_hooks();
        }
    }
}
