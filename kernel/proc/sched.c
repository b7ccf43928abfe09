/* Round-robin scheduling of the process's threads on one CPU (see sched.h). A waiting thread
 * does not sit on a wait queue of its own: it records what it waits for (wait_done/arg and a
 * deadline) and the scheduler evaluates that for it, so every blocking call in the kernel works
 * unchanged with threads. With interrupts masked everywhere in the kernel, nothing here races.
 *
 * The scheduler looks only at the threads on its ring: the runnable ones and those whose wait it
 * must evaluate. A passive wait (wait_until_woken: futexes, sleeps) can end only through a wake
 * (sched_wake, from futex_wake and signal delivery) or its deadline (a timer event per thread),
 * so such a thread leaves the ring the first time its condition is found false and comes back
 * when woken: ten thousand threads parked in pthread_join or a barrier cost nothing per switch.
 * Dead threads wait on a list of their own for reap(). */
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
#include "vm.h"
#include "uvm.h"

#define SLICE_TICKS 1          /* 10 ms at TICK_HZ 100, Linux's order of magnitude */

static struct thread *current;
static struct thread *dead;            /* died, stack not freed yet (linked by ring_next) */

struct thread *current_thread(void) { return current; }

/* The ring is circular and always holds the current thread (until it dies or parks). New and
 * woken threads go in just before the current one: they run after the others' turn. */
static void ring_insert(struct thread *t)
{
    struct thread *at = current;
    t->ring_next = at;
    t->ring_prev = at->ring_prev;
    at->ring_prev->ring_next = t;
    at->ring_prev = t;
    t->on_ring = true;
}

static void ring_remove(struct thread *t)
{
    t->ring_prev->ring_next = t->ring_next;
    t->ring_next->ring_prev = t->ring_prev;
    t->ring_next = t->ring_prev = t;
    t->on_ring = false;
}

void sched_start(struct thread *t)
{
    current = t;
    t->ring_next = t->ring_prev = t;
    t->on_ring = true;
    t->slice_start = timer_ticks();
}

void sched_add(struct thread *t)
{
    arch_context_init(&t->ctx, t->frame);
    t->state = THREAD_RUNNABLE;
    ring_insert(t);
}

void sched_wake(struct thread *t)
{
    if (t->on_ring || t->state != THREAD_WAITING)
        return;
    timer_event_cancel(&t->wake_event);
    ring_insert(t);
}

static void deadline_passed(struct timer_event *e)
{
    sched_wake((struct thread *)((char *)e - offsetof(struct thread, wake_event)));
}

/* What a waiting thread waits for has happened (or a signal or its deadline came). */
static bool wait_over(struct thread *t, uint64_t now_ns)
{
    return t->wait_done(t->wait_arg) || signal_interrupts_wait(t) ||
           (t->wait_deadline_ns != WAIT_FOREVER && now_ns >= t->wait_deadline_ns);
}

/* A passive waiter whose condition is false leaves the ring until a wake or its deadline. */
static void park(struct thread *t)
{
    ring_remove(t);
    if (t->wait_deadline_ns != WAIT_FOREVER) {
        t->wake_event.fire = deadline_passed;
        timer_event_arm(&t->wake_event, ns_to_counter(t->wait_deadline_ns));
    }
}

/* Can t (not the current thread) run now? A passive waiter that cannot is parked. */
static bool can_run(struct thread *t, uint64_t now_ns)
{
    if (t->state == THREAD_RUNNABLE)
        return true;
    if (wait_over(t, now_ns))
        return true;
    if (t->wait_passive && t != current)
        park(t);
    return false;
}

/* The first thread after the current one that can run; the current one itself comes last. */
static struct thread *pick(bool include_current)
{
    uint64_t now = wait_now_ns();
    for (struct thread *t = current->ring_next, *next; t != current; t = next) {
        next = t->ring_next;           /* t may be parked (leave the ring) */
        if (can_run(t, now))
            return t;
    }
    return include_current && can_run(current, now) ? current : NULL;
}

/* Threads that died and whose stacks nobody runs on any more. */
static void reap(void)
{
    while (dead && dead != current) {
        struct thread *t = dead;
        dead = t->ring_next;
        struct process *p = t->proc;
        thread_unlink(t);
        page_free(t->kstack_pa, KERNEL_STACK_PAGES);
        kfree(t);
        process_thread_freed(p);       /* an unwaited-for process goes with its last thread */
    }
}

static void switch_to(struct thread *next)
{
    struct thread *prev = current;
    if (next == prev)
        return;
    if (prev->state == THREAD_DEAD) {
        ring_remove(prev);
        prev->ring_next = dead;
        dead = prev;
    } else if (prev->state == THREAD_WAITING && prev->wait_passive && !wait_over(prev, wait_now_ns())) {
        park(prev);
    }
    arch_switch_user_state(&prev->ctx, &next->ctx);
    uvm_switch(next->proc->vm->root);  /* another process's thread: its address space */
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
    uint64_t earliest = current->state == THREAD_WAITING ? current->wait_deadline_ns : WAIT_FOREVER;
    for (struct thread *t = current->ring_next; t != current; t = t->ring_next)
        if (t->state == THREAD_WAITING && t->wait_deadline_ns < earliest)
            earliest = t->wait_deadline_ns;   /* parked threads have timer events of their own */
    if (earliest != WAIT_FOREVER)
        timer_wake_at(ns_to_counter(earliest));
    cpu_idle();
    arch_irq_enable();                 /* take the interrupt that woke us */
    arch_irq_disable();
}

/* Nobody else on the ring: parked threads wake through sched_wake, which puts them back. */
static bool alone(void) { return current->ring_next == current; }

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
    for (struct thread *t = current->ring_next, *next; t != current; t = next) {
        next = t->ring_next;
        if (t->state == THREAD_WAITING && can_run(t, now)) {
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
