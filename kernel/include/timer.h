/* Time: the architecture's free-running counter and a periodic tick. */
#pragma once
#include <stdint.h>

#define TICK_HZ 100

void timer_init(uint32_t intid);
uint64_t timer_ticks(void);
uint64_t counter_now(void);
uint64_t counter_freq(void);
uint64_t counter_to_ns(uint64_t counts);
/* Wall-clock time: a real-time clock sets it at boot (without one it starts at the epoch). */
void time_set_realtime(uint64_t ns_since_epoch);
uint64_t time_realtime_ns(void);
