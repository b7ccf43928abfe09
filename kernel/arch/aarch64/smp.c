/* Starting the other CPUs (the generic side is kernel/smp.c): PSCI CPU_ON at head.S's
 * secondary_entry, which turns the MMU on with the boot CPU's tables and calls
 * smp_secondary_start on the stack named here. */
#include "kernel.h"
#include "arch.h"
#include "cpu.h"
#include "psci.h"
#include "boot.h"
#include "memlayout.h"
#include "sysreg.h"

extern char secondary_entry[], _head[];
/* Read by secondary_high once its MMU is on; one CPU starts at a time (smp.c waits for each). */
uint64_t secondary_stack_top;

uint64_t arch_cpu_hwid(void)
{
    return read_sysreg(mpidr_el1) & 0xff00ffffffUL;   /* Aff3, Aff2, Aff1, Aff0 */
}

uint64_t arch_cpu_ident(void)
{
    return read_sysreg(midr_el1);
}

bool arch_cpu_start(struct cpu *c)
{
    uint64_t entry_pa = boot_info.load_pa + ((uint64_t)secondary_entry - (uint64_t)_head);
    secondary_stack_top = c->stack_top;
    dsb(ish);
    int err = psci_cpu_on(c->hwid, entry_pa, (uint64_t)c->id);
    if (err)
        kprintf("smp: cpu %d (mpidr %#lx): PSCI CPU_ON failed (%d)\n", c->id, c->hwid, err);
    return err == 0;
}

/* As arch_mmu_init left the boot CPU: no user table yet (TTBR0 walks off), and user space may
 * read the counter (CNTKCTL_EL1 is per CPU). */
void arch_cpu_init_secondary(void)
{
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | TCR_EPD0);
    write_sysreg(ttbr0_el1, 0);
    isb();
    __asm__ volatile("tlbi vmalle1\n dsb nsh\n isb" ::: "memory");
    arch_timer_user_access();
}
