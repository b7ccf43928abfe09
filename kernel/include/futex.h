/* Futexes: threads sleeping on a 32-bit word of user memory until another thread wakes them. */
#pragma once
#include <stdint.h>

#define FUTEX_BITSET_ANY 0xffffffffu

/* Wake up to n waiters on uaddr whose bitset meets `bitset`; returns how many. */
int futex_wake(uint64_t uaddr, int n, uint32_t bitset);
