/* The part of the kernel's arch.h that kernel/lib/string.c uses, for its host build
 * (string_check.c provides the definitions: a zeroing block of its choosing). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
extern size_t arch_zero_block;
extern bool arch_normal_memory;
void arch_zero_blocks(void *p, size_t n);
