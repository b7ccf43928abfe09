/* Scheduling the process's threads on every CPU that came up (see sched.h). A waiting thread
 * does not sit on a wait queue of its own: it records what it waits for (wait_done/arg and a
 * deadline) and the scheduler evaluates that for it, so every blocking call in the kernel works
 * unchanged with threads and CPUs. There is one run list, the process's thread list; a thread
 * is on at most one CPU (t->cpu), and everything here runs under the kernel lock, which each CPU
 * holds from kernel entry to its return to user space or its idle WFI (kernel_lock.h). The lock
 * is held across a context switch, so a thread's saved context is complete before any other
 * CPU can see the thread as free to run. */
#include "kernel.h"
#include "sched.h"
#include "thread.h"
#include "process.h"
#include "signal.h"
#include "wait.h"
#include "timer.h"
#include "idle.h"
#include "arch.h"
#include "cpu.h"
#include "smp.h"
#include "kernel_lock.h"
#include "uvm.h"
#include "vm.h"
#include "mm.h"

#define SLICE_TICKS 1          /* 10 ms at TICK_HZ 100, Linux's order of magnitude */

static struct process *proc;   /* the process whose threads the CPUs run */
static uint64_t idle_mask;     /* CPUs asleep in their idle WFI: a wake-up must send an IPI */

struct thread *current_thread(void) { return this_cpu()->current; }

static uint64_t my_bit(void) { return 1ULL << this_cpu()->id; }

static void load_user_root(struct thread *t)
{
    struct cpu *c = this_cpu();
    uint64_t root = t->proc->vm->root;
    if (c->user_root != root) {
        uvm_activate(root);
        c->user_root = root;
    }
}

void sched_start(struct thread *t)
{
    struct cpu *c = this_cpu();
    proc = t->proc;
    c->current = t;
    t->cpu = c->id;
    t->slice_start = timer_ticks();
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
    sched_wake_thread(t);
}

/* What a waiting thread waits for has happened (or a signal or its deadline came). */
static bool wait_over(struct thread *t, uint64_t now_ns)
{
    return t->wait_done(t->wait_arg) || signal_interrupts_wait(t) ||
           (t->wait_deadline_ns != WAIT_FOREVER && now_ns >= t->wait_deadline_ns);
}

static bool allowed_here(struct thread *t) { return (t->affinity & my_bit()) != 0; }

/* t may run on this CPU now: nobody else runs it, its affinity allows us, and it is runnable
 * or what it waited for has happened. */
static bool can_run(struct thread *t, uint64_t now_ns)
{
    if ((t->cpu >= 0 && t->cpu != this_cpu()->id) || !allowed_here(t))
        return false;
    return t->state == THREAD_RUNNABLE || (t->state == THREAD_WAITING && wait_over(t, now_ns));
}

static struct thread *after(struct thread *t)
{
    return t->next ? t->next : t->proc->threads;
}

/* The first thread after cur that can run here; cur itself comes last when include_current.
 * From the idle loop (cur NULL) the list is searched from its head. */
static struct thread *pick(struct thread *cur, bool include_current)
{
    uint64_t now = wait_now_ns();
    if (!proc)
        return NULL;
    if (!cur) {
        for (struct thread *t = proc->threads; t; t = t->next)
            if (can_run(t, now))
                return t;
        return NULL;
    }
    for (struct thread *t = after(cur); t != cur; t = after(t))
        if (can_run(t, now))
            return t;
    return include_current && can_run(cur, now) ? cur : NULL;
}

/* Threads that died and whose stacks no CPU runs on any more. */
static void reap(void)
{
    if (!proc)
        return;
    for (struct thread **pp = &proc->threads; *pp; ) {
        struct thread *t = *pp;
        if (t->state == THREAD_DEAD && t->cpu < 0) {
            *pp = t->next;
            page_free(t->kstack_pa, KERNEL_STACK_PAGES);
            kfree(t);
            continue;
        }
        pp = &t->next;
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
        if (prev->state == THREAD_RUNNABLE)
            sched_wake_thread(prev);   /* it can still run: an idle CPU may take it */
    }
    if (next) {
        arch_load_user_state(&next->ctx);
        next->cpu = c->id;
        next->slice_start = timer_ticks();
        load_user_root(next);
    }
    c->current = next;
    arch_context_switch(from, to);
    reap();                            /* we run again: prev may have been a dead thread */
}

void sched_thread_started(void)
{
    reap();
}

/* Nothing can run here: sleep until an interrupt (a device, the tick, or another CPU's
 * reschedule IPI), or the earliest deadline of a waiting thread. The lock is let go for the
 * WFI; being in idle_mask before it is, a wake-up from another CPU always sends the IPI, and a
 * pending (masked) IPI ends the WFI at once, so none is lost between the check and the sleep.
 * The interrupt is taken before the lock is taken back, so a waiter for the lock never sits on
 * a pending IPI (which would end each of its naps at once). */
static void idle(void)
{
    uint64_t earliest = WAIT_FOREVER;
    if (proc)
        for (struct thread *t = proc->threads; t; t = t->next)
            if (t->state == THREAD_WAITING && t->wait_deadline_ns < earliest)
                earliest = t->wait_deadline_ns;
    if (earliest != WAIT_FOREVER)
        timer_wake_at(ns_to_counter(earliest));
    idle_mask |= my_bit();
    timer_idle_enter();
    kernel_unlock();
    cpu_idle();
    arch_irq_enable();                 /* take the interrupt that woke us (its handler locks) */
    arch_irq_disable();
    kernel_lock();
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

/* One thread: nothing to switch to or from, it just sleeps where it is. */
static bool alone(void)
{
    struct thread *cur = current_thread();
    return cur->next == NULL && cur->proc->threads == cur;
}

void sched_wait(void)
{
    if (alone()) {
        idle();
        return;                        /* wait_until polls the network and looks again */
    }
    struct thread *cur = current_thread();
    struct thread *next = pick(cur, true);
    if (next != cur)
        switch_to(next);               /* NULL: the idle loop, which resumes us when it may */
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
    for (struct thread *t = after(cur); t != cur; t = after(t)) {
        if (!can_run(t, now))
            continue;
        if (t->state == THREAD_WAITING && (idle_mask & t->affinity & ~my_bit())) {
            sched_wake_thread(t);      /* an idle CPU runs it; ours keeps its thread */
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

/* Something a waiting thread may wait for changed: an idle CPU looks again. */
void sched_kick_idle(void)
{
    int cpu = idle_cpu_in(~0ULL, -1);
    if (cpu >= 0)
        smp_send_reschedule(1ULL << cpu);
}

/* t can go on: if a CPU sleeps on its stack (a lone thread idles in place) that CPU, else an
 * idle CPU its affinity allows. */
void sched_wake_thread(struct thread *t)
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

/* A signal is pending: CPUs that run one of the process's threads enter the kernel (and act on
 * it when they return to user space); idle ones look at their waiting threads again. */
void sched_signal_pending(void)
{
    uint64_t mask = idle_mask;
    for (int i = 0; i < MAX_CPUS; i++)
        if (cpus[i].current)
            mask |= 1ULL << i;
    mask &= ~my_bit();
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
        sched_wake_thread(t);
}
