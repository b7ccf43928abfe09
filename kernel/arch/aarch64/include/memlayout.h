/* The kernel's virtual address layout (48-bit VA, 4 KiB granule).
 *   0x0000_0000_0000_0000 .. 0x0000_ffff_ffff_ffff  user space (TTBR0), 256 TiB
 *   0xffff_0000_0000_0000 ..                         direct map of all RAM: va = DIRECT_MAP_BASE + pa
 *   0xffff_8000_0000_0000 ..                         device mappings (ioremap)
 *   0xffff_ffff_8000_0000 ..                         the kernel image, wherever it sits in RAM */
#pragma once

#define PAGE_SHIFT       12
#define PAGE_SIZE        (1UL << PAGE_SHIFT)
#define USER_VA_BITS     48
#define USER_VA_END      (1UL << USER_VA_BITS)
#define DIRECT_MAP_BASE  0xffff000000000000UL
#define DIRECT_MAP_SIZE  (1UL << 47)
#define IO_MAP_BASE      0xffff800000000000UL
#define IO_MAP_SIZE      (1UL << 40)
#define KERNEL_VBASE     0xffffffff80000000UL

#ifndef __ASSEMBLY__
#include <stdint.h>
static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)va - DIRECT_MAP_BASE; }
#endif
