/* The Linux syscall layer: aarch64 generic numbers, one handler per call, grouped by family in
 * kernel/syscall/sys_*.c. Handlers return a value or a negative errno, as the raw syscall does. */
#pragma once
#include <stdint.h>

typedef int64_t (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#define SYSCALL(name) int64_t sys_##name(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)

/* nr in x8, arguments in x0..x5, result back in x0. */
int64_t syscall_dispatch(uint64_t nr, uint64_t a[6]);
const char *syscall_name(uint64_t nr);
