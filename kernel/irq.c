/* Interrupt dispatch: the platform's interrupt controller names the interrupt, we call the
 * handler a driver registered for it. */
#include "kernel.h"
#include "irq.h"

#define MAX_INTID 1020

struct irq_slot {
    irq_handler_t handler;
    void *arg;
};

static const struct irq_controller *controller;
static struct irq_slot slots[MAX_INTID];
static uint64_t handled;

void irq_set_controller(const struct irq_controller *c) { controller = c; }

void irq_register(uint32_t intid, irq_handler_t handler, void *arg)
{
    if (!controller)
        panic("irq: no interrupt controller while registering INTID %u", intid);
    if (intid >= MAX_INTID)
        panic("irq: INTID %u out of range", intid);
    slots[intid].handler = handler;
    slots[intid].arg = arg;
    controller->enable(intid);
}

void irq_handle(void)
{
    uint32_t intid = controller->acknowledge();
    if (intid >= MAX_INTID)
        return; /* spurious */
    handled++;
    if (slots[intid].handler)
        slots[intid].handler(slots[intid].arg);
    else
        kprintf("irq: unexpected INTID %u\n", intid);
    controller->end_of_interrupt(intid);
}

uint64_t irq_handled_count(void) { return handled; }
