/* AT_HWCAP/AT_HWCAP2 for user space, computed from this CPU's ID registers so that glibc only
 * picks routines the CPU really has (and the kernel really supports: no SVE, no pointer
 * authentication keys, no BTI/MTE yet). */
#pragma once
#include <stdint.h>

void arch_hwcaps(uint64_t *hwcap, uint64_t *hwcap2);
/* /proc/cpuinfo's text for the CPUs in cpu_mask (bit n: processor n) into buf; its length. */
#include <stddef.h>
size_t arch_cpuinfo(char *buf, size_t size, uint64_t cpu_mask, uint64_t counter_hz);
