/* The vDSO ([vdso] and its data page [vvar]): clocks answered in user space, and the signal
 * return trampoline. */
#pragma once
#include <stdint.h>

struct vm;
/* Map the vDSO into vm; returns the ELF header's user address (AT_SYSINFO_EHDR), 0 if out of
 * memory (the program then simply makes system calls). */
uint64_t vdso_map(struct vm *vm);
/* The user address of __kernel_rt_sigreturn in the vDSO mapped at `vdso`: where a handler
 * without SA_RESTORER returns, as on Linux arm64. */
uint64_t vdso_sigreturn(uint64_t vdso);
/* The realtime offset changed (timer.c): republish it to user space. */
void vdso_time_changed(void);
