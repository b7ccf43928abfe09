/* The kernel's address space after boot: the identity map is gone, page tables are reached
 * through the direct map, device registers get mappings on demand (ioremap). */
#include "kernel.h"
#include "arch.h"
#include "mm.h"
#include "pagetable.h"

extern uint64_t early_ttbr1;
static uint64_t io_next = IO_MAP_BASE;
#define SZ_2M (2UL << 20)

void arch_mmu_init(void)
{
    pt_set_va_offset(DIRECT_MAP_BASE);
    /* No user space yet: TTBR0 walks disabled, so a stray low address faults at once. */
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | TCR_EPD0);
    write_sysreg(ttbr0_el1, 0);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    arch_zero_blocks_init();
}

void *ioremap(uint64_t pa, uint64_t size)
{
    uint64_t offset = pa & (PAGE_SIZE - 1);
    uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE), len = ALIGN_UP(size + offset, PAGE_SIZE);
    uint64_t va = io_next;
    /* A mapping of 2 MiB or more starts at a virtual address congruent to its physical one
     * modulo 2 MiB, so its aligned middle takes block entries: a GICv3's redistributor region
     * on QEMU virt is 15 MiB, ~4000 page entries written at boot otherwise. */
    if (len >= SZ_2M)
        va = ALIGN_UP(io_next, SZ_2M) + (start & (SZ_2M - 1));
    if (size == 0 || va + len > IO_MAP_BASE + IO_MAP_SIZE)
        panic("ioremap: no room for %#lx bytes at %#lx", size, pa);
    if (pt_map(early_ttbr1, va, start, len, PROT_DEVICE, len >= SZ_2M))
        panic("ioremap: out of page-table memory mapping %#lx", pa);
    io_next = va + len + PAGE_SIZE; /* an unmapped page between mappings catches overruns */
    dsb(ishst);
    isb();
    return (void *)(va + offset);
}
