/* The machine's MSI controller, behind one call (msi.h). The `msi=off` kernel argument hides it,
 * so every PCI device falls back to INTx: the way to test that path where the board always has
 * an MSI frame (QEMU virt with GICv2 always has its v2m). */
#include "kernel.h"
#include "msi.h"
#include "bootargs.h"

static const struct msi_controller *controller;

void msi_set_controller(const struct msi_controller *c) { controller = c; }

const char *msi_controller_name(void)
{
    return controller && !bootargs.msi_off ? controller->name : NULL;
}

bool msi_alloc_vector(uint32_t device_id, irq_handler_t handler, void *arg, struct msi_message *msg)
{
    return msi_controller_name() && controller->alloc(device_id, handler, arg, msg);
}
