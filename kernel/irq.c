/* Interrupt dispatch: the platform's interrupt controller names the interrupt, we call the
 * handler a driver registered for it. */
#include "kernel.h"
#include "irq.h"
#include "cpu.h"
#include "smp.h"
#include "kernel_lock.h"

#define MAX_INTID 1020

struct irq_slot {
    irq_handler_t handler;
    void *arg;
    uint64_t count;                /* times handled, for the profile report */
};

static const struct irq_controller *controller;
static struct irq_slot slots[MAX_INTID];
static struct irq_slot lpi_slots[IRQ_MAX_LPIS];
static uint64_t handled;

void irq_set_controller(const struct irq_controller *c) { controller = c; }

/* A wired interrupt (SGI, PPI or SPI): its handler, then enabled level- or edge-triggered. */
static void register_wired(uint32_t intid, irq_handler_t handler, void *arg, bool edge)
{
    if (!controller)
        panic("irq: no interrupt controller while registering INTID %u", intid);
    if (intid >= MAX_INTID)
        panic("irq: INTID %u out of range", intid);
    slots[intid].handler = handler;
    slots[intid].arg = arg;
    (edge && controller->enable_edge ? controller->enable_edge : controller->enable)(intid);
}

void irq_register(uint32_t intid, irq_handler_t handler, void *arg)
{
    register_wired(intid, handler, arg, false);
}

/* The slot of an SGI, PPI, SPI or LPI; NULL for the special INTIDs (1020..1023) and for LPIs
 * beyond the ones we hand out. */
static struct irq_slot *slot_of(uint32_t intid)
{
    if (intid < MAX_INTID)
        return &slots[intid];
    if (intid >= IRQ_LPI_BASE && intid - IRQ_LPI_BASE < IRQ_MAX_LPIS)
        return &lpi_slots[intid - IRQ_LPI_BASE];
    return NULL;
}

void irq_register_msi(uint32_t intid, irq_handler_t handler, void *arg)
{
    struct irq_slot *s = slot_of(intid);
    if (!controller)
        panic("irq: no interrupt controller while registering MSI INTID %u", intid);
    if (!s)
        panic("irq: MSI INTID %u out of range", intid);
    s->handler = handler;
    s->arg = arg;
    if (intid < MAX_INTID)
        (controller->enable_edge ? controller->enable_edge : controller->enable)(intid);
}

void irq_register_edge(uint32_t intid, irq_handler_t handler, void *arg)
{
    register_wired(intid, handler, arg, true);
}

static void dispatch(uint32_t intid)
{
    struct irq_slot *s = slot_of(intid);
    handled++;
    if (s)
        s->count++;
    if (s && s->handler)
        s->handler(s->arg);
    else
        kprintf("irq: unexpected INTID %u\n", intid);
}

/* The count membarrier waits on: what this CPU's interrupted code stored is visible to every
 * CPU before the count says the IPI arrived (a full barrier, then a release store). */
static void ipi_counted(void)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&this_cpu()->ipis, this_cpu()->ipis + 1, __ATOMIC_RELEASE);
}

void irq_handle(void)
{
    uint32_t intid = controller->acknowledge();
    if (intid >= 1020 && intid < 1024)
        return; /* spurious */
    this_cpu()->irqs++;
    if (intid == IPI_RESCHEDULE || intid == IPI_STOP)
        ipi_counted();
    dispatch(intid);
    controller->end_of_interrupt(intid);
}

/* An IPI's handler touches nothing shared (a reschedule only had to wake the CPU; a stop parks
 * it), so it runs without the lock, and the idle CPU it woke does not queue for the lock twice.
 * Everything else is dispatched under the lock, as from user space. */
void irq_handle_unlocked(void)
{
    uint32_t intid = controller->acknowledge();
    if (intid >= 1020 && intid < 1024)
        return;
    this_cpu()->irqs++;
    if (intid == IPI_RESCHEDULE || intid == IPI_STOP) {
        ipi_counted();
        controller->end_of_interrupt(intid);
        smp_park_if_stopping();
        return;
    }
    kernel_lock_in_irq();
    dispatch(intid);
    controller->end_of_interrupt(intid);
    kernel_unlock();
}

uint64_t irq_handled_count(void) { return handled; }

void irq_cpu_init(void)
{
    controller->cpu_init();
    for (uint32_t intid = 0; intid < 32; intid++)
        if (slots[intid].handler)
            controller->enable(intid);
}

bool irq_devices_here(void) { return this_cpu()->id == IRQ_DEVICE_CPU; }

void irq_send_sgi(int cpu, uint32_t sgi) { controller->send_sgi(cpu, sgi); }

/* One console line: "PREFIX interrupts by INTID: 27 x512, 8192 x3, ...", the INTIDs that fired.
 * Separates the timer (a PPI) from device interrupts, and one device's vectors from another's. */
void irq_print_counts(const char *prefix)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%s interrupts by INTID:", prefix);
    bool first = true;
    for (uint32_t i = 0; i < MAX_INTID + IRQ_MAX_LPIS && n < (int)sizeof(line); i++) {
        uint32_t intid = i < MAX_INTID ? i : IRQ_LPI_BASE + (i - MAX_INTID);
        struct irq_slot *s = slot_of(intid);
        if (s->count) {
            n += snprintf(line + n, sizeof(line) - n, "%s %u x%lu", first ? "" : ",", intid, s->count);
            first = false;
        }
    }
    kprintf("%s\n", line);
}
