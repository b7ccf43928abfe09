/* Time: the architecture's one-shot timer drives a periodic tick (lwIP's timeouts and the
 * bounded waits rely on it) and fires earlier for whoever asked: a waiter's deadline
 * (timer_wake_at, so nanosleep(1 ms) sleeps 1 ms, not a tick) or an armed timer event (interval
 * timers). Every CPU runs its own tick and wake-ups (the timer is per CPU, its deadlines are in
 * struct cpu); the boot CPU alone counts ticks and runs the tick hooks, and timer events fire on
 * whichever CPU's interrupt finds them due (the CPU that arms one programs its own timer for it).
 * Everything here runs under the kernel lock with interrupts masked. */
#include "kernel.h"
#include "timer.h"
#include "irq.h"
#include "arch.h"
#include "cpu.h"
#include "vdso.h"

#define MAX_TICK_HOOKS 8

static volatile uint64_t ticks;
static uint64_t counts_per_tick;
static struct timer_event *events;        /* armed, unordered: there are only a few */
static void (*tick_hooks[MAX_TICK_HOOKS])(void);

static void program(void)
{
    struct cpu *c = this_cpu();
    uint64_t tick = c->tickless ? UINT64_MAX : c->next_tick_at;
    uint64_t at = tick < c->wake_request ? tick : c->wake_request;
    for (struct timer_event *e = events; e; e = e->next)
        if (e->at < at)
            at = e->at;
    c->timer_at = at;
    arch_timer_arm_at(at);
}

/* An idle CPU other than the boot CPU needs no tick: nothing runs on it to preempt, and what
 * wakes it is an IPI or a deadline it asked for (timer_wake_at). The boot CPU keeps ticking: the
 * tick count, its hooks and lwIP's timers run there. */
void timer_idle_enter(void)
{
    struct cpu *c = this_cpu();
    if (c->id != 0) {
        c->tickless = true;
        program();
    }
}

void timer_idle_exit(void)
{
    struct cpu *c = this_cpu();
    if (c->tickless) {
        c->tickless = false;
        c->next_tick_at = counter_now() + counts_per_tick;
        program();
    }
}

/* No lock here (the kernel lock's waiters call it): only this CPU's own fields are read. */
void timer_nap(uint64_t counts)
{
    struct cpu *c = this_cpu();
    uint64_t at = counter_now() + counts;
    arch_timer_arm_at(at < c->timer_at ? at : c->timer_at);
    arch_wait_for_interrupt();
    arch_timer_arm_at(c->timer_at);    /* an expired deadline stays pending, as it should */
}

static void fire_expired(uint64_t now)
{
    for (bool again = true; again; ) {
        again = false;
        for (struct timer_event **pp = &events; *pp; pp = &(*pp)->next) {
            struct timer_event *e = *pp;
            if (e->at > now)
                continue;
            *pp = e->next;             /* unlinked before it runs: fire may re-arm it */
            e->armed = false;
            e->fire(e);
            again = true;
            break;
        }
    }
}

static void timer_interrupt(void *arg)
{
    struct cpu *c = this_cpu();
    uint64_t now = counter_now();
    if (now >= c->next_tick_at) {
        uint64_t missed = (now - c->next_tick_at) / counts_per_tick;
        c->next_tick_at += (missed + 1) * counts_per_tick;
        if (c->id == 0) {
            ticks += missed + 1;
            for (int i = 0; i < MAX_TICK_HOOKS && tick_hooks[i]; i++)
                tick_hooks[i]();
        }
    }
    if (c->wake_request <= now)
        c->wake_request = UINT64_MAX;
    fire_expired(now);
    program();
}

void timer_init(uint32_t intid)
{
    counts_per_tick = arch_counter_freq() / TICK_HZ;
    arch_timer_user_access();
    irq_register(intid, timer_interrupt, NULL);
    timer_cpu_init();
}

void timer_cpu_init(void)
{
    struct cpu *c = this_cpu();
    c->wake_request = UINT64_MAX;
    c->next_tick_at = counter_now() + counts_per_tick;
    program();
}

void timer_add_tick_hook(void (*fn)(void))
{
    for (int i = 0; i < MAX_TICK_HOOKS; i++)
        if (!tick_hooks[i]) {
            tick_hooks[i] = fn;
            return;
        }
    panic("timer: more than %d tick hooks", MAX_TICK_HOOKS);
}

void timer_wake_at(uint64_t counter)
{
    struct cpu *c = this_cpu();
    if (counter < c->wake_request) {
        c->wake_request = counter;
        program();
    }
}

void timer_event_arm(struct timer_event *e, uint64_t counter)
{
    timer_event_cancel(e);
    e->at = counter;
    e->armed = true;
    e->next = events;
    events = e;
    program();
}

void timer_event_cancel(struct timer_event *e)
{
    if (!e->armed)
        return;
    for (struct timer_event **pp = &events; *pp; pp = &(*pp)->next)
        if (*pp == e) {
            *pp = e->next;
            break;
        }
    e->armed = false;
}

uint64_t timer_ticks(void) { return ticks; }
uint64_t counter_now(void) { return arch_counter(); }
uint64_t counter_freq(void) { return arch_counter_freq(); }

uint64_t counter_to_ns(uint64_t counts)
{
    uint64_t f = arch_counter_freq();
    return (counts / f) * 1000000000UL + (counts % f) * 1000000000UL / f;
}

uint64_t ns_to_counter(uint64_t ns)
{
    uint64_t f = arch_counter_freq();
    return (ns / 1000000000UL) * f + (ns % 1000000000UL) * f / 1000000000UL;
}

/* CLOCK_REALTIME = this offset + the monotonic counter time. */
static uint64_t realtime_offset_ns;

void time_set_realtime(uint64_t ns_since_epoch)
{
    realtime_offset_ns = ns_since_epoch - counter_to_ns(counter_now());
    vdso_time_changed();
}

uint64_t time_realtime_offset_ns(void) { return realtime_offset_ns; }

uint64_t time_wall_to_mono_ns(uint64_t wall_ns)
{
    int64_t mono = (int64_t)(wall_ns - realtime_offset_ns);   /* the offset wraps below the epoch */
    return mono > 0 ? (uint64_t)mono : 0;
}

uint64_t time_realtime_ns(void)
{
    return realtime_offset_ns + counter_to_ns(counter_now());
}
