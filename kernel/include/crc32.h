/* CRC-32 as zlib computes it (reflected polynomial 0xedb88320, initial and final xor ~0).
 * Chain calls by passing the previous result; start with 0. */
#pragma once
#include <stdint.h>
#include <stddef.h>

uint32_t crc32(uint32_t crc, const void *buf, size_t len);
