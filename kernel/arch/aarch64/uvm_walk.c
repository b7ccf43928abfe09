/* Looking at a user page table without changing it: what /proc/<pid>/status and statm count
 * (resident pages by kind, the tables' own size). Walks skip absent tables, as uvm.c's do. */
#include "kernel.h"
#include "uvm.h"
#include "pagetable.h"
#include "mm.h"

static uint64_t *table(uint64_t pa) { return phys_to_virt(pa); }

static void each_page(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
                      void (*fn)(uint64_t va, uint64_t pa, void *arg), void *arg)
{
    int shift = 39 - 9 * level;
    uint64_t span = 1UL << shift;
    /* Only the entries [start, end) overlaps: a status read walks every VMA. */
    unsigned first = start > base ? (unsigned)((start - base) >> shift) : 0;
    unsigned last = end - base > 512 * span ? 511 : (unsigned)((end - 1 - base) >> shift);
    for (unsigned i = first; i <= last && i < 512; i++) {
        uint64_t lo = base + i * span;
        if (!(t[i] & PTE_VALID))
            continue;
        if (level == 3)
            fn(lo, t[i] & PTE_ADDR_MASK, arg);
        else
            each_page(table(t[i] & PTE_ADDR_MASK), level + 1, lo, start, end, fn, arg);
    }
}

void uvm_each_page(uint64_t root, uint64_t start, uint64_t end, void (*fn)(uint64_t va, uint64_t pa, void *arg),
                   void *arg)
{
    each_page(table(root), 0, 0, start, end, fn, arg);
}

static uint64_t tables_under(uint64_t pa, int level)
{
    uint64_t n = 1, *t = table(pa);
    if (level < 3)
        for (unsigned i = 0; i < 512; i++)
            if (t[i] & PTE_VALID)
                n += tables_under(t[i] & PTE_ADDR_MASK, level + 1);
    return n;
}

uint64_t uvm_table_pages(uint64_t root)
{
    return root ? tables_under(root, 0) : 0;
}
