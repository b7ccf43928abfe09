/* Interrupts: the platform installs one interrupt controller; drivers register handlers by INTID. */
#pragma once
#include <stdint.h>

struct irq_controller {
    const char *name;
    void (*enable)(uint32_t intid);
    uint32_t (*acknowledge)(void);          /* returns the INTID, or >= 1020 for spurious */
    void (*end_of_interrupt)(uint32_t intid);
};

typedef void (*irq_handler_t)(void *arg);

void irq_set_controller(const struct irq_controller *c);
void irq_register(uint32_t intid, irq_handler_t handler, void *arg);
/* Called from the exception vector with interrupts masked. */
void irq_handle(void);
/* Interrupts handled since boot (spurious ones not counted), for the memstats report. */
uint64_t irq_handled_count(void);
