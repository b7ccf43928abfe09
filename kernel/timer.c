/* The periodic tick, driven by the architecture's one-shot timer re-armed from its interrupt. */
#include "kernel.h"
#include "timer.h"
#include "irq.h"
#include "arch.h"

static volatile uint64_t ticks;
static uint64_t counts_per_tick;

static void tick(void *arg)
{
    ticks++;
    arch_timer_arm(counts_per_tick);
}

void timer_init(uint32_t intid)
{
    counts_per_tick = arch_counter_freq() / TICK_HZ;
    arch_timer_user_access();
    irq_register(intid, tick, NULL);
    arch_timer_arm(counts_per_tick);
}

uint64_t timer_ticks(void) { return ticks; }
uint64_t counter_now(void) { return arch_counter(); }
uint64_t counter_freq(void) { return arch_counter_freq(); }

uint64_t counter_to_ns(uint64_t counts)
{
    uint64_t f = arch_counter_freq();
    return (counts / f) * 1000000000UL + (counts % f) * 1000000000UL / f;
}

/* CLOCK_REALTIME = this offset + the monotonic counter time. */
static uint64_t realtime_offset_ns;

void time_set_realtime(uint64_t ns_since_epoch)
{
    realtime_offset_ns = ns_since_epoch - counter_to_ns(counter_now());
}

uint64_t time_realtime_ns(void)
{
    return realtime_offset_ns + counter_to_ns(counter_now());
}
