/* A keyed hash for values an attacker must not predict (TCP initial sequence numbers): SipHash-2-4
 * of `len` bytes under a 128-bit key (kernel/lib/siphash.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint64_t key[2], const uint8_t *in, size_t len);
