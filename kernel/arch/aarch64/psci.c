/* PSCI calls through the conduit the device tree names (hvc under QEMU TCG/KVM at EL1, smc when
 * QEMU emulates EL2). */
#include "kernel.h"
#include "psci.h"
#include "arch.h"

#define PSCI_VERSION      0x84000000UL
#define PSCI_SYSTEM_OFF   0x84000008UL
#define PSCI_CPU_ON_64    0xc4000003UL
#define EXIT_REPORT_MAGIC 0x554e4942UL   /* "UNIB": the host reads x4..x6 after SYSTEM_OFF */

static enum psci_conduit conduit = PSCI_NONE;

void psci_init(enum psci_conduit c) { conduit = c; }
enum psci_conduit psci_conduit(void) { return conduit; }

static uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;
    if (conduit == PSCI_SMC)
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

uint32_t psci_version(void)
{
    return conduit == PSCI_NONE ? 0 : (uint32_t)psci_call(PSCI_VERSION, 0, 0, 0);
}

int psci_cpu_on(uint64_t target_mpidr, uint64_t entry_pa, uint64_t context)
{
    if (conduit == PSCI_NONE)
        return PSCI_E_NOT_SUPPORTED;
    return (int)(int64_t)psci_call(PSCI_CPU_ON_64, target_mpidr, entry_pa, context);
}

/* The exit report rides in x4..x6 because that is what survives every PSCI implementation the
 * host reads registers from: Linux's KVM handler (arch/arm64/kvm/psci.c) writes its return value
 * into x0..x3 before exiting to QEMU on SYSTEM_OFF, QEMU's TCG PSCI writes nothing. x1..x3 carry
 * the same report for hosts that only know the older TCG-only contract. */
void psci_system_off(int status, int kind)
{
    arch_irq_disable();
    uint64_t st = (uint64_t)(status & 0xff), k = (uint64_t)kind;
    register uint64_t x0 __asm__("x0") = PSCI_SYSTEM_OFF;
    register uint64_t x1 __asm__("x1") = EXIT_REPORT_MAGIC;
    register uint64_t x2 __asm__("x2") = st;
    register uint64_t x3 __asm__("x3") = k;
    register uint64_t x4 __asm__("x4") = EXIT_REPORT_MAGIC;
    register uint64_t x5 __asm__("x5") = st;
    register uint64_t x6 __asm__("x6") = k;
    /* Without a device tree saying otherwise, hvc: QEMU's default for -kernel boots at EL1. */
    if (conduit == PSCI_SMC)
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         : "r"(x4), "r"(x5), "r"(x6) : "memory");
    else
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                         : "r"(x4), "r"(x5), "r"(x6) : "memory");
    for (;;)
        arch_wait_for_interrupt();
}
