/* The one way the kernel idles the CPU, so time spent idle can be counted. */
#pragma once
#include <stdint.h>

/* Wait for an interrupt (WFI). Called with interrupts masked or not: WFI wakes on a pending
 * interrupt either way; the caller unmasks to take it. */
void cpu_idle(void);
/* Nanoseconds the online CPUs spent in cpu_idle since boot, added up. */
uint64_t cpu_idle_ns(void);
/* Nanoseconds the online CPUs were busy since each came up, added up. */
uint64_t cpu_busy_ns(void);
