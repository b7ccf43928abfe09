/* Futexes: threads sleeping on a 32-bit word of user memory until another thread wakes them. */
#pragma once
#include <stdint.h>

#define FUTEX_BITSET_ANY 0xffffffffu

/* Wake up to n waiters on uaddr whose bitset meets `bitset`; returns how many. */
int futex_wake(uint64_t uaddr, int n, uint32_t bitset);

struct thread;
/* The exiting thread's robust mutexes become FUTEX_OWNER_DIED, one waiter each woken
 * (proc/robust_list.c). */
void futex_exit_robust_list(struct thread *t);
