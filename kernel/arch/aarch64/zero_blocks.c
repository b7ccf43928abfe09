/* Zeroing memory a cache-line block at a time (DC ZVA), as Linux's clear_page and memset do. Under
 * TCG one DC ZVA is one call that clears its whole block in host memory, where a store loop is a
 * translated block and a guest TLB lookup per store: a 4 KiB page was 64 loop turns of 8 stores
 * (websrv at ab -c 32 zeroes two or three pages a request). The block size is the CPU's
 * (DCZID_EL0), never assumed; a CPU or hypervisor that prohibits the instruction (DZP) gets the
 * store loop. DC ZVA faults on device memory, which is all memory while the MMU is off, so the
 * block size stays 0 until arch_mmu_init has run on the boot CPU (secondaries run C code only
 * with their MMU on); arch_normal_memory says the same for unaligned accesses (memset). */
#include "arch.h"
#include "sysreg.h"

size_t arch_zero_block;
bool arch_normal_memory;

void arch_zero_blocks_init(void)
{
    arch_normal_memory = true;
    uint64_t dczid = read_sysreg(dczid_el0);
    if (!(dczid & (1 << 4)))                    /* DZP clear: allowed */
        arch_zero_block = (size_t)4 << (dczid & 0xf);   /* BS: log2 of the size in words */
}

/* Eight blocks a loop turn: under TCG a turn is a translated block, whatever it holds. */
void arch_zero_blocks(void *p, size_t n)
{
    size_t b = arch_zero_block;
    char *c = p, *end = c + n;
    for (; c + 8 * b <= end; c += 8 * b)
        __asm__ volatile("dc zva, %0\n dc zva, %1\n dc zva, %2\n dc zva, %3\n"
                         "dc zva, %4\n dc zva, %5\n dc zva, %6\n dc zva, %7"
                         : : "r"(c), "r"(c + b), "r"(c + 2 * b), "r"(c + 3 * b), "r"(c + 4 * b),
                             "r"(c + 5 * b), "r"(c + 6 * b), "r"(c + 7 * b) : "memory");
    for (; c < end; c += b)
        __asm__ volatile("dc zva, %0" : : "r"(c) : "memory");
}
