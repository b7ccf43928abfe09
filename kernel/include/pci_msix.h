/* MSI-X for PCI functions (PCI Local Bus 3.0 section 6.8.2): a table in one of the function's
 * BARs holds, per vector, the address and data the function writes to interrupt. Vectors come
 * from the machine's MSI controller (msi.h). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include "irq.h"

struct pci_device;

struct pci_msix {
    struct pci_device *dev;
    uint32_t device_id;                /* what the MSI controller sees (the ITS's DeviceID) */
    uint8_t cap;                       /* configuration-space offset of the capability */
    uint16_t table_size;               /* entries */
    volatile uint32_t *table;
};

/* Find the capability, check and map its table and turn MSI-X on with the whole function
 * masked, so nothing fires while the driver assigns vectors. False, with the function left on
 * INTx, when it has no MSI-X, the table lies outside its BAR, or there is no MSI controller. */
bool pci_msix_begin(struct pci_device *dev, struct pci_msix *m);
/* Give table entry `entry` a vector: handler(arg) runs, interrupts masked, when it fires. */
bool pci_msix_set_vector(struct pci_msix *m, unsigned entry, irq_handler_t handler, void *arg);
/* Every vector is set: unmask the function and stop INTx. */
void pci_msix_finish(struct pci_msix *m);
/* Setup failed part-way: MSI-X off again, the function back on INTx. */
void pci_msix_abandon(struct pci_msix *m);
