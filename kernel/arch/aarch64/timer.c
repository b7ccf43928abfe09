/* The ARM generic timer, EL1 virtual view: CNTVCT_EL0 counts, CNTV_* fires the virtual timer PPI.
 * The virtual timer is what a guest owns under KVM; when we were entered at EL2, head.S zeroed
 * CNTVOFF_EL2 so virtual and physical counts agree. */
#include "kernel.h"
#include "arch.h"
#include "sysreg.h"

uint64_t arch_counter(void)
{
    isb();
    return read_sysreg(cntvct_el0);
}

uint64_t arch_counter_freq(void)
{
    return read_sysreg(cntfrq_el0);
}

/* User space may read the virtual counter and its frequency (CNTKCTL_EL1.EL0VCTEN), as Linux
 * allows: runtimes read CNTVCT_EL0 directly for cheap timestamps. The reset value is UNKNOWN. */
void arch_timer_user_access(void)
{
    write_sysreg(cntkctl_el1, 1UL << 1);
    isb();
}

/* UINT64_MAX means never, and never is the timer switched off rather than a compare value: a
 * hypervisor adds its virtual offset to CVAL (QEMU's, nested under KVM, spins forever re-arming
 * a deadline that wrapped into the past; KVM's converts the distance to ns, which may overflow).
 * An idle secondary CPU with nothing due asks for never (kernel/timer.c). */
void arch_timer_arm_at(uint64_t counter)
{
    if (counter == UINT64_MAX) {
        write_sysreg(cntv_ctl_el0, 0);
    } else {
        write_sysreg(cntv_cval_el0, counter);
        write_sysreg(cntv_ctl_el0, 1); /* ENABLE, interrupt not masked */
    }
    isb();
}
