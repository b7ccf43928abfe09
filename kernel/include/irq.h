/* Interrupts: the platform installs one interrupt controller; drivers register handlers by INTID. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct irq_controller {
    const char *name;
    void (*enable)(uint32_t intid);
    uint32_t (*acknowledge)(void);          /* returns the INTID, or 1020..1023 for spurious */
    void (*end_of_interrupt)(uint32_t intid);
    /* Make a shared peripheral interrupt edge-triggered and enable it (message-signalled SPIs,
     * as GICv2m raises them); NULL when the controller has no such setting. */
    void (*enable_edge)(uint32_t intid);
    /* A secondary CPU's own part (GICv2 CPU interface, GICv3 redistributor and ICC registers). */
    void (*cpu_init)(void);
    /* Raise software-generated interrupt sgi (0..15) on cpus[cpu]. */
    void (*send_sgi)(int cpu, uint32_t sgi);
};

/* LPIs (GICv3 locality-specific peripheral interrupts, what the ITS delivers) start here. */
#define IRQ_LPI_BASE 8192
/* LPIs the kernel can dispatch: a few vectors per PCI function is what it hands out. */
#define IRQ_MAX_LPIS 256

typedef void (*irq_handler_t)(void *arg);

/* Device interrupts (SPIs, MSIs, LPIs) are all routed to the boot CPU. A driver that waits for
 * one on another CPU, holding the kernel lock the boot CPU needs to take it, polls instead. */
#define IRQ_DEVICE_CPU 0
bool irq_devices_here(void);

void irq_set_controller(const struct irq_controller *c);
void irq_register(uint32_t intid, irq_handler_t handler, void *arg);
/* A message-signalled interrupt, for the MSI controllers (msi.h): an SPI is made edge-triggered
 * and enabled; an LPI only gets its handler (the ITS enables it in the LPI configuration table). */
void irq_register_msi(uint32_t intid, irq_handler_t handler, void *arg);
/* A wired interrupt the device tree marks edge-triggered (virtio-mmio's): configured as edge in
 * the controller, so a pulse (KVM's irqfd) is latched rather than lost as a short level. */
void irq_register_edge(uint32_t intid, irq_handler_t handler, void *arg);
/* On a secondary CPU: its interrupt controller interface, and the per-CPU interrupts (SGIs,
 * PPIs such as the timer) that have handlers, enabled for it as they are on the boot CPU. */
void irq_cpu_init(void);
/* An inter-processor interrupt to cpus[cpu]. */
void irq_send_sgi(int cpu, uint32_t sgi);
/* Called from the exception vector with interrupts masked and the kernel lock held. */
void irq_handle(void);
/* The same for an interrupt taken without the lock (in an idle window): IPIs are handled
 * without it, anything else takes it. */
void irq_handle_unlocked(void);
/* Interrupts handled since boot (spurious ones not counted), for the memstats report. */
uint64_t irq_handled_count(void);
/* Print how often each INTID fired, on one line starting with prefix (profile report). */
void irq_print_counts(const char *prefix);
