/* Arm Generic Interrupt Controller drivers; the platform picks one from the device tree. */
#pragma once
#include <stdint.h>

void gicv2_init(uint64_t dist_pa, uint64_t cpu_pa);
void gicv3_init(uint64_t dist_pa, uint64_t redist_pa, uint64_t redist_size);
