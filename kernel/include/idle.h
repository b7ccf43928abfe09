/* The one way the kernel idles the CPU, so time spent idle can be counted. */
#pragma once
#include <stdint.h>

/* Wait for an interrupt (WFI). Called with interrupts masked or not: WFI wakes on a pending
 * interrupt either way; the caller unmasks to take it. */
void cpu_idle(void);
/* Nanoseconds spent in cpu_idle since boot. */
uint64_t cpu_idle_ns(void);
