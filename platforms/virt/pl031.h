/* Arm PL031 real-time clock. */
#pragma once
#include <stdint.h>

void pl031_init(uint64_t pa);
