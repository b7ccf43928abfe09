/* Random bytes for AT_RANDOM, getrandom and /dev/urandom: the CPU's RNDR when it has one,
 * otherwise a generator seeded from the counter (not cryptographic; stated at boot). */
#pragma once
#include <stddef.h>
#include <stdbool.h>

void random_init(void);
void random_bytes(void *buf, size_t len);
