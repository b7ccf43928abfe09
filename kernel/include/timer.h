/* Time: the architecture's free-running counter and a periodic tick. */
#pragma once
#include <stdint.h>

#define TICK_HZ 100

void timer_init(uint32_t intid);
uint64_t timer_ticks(void);
uint64_t counter_now(void);
uint64_t counter_freq(void);
uint64_t counter_to_ns(uint64_t counts);
