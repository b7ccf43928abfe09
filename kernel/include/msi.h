/* Message-signalled interrupts: a device raises an interrupt by writing `data` to `address`.
 * One MSI controller per machine (GICv2m frame, GICv3 ITS) hands out vectors; generic code asks
 * this interface, never which controller answers. */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "irq.h"

/* The write the device makes for one vector. */
struct msi_message {
    uint64_t address;
    uint32_t data;
};

struct msi_controller {
    const char *name;      /* "v2m", "its": the word the boot report uses */
    /* One vector for the device `device_id` (its PCI requester id as the interrupt controller
     * sees it): handler(arg) runs, interrupts masked, each time the device writes *msg.
     * False (and a console line saying why) when the controller cannot give one. */
    bool (*alloc)(uint32_t device_id, irq_handler_t handler, void *arg, struct msi_message *msg);
};

/* Called by the controller's driver once it can hand out vectors; NULL when it no longer can. */
void msi_set_controller(const struct msi_controller *c);
/* The controller's name, or NULL when there is none (or the `msi=off` kernel argument). */
const char *msi_controller_name(void);
/* See struct msi_controller; false when there is no controller. */
bool msi_alloc_vector(uint32_t device_id, irq_handler_t handler, void *arg, struct msi_message *msg);
