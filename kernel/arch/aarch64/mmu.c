/* The kernel's address space after boot: the identity map is gone, page tables are reached
 * through the direct map, device registers get mappings on demand (ioremap). */
#include "kernel.h"
#include "arch.h"
#include "mm.h"
#include "pagetable.h"

extern uint64_t early_ttbr1;
static uint64_t io_next = IO_MAP_BASE;

void arch_mmu_init(void)
{
    pt_set_va_offset(DIRECT_MAP_BASE);
    /* No user space yet: TTBR0 walks disabled, so a stray low address faults at once. */
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | TCR_EPD0);
    write_sysreg(ttbr0_el1, 0);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
}

void *ioremap(uint64_t pa, uint64_t size)
{
    uint64_t offset = pa & (PAGE_SIZE - 1);
    uint64_t start = ALIGN_DOWN(pa, PAGE_SIZE), len = ALIGN_UP(size + offset, PAGE_SIZE);
    uint64_t va = io_next;
    if (size == 0 || io_next + len > IO_MAP_BASE + IO_MAP_SIZE)
        panic("ioremap: no room for %#lx bytes at %#lx", size, pa);
    if (pt_map(early_ttbr1, va, start, len, PROT_DEVICE, false))
        panic("ioremap: out of page-table memory mapping %#lx", pa);
    io_next += len + PAGE_SIZE; /* an unmapped page between mappings catches overruns */
    dsb(ishst);
    isb();
    return (void *)(va + offset);
}
