/* Building translation tables. Used twice: by early_map with the MMU off (tables reached at
 * their physical addresses) and by the running kernel (tables reached through the direct map). */
#include <stddef.h>
#include <string.h>
#include "pagetable.h"
#include "memlayout.h"
#include "mm.h"

#define PT_POOL_PAGES 32

uint64_t pt_pool[PT_POOL_PAGES][512] __attribute__((aligned(4096)));
static uint64_t pool_pa;
static unsigned pool_used;
static uint64_t va_offset;

void pt_pool_init(uint64_t pa) { pool_pa = pa; }
void pt_set_va_offset(uint64_t offset) { va_offset = offset; }

static uint64_t *table_va(uint64_t pa) { return (uint64_t *)(pa + va_offset); }

uint64_t pt_alloc_table(void)
{
    uint64_t pa;
    if (pool_used < PT_POOL_PAGES) {
        pa = pool_pa + (uint64_t)pool_used++ * PAGE_SIZE;
    } else {
        if (!page_alloc_ready())
            return 0;
        pa = page_alloc(1);
        if (!pa)
            return 0;
    }
    memset(table_va(pa), 0, PAGE_SIZE);
    return pa;
}

static uint64_t *next_table(uint64_t *entry)
{
    if (!(*entry & PTE_VALID)) {
        uint64_t pa = pt_alloc_table();
        if (!pa)
            return NULL;
        *entry = pa | PTE_TABLE;
    } else if ((*entry & 3) != PTE_TABLE) {
        return NULL; /* a block is in the way */
    }
    return table_va(*entry & PTE_ADDR_MASK);
}

static int level_shift(int level) { return 39 - 9 * level; }

int pt_map(uint64_t root_pa, uint64_t va, uint64_t pa, uint64_t size, uint64_t prot, bool allow_blocks)
{
    while (size) {
        uint64_t *table = table_va(root_pa);
        int level;
        for (level = 0; level < 3; level++) {
            uint64_t block = 1UL << level_shift(level);
            bool can_block = allow_blocks && level >= 1 && !((va | pa) & (block - 1)) && size >= block;
            uint64_t *entry = &table[(va >> level_shift(level)) & 511];
            if (can_block) {
                if (*entry & PTE_VALID)
                    return -1;
                *entry = pa | prot | PTE_BLOCK;
                va += block;
                pa += block;
                size -= block;
                break;
            }
            table = next_table(entry);
            if (!table)
                return -1;
        }
        if (level == 3) {
            uint64_t *entry = &table[(va >> PAGE_SHIFT) & 511];
            *entry = pa | prot | PTE_PAGE;
            va += PAGE_SIZE;
            pa += PAGE_SIZE;
            size -= PAGE_SIZE;
        }
    }
    return 0;
}

void pt_free_table(uint64_t pa)
{
    if (pa >= pool_pa && pa < pool_pa + (uint64_t)PT_POOL_PAGES * PAGE_SIZE)
        return;                        /* the boot pool's pages are the kernel image's */
    page_free(pa, 1);
}
