/* The vDSO ([vdso] and its data page [vvar]): clocks answered in user space. */
#pragma once
#include <stdint.h>

struct vm;
/* Map the vDSO into vm; returns the ELF header's user address (AT_SYSINFO_EHDR), 0 if out of
 * memory (the program then simply makes system calls). */
uint64_t vdso_map(struct vm *vm);
/* The realtime offset changed (timer.c): republish it to user space. */
void vdso_time_changed(void);
