/* aarch64 stage-1 translation tables, 4 KiB granule, four levels (L0..L3). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "sysreg.h"

#define PTE_VALID        (1UL << 0)
#define PTE_TABLE        (3UL << 0)     /* L0..L2: next-level table */
#define PTE_BLOCK        (1UL << 0)     /* L1/L2: 1 GiB / 2 MiB block */
#define PTE_PAGE         (3UL << 0)     /* L3: 4 KiB page */
#define PTE_ATTR(i)      ((uint64_t)(i) << 2)
#define PTE_AP_RW_EL1    (0UL << 6)
#define PTE_AP_RW_ALL    (1UL << 6)
#define PTE_AP_RO_EL1    (2UL << 6)
#define PTE_AP_RO_ALL    (3UL << 6)
#define PTE_SH_INNER     (3UL << 8)
#define PTE_AF           (1UL << 10)
#define PTE_NG           (1UL << 11)
#define PTE_PXN          (1UL << 53)
#define PTE_UXN          (1UL << 54)
#define PTE_ADDR_MASK    0x0000fffffffff000UL

#define PROT_KERNEL_TEXT   (PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_AP_RO_EL1 | PTE_UXN)
#define PROT_KERNEL_RO     (PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_AP_RO_EL1 | PTE_UXN | PTE_PXN)
#define PROT_KERNEL_RW     (PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN)
#define PROT_KERNEL_RWX    (PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_AP_RW_EL1 | PTE_UXN)
#define PROT_DEVICE        (PTE_AF | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AP_RW_EL1 | PTE_UXN | PTE_PXN)

/* Allocate a zeroed table page; returns its physical address, 0 when out of memory. Early tables
 * come from a static pool in the image; once the page allocator runs, from it. */
uint64_t pt_alloc_table(void);
/* Give back a table pt_alloc_table made (pages of the boot pool stay where they are). */
void pt_free_table(uint64_t pa);
/* Map [va, va+size) to [pa, pa+size) with the given attributes in the tree rooted at root_pa.
 * With allow_blocks, aligned stretches use 1 GiB / 2 MiB blocks. Returns 0 or -1 (no memory, or
 * the range collides with an existing block mapping). */
int pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, bool allow_blocks);
/* How table physical addresses are reached: identity before the MMU is on, direct map after. */
void pt_set_va_offset(uint64_t offset);
/* Pool bookkeeping for the boot path: where the pool is (head.S invalidates it, with all of
 * .bss, before the MMU goes on). */
void pt_pool_init(uint64_t pool_pa);
