/* The memory limits, checked where Linux's mm checks them (proc/rlimit_mem.c): RLIMIT_AS for every
 * growth of the address space, RLIMIT_DATA for private writable memory and the heap,
 * RLIMIT_MEMLOCK for locked memory, RLIMIT_STACK for a stack's growth and exec's argument space.
 * Each uses the calling process's soft limits, as Linux's
 * rlimit() does, whatever address space is being changed. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct vm;
struct vma;

/* Bytes of vm's mappings (Linux's total_vm, /proc's VmSize), all or those within [start, end). */
uint64_t vm_total_bytes(const struct vm *vm);
uint64_t vm_bytes_in(const struct vm *vm, uint64_t start, uint64_t end);
/* may_expand_vm: may vm grow by `bytes` under RLIMIT_AS, and, for data (private writable memory
 * that is not a stack: Linux's is_data_mapping), under RLIMIT_DATA? (ENOMEM otherwise) */
bool rlimit_may_expand(const struct vm *vm, uint64_t bytes, bool data);
/* mprotect_fixup's: may `bytes` of vm that were not data become data under RLIMIT_DATA? */
bool rlimit_may_become_data(const struct vm *vm, uint64_t bytes);
/* check_data_rlimit: may the heap end at brk (RLIMIT_DATA over the heap and the program's data)? */
bool rlimit_may_brk(const struct vm *vm, uint64_t brk);
/* can_do_mlock: a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK (EPERM otherwise). */
bool rlimit_may_mlock(void);
/* mlock_future_check: may `bytes` more of locked memory be added to vm (a MAP_LOCKED mapping, one
 * made under mlockall(MCL_FUTURE), a locked mapping grown)? */
bool rlimit_may_lock_more(const struct vm *vm, uint64_t bytes);
/* do_mlock's check: may [start, end) be locked, the locked bytes already in it not counted twice? */
bool rlimit_may_lock_range(const struct vm *vm, uint64_t start, uint64_t end);
/* mlockall(MCL_CURRENT)'s: may all of vm be locked? */
bool rlimit_may_lock_all(const struct vm *vm);
/* acct_stack_growth: may the stack v grow down to new_start (RLIMIT_STACK, RLIMIT_AS, and
 * RLIMIT_MEMLOCK when it is locked)? */
bool rlimit_may_grow_stack(const struct vm *vm, const struct vma *v, uint64_t new_start);
/* exec's room for the argument and environment strings with their pointers: a quarter of
 * RLIMIT_STACK, at most 6 MiB (3/4 of the 8 MiB default), at least 128 KiB (Linux's ARG_MAX). */
uint64_t rlimit_exec_arg_space(void);
/* The bytes an exec'd stack may grow to (RLIMIT_STACK, the soft limit). */
uint64_t rlimit_stack_max(void);
