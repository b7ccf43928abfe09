/* Scheduling the process's threads on every CPU that came up (see sched.h). A waiting thread
 * does not sit on a wait queue of its own: it records what it waits for (wait_done/arg and a
 * deadline) and the scheduler evaluates that for it, so every blocking call in the kernel works
 * unchanged with threads and CPUs.
 *
 * The CPUs share one ring of the threads the scheduler looks at: the runnable ones (running on
 * a CPU or not) and those whose wait it must evaluate. A passive wait (wait_until_woken:
 * futexes, sleeps) can end only through a wake (sched_wake, from futex_wake and signal
 * delivery) or its deadline (a timer event per thread), so such a thread leaves the ring the
 * first time its condition is found false while no CPU runs it, and comes back when woken: ten
 * thousand threads parked in pthread_join or a barrier cost nothing per switch. Dead threads
 * wait on a list of their own for reap().
 *
 * A thread is on at most one CPU (t->cpu). Everything here runs under the kernel lock, which
 * each CPU holds from kernel entry to its return to user space or its idle WFI
 * (kernel_lock.h); it is held across a context switch, so a thread's saved context is complete
 * before any other CPU can see the thread as free to run, and a dead thread's stack is left
 * before anyone can free it. */
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "rseq.h"
#include "seccomp.h"
#include "process.h"
#include "signal.h"
#include "wait.h"
#include "timer.h"
#include "idle.h"
#include "arch.h"
#include "cpu.h"
#include "smp.h"
#include "kernel_lock.h"
#include "cputime.h"
#include "uvm.h"
#include "vm.h"
#include "mm.h"

#define SLICE_TICKS 1          /* 10 ms at TICK_HZ 100, Linux's order of magnitude */

/* The ring (circular, linked by ring_next/ring_prev) is entered at `ring`; ring_len counts its
 * threads. A thread running on a CPU stays on it until it dies or parks. */
static struct thread *ring;
static int ring_len;
static struct thread *dead;    /* died, stack not freed yet (linked by ring_next) */
static uint64_t idle_mask;     /* CPUs asleep in their idle WFI: a wake-up must send an IPI */

static uint64_t my_bit(void) { return 1ULL << this_cpu()->id; }

void sched_user_space_changed(void)
{
    struct cpu *c = this_cpu();
    c->user_root = c->current->proc->vm->root;
    uvm_activate(c->user_root);
}

void sched_forget_user_root(uint64_t root)
{
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus[i].user_root == root)
            cpus[i].user_root = 0;
}

static void load_user_root(struct thread *t)
{
    struct cpu *c = this_cpu();
    uint64_t root = t->proc->vm->root;
    if (c->user_root != root) {
        uvm_activate(root);
        c->user_root = root;
    }
}

/* New and woken threads go in just before this CPU's thread (they run after the others' turn
 * here), or at the ring's end from a CPU that runs none. */
static void ring_insert(struct thread *t)
{
    struct thread *cur = current_thread();
    struct thread *at = cur && cur->on_ring ? cur : ring;
    if (!at) {
        t->ring_next = t->ring_prev = t;
        ring = t;
    } else {
        t->ring_next = at;
        t->ring_prev = at->ring_prev;
        at->ring_prev->ring_next = t;
        at->ring_prev = t;
    }
    t->on_ring = true;
    ring_len++;
}

static void ring_remove(struct thread *t)
{
    if (ring == t)
        ring = t->ring_next == t ? NULL : t->ring_next;
    t->ring_prev->ring_next = t->ring_next;
    t->ring_next->ring_prev = t->ring_prev;
    t->ring_next = t->ring_prev = t;
    t->on_ring = false;
    ring_len--;
}

/* One idle CPU in mask, preferring `prefer` (where the thread last ran: its cache is there),
 * else the lowest; -1 when none. Waking one CPU, not all: the others would only queue for the
 * kernel lock to find nothing to do. */
static int idle_cpu_in(uint64_t mask, int prefer)
{
    uint64_t idle = idle_mask & mask & ~my_bit();
    if (!idle)
        return -1;
    if (prefer >= 0 && (idle & (1ULL << prefer)))
        return prefer;
    return __builtin_ctzll(idle);
}

/* t may go on: if a CPU sleeps on its stack (a lone thread idles in place) that CPU looks
 * again, else an idle CPU its affinity allows takes it. */
static void kick(struct thread *t)
{
    if (t->cpu >= 0) {
        if (t->cpu != this_cpu()->id && (idle_mask & (1ULL << t->cpu)))
            smp_send_reschedule(1ULL << t->cpu);
        return;
    }
    int cpu = idle_cpu_in(t->affinity, t->last_cpu);
    if (cpu >= 0)
        smp_send_reschedule(1ULL << cpu);
}

void sched_start(struct thread *t)
{
    struct cpu *c = this_cpu();
    c->current = t;
    t->cpu = c->id;
    t->slice_start = timer_ticks();
    cputime_switch(NULL, t);
    ring_insert(t);
    /* The boot stack is free from here on (the thread runs on its own): it is where this CPU's
     * idle loop runs when no thread can. */
    arch_context_init_call(&c->idle_ctx, c->stack_top, sched_idle_loop);
    load_user_root(t);
}

void sched_add(struct thread *t)
{
    arch_context_init(&t->ctx, t->frame);
    t->cpu = -1;
    t->state = THREAD_RUNNABLE;
    ring_insert(t);
    kick(t);
}

void sched_wake(struct thread *t)
{
    if (t->state != THREAD_WAITING)
        return;
    if (!t->on_ring) {
        timer_event_cancel(&t->wake_event);
        ring_insert(t);
    }
    kick(t);
}

void sched_interrupt(struct thread *t)
{
    if (t->state == THREAD_WAITING)
        sched_wake(t);
    else if (t->cpu >= 0 && t->cpu != this_cpu()->id)
        smp_send_reschedule(1ULL << t->cpu);   /* its trap path delivers the signal */
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

static bool allowed_here(struct thread *t) { return (t->affinity & my_bit()) != 0; }

/* May t run on this CPU now? Nobody else runs it, its affinity allows us, and it is runnable
 * or what it waited for has happened. A passive waiter that cannot, and that no CPU runs, is
 * parked. */
static bool can_run(struct thread *t, uint64_t now_ns)
{
    if (t->cpu >= 0 && t->cpu != this_cpu()->id)
        return false;
    if (t->state == THREAD_RUNNABLE)
        return allowed_here(t);
    if (t->state != THREAD_WAITING)
        return false;
    if (wait_over(t, now_ns))
        return allowed_here(t);
    if (t->wait_passive && t->cpu < 0)
        park(t);
    return false;
}

/* The first thread after cur that can run here; cur itself comes last when include_current.
 * From the idle loop (cur NULL) the ring is searched once round from its entry; parking takes
 * threads off it meanwhile, so the walk is bounded by count, not by meeting its start again. */
static struct thread *pick(struct thread *cur, bool include_current)
{
    uint64_t now = wait_now_ns();
    if (!cur) {
        struct thread *t = ring, *next;
        for (int n = ring_len; n > 0 && t; n--, t = next) {
            next = t->ring_next;       /* t may be parked (leave the ring) */
            if (can_run(t, now))
                return t;
        }
        return NULL;
    }
    for (struct thread *t = cur->ring_next, *next; t != cur; t = next) {
        next = t->ring_next;           /* cur is never parked here: this CPU runs it */
        if (can_run(t, now))
            return t;
    }
    return include_current && can_run(cur, now) ? cur : NULL;
}

/* Threads that died and whose stacks nobody runs on any more (the CPU that left one did so
 * under the lock we hold). */
static void reap(void)
{
    while (dead) {
        struct thread *t = dead;
        dead = t->ring_next;
        struct process *p = t->proc;
        cputime_thread_gone(p, t);
        thread_unlink(t);
        signal_thread_gone(t);
        seccomp_release(t);
        page_free(t->kstack_pa, KERNEL_STACK_PAGES);
        kfree(t);
        process_thread_freed(p);       /* an unwaited-for process goes with its last thread */
    }
}

/* Run next (NULL: this CPU's idle loop) in place of whatever runs here. The outgoing thread's
 * user-only registers are saved into its context, so any CPU may resume it. */
static void switch_to(struct thread *next)
{
    struct cpu *c = this_cpu();
    struct thread *prev = c->current;
    if (next == prev)
        return;
    struct arch_context *from = prev ? &prev->ctx : &c->idle_ctx;
    struct arch_context *to = next ? &next->ctx : &c->idle_ctx;
    if (prev) {
        arch_save_user_state(&prev->ctx);
        prev->cpu = -1;
        prev->last_cpu = c->id;
        rseq_switched_out(prev);
        if (prev->state == THREAD_DEAD) {
            ring_remove(prev);
            prev->ring_next = dead;
            dead = prev;
        } else if (prev->state == THREAD_RUNNABLE) {
            if (next)
                prev->nivcsw++;        /* preempted (or yielded) for another thread */
            kick(prev);                /* it can still run: an idle CPU may take it */
        } else if (prev->state == THREAD_WAITING) {
            if (wait_over(prev, wait_now_ns()))
                kick(prev);
            else if (prev->wait_passive)
                park(prev);
        }
    }
    if (next) {
        arch_load_user_state(&next->ctx);
        next->cpu = c->id;
        next->slice_start = timer_ticks();
        load_user_root(next);
    }
    c->current = next;
    cputime_switch(prev, next);
    arch_context_switch(from, to);
    reap();                            /* we run again: prev may have been a dead thread */
}

void sched_thread_started(void)
{
    reap();
    rseq_return_to_user(current_thread()->frame);   /* a fork's child: its cpu_id fields */
}

/* Nothing can run here: sleep until an interrupt (a device, the tick, or another CPU's
 * reschedule IPI), or the earliest deadline of a waiting thread on the ring (parked ones have
 * timer events of their own). The lock is let go for the WFI; being in idle_mask before it
 * is, a wake-up from another CPU always sends the IPI, and a pending (masked) IPI ends the WFI
 * at once, so none is lost between the check and the sleep. The interrupt is taken before the
 * lock is taken back, so a waiter for the lock never sits on a pending IPI (which would end
 * each of its naps at once). */
static void idle(void)
{
    uint64_t earliest = WAIT_FOREVER;
    struct thread *t = ring;
    for (int n = ring_len; n > 0 && t; n--, t = t->ring_next)
        if (t->state == THREAD_WAITING && t->wait_deadline_ns < earliest)
            earliest = t->wait_deadline_ns;
    if (earliest != WAIT_FOREVER)
        timer_wake_at(ns_to_counter(earliest));
    idle_mask |= my_bit();
    timer_idle_enter();
    cputime_pause();                   /* a thread asleep in place uses no CPU time */
    kernel_unlock();
    cpu_idle();
    arch_irq_enable();                 /* take the interrupt that woke us (its handler locks) */
    arch_irq_disable();
    kernel_lock();
    cputime_resume();
    timer_idle_exit();
    idle_mask &= ~my_bit();
}

void sched_idle_loop(void)
{
    for (;;) {
        reap();
        struct thread *next = pick(NULL, false);
        if (next) {
            switch_to(next);           /* back here when that CPU's thread has nothing to run */
            continue;
        }
        idle();
        wait_run_poll_hooks();         /* what the interrupt brought may let a thread go on */
    }
}

/* Nobody else on the ring: this CPU's thread just sleeps where it is (parked threads wake
 * through sched_wake, which puts them back and sends this CPU the IPI). */
static bool alone(void)
{
    struct thread *cur = current_thread();
    return cur->ring_next == cur;
}

/* Nothing else can run here either: the thread sleeps in place too, rather than through two
 * switches to the idle loop and back. It keeps this CPU (t->cpu), so its own wake comes here
 * (kick), and a thread woken meanwhile that may run here finds this CPU in idle_mask: the IPI
 * brings us back through wait_until, whose next sched_wait switches to it. */
void sched_wait(void)
{
    struct thread *cur = current_thread();
    if (allowed_here(cur)) {
        if (alone()) {
            idle();                    /* the common case: nobody to switch to, just sleep */
        } else {
            struct thread *next = pick(cur, true);
            if (next == cur)
                return;
            if (next) {
                switch_to(next);
                return;
            }
            idle();
        }
        if (allowed_here(cur))
            return;                    /* wait_until polls the network and looks again */
    }
    /* sched_setaffinity moved it away from this CPU, before or while it slept here: it waits,
     * or goes on if its wait is over, where it may run (as Linux places a task at its wake). */
    switch_to(pick(cur, false));
}

void sched_yield_cpu(void)
{
    struct thread *next = pick(current_thread(), false);
    if (next)
        switch_to(next);
}

/* From an interrupt taken in user mode: the slice is over, a waiting thread can go on (a wake-up
 * runs at once unless an idle CPU can take it), or the thread may no longer run here. */
void sched_preempt(void)
{
    struct thread *cur = current_thread();
    if (!cur)
        return;
    if (!allowed_here(cur)) {          /* sched_setaffinity moved it away from this CPU */
        switch_to(pick(cur, false));
        return;
    }
    if (alone())
        return;
    uint64_t now = wait_now_ns();
    bool slice_over = timer_ticks() - cur->slice_start >= SLICE_TICKS;
    for (struct thread *t = cur->ring_next, *next; t != cur; t = next) {
        next = t->ring_next;
        if (!can_run(t, now))
            continue;
        if (t->state == THREAD_WAITING && idle_cpu_in(t->affinity, t->last_cpu) >= 0) {
            kick(t);                   /* an idle CPU runs it; ours keeps its thread */
            continue;
        }
        if (t->state == THREAD_WAITING || slice_over) {
            switch_to(t);
            return;
        }
    }
    if (slice_over)
        cur->slice_start = timer_ticks();
}

void sched_switch_away(void)
{
    switch_to(pick(current_thread(), false));
    panic("sched: a dead thread was resumed");
}

/* Something a waiting thread may wait for changed (wake_up): the CPUs whose thread sleeps in
 * place on a condition look again (a passive waiter there only wakes through sched_wake), and
 * one idle CPU without a thread evaluates the waiters no CPU runs. */
void sched_kick_idle(void)
{
    uint64_t in_place = 0, others = idle_mask & ~my_bit();
    for (uint64_t m = others; m; m &= m - 1) {
        int i = __builtin_ctzll(m);
        struct thread *t = cpus[i].current;
        if (t) {
            others &= ~(1ULL << i);
            if (!t->wait_passive)
                in_place |= 1ULL << i;
        }
    }
    uint64_t mask = in_place | (others & -others);
    if (mask)
        smp_send_reschedule(mask);
}

/* sched_setaffinity: a thread running on a CPU it may no longer use leaves it at once (the
 * caller) or at that CPU's next interrupt, which the IPI makes immediate, as Linux migrates it
 * before the call returns. */
void sched_affinity_changed(struct thread *t)
{
    if (t == current_thread() && !allowed_here(t))
        switch_to(pick(t, false));     /* the caller itself: it goes on where it may */
    else if (t->cpu >= 0 && !(t->affinity & (1ULL << t->cpu)))
        smp_send_reschedule(1ULL << t->cpu);
    else
        kick(t);
}
