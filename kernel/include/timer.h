/* Time: the architecture's free-running counter, a periodic tick, and one-shot wake-ups. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define TICK_HZ 100
#define NSEC_PER_SEC 1000000000UL

void timer_init(uint32_t intid);
/* This CPU's tick (the boot CPU's from timer_init; a secondary's as it comes up). */
void timer_cpu_init(void);
uint64_t timer_ticks(void);
uint64_t counter_now(void);
uint64_t counter_freq(void);
uint64_t counter_to_ns(uint64_t counts);
uint64_t ns_to_counter(uint64_t ns);

/* Something to run (from the timer interrupt) when the counter reaches `at`. */
struct timer_event {
    uint64_t at;
    void (*fire)(struct timer_event *e);
    bool armed;
    struct timer_event *next;
};
void timer_event_arm(struct timer_event *e, uint64_t at_counter);
void timer_event_cancel(struct timer_event *e);
/* Make sure this CPU wakes from its idle wait by `counter` (a waiter's deadline). */
void timer_wake_at(uint64_t counter);
/* Around an idle WFI: a secondary CPU stops its tick meanwhile (deadlines still wake it). */
void timer_idle_enter(void);
void timer_idle_exit(void);
/* Sleep in WFI with interrupts masked for at most `counts` (this CPU's timer ends it if nothing
 * else does), then leave the timer as it was. For waiting on the kernel lock without the lock. */
void timer_nap(uint64_t counts);
/* Called from every periodic tick (interval timers that count CPU time). */
void timer_add_tick_hook(void (*fn)(void));
/* Wall-clock time: a real-time clock sets it at boot (without one it starts at the epoch). */
void time_set_realtime(uint64_t ns_since_epoch);
uint64_t time_realtime_ns(void);
/* CLOCK_REALTIME minus the counter's time in ns (what the vDSO adds). */
uint64_t time_realtime_offset_ns(void);
/* The monotonic time at which CLOCK_REALTIME reads wall_ns, with the offset as it is now (0 when
 * that is before boot). */
uint64_t time_wall_to_mono_ns(uint64_t wall_ns);
