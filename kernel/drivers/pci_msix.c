/* MSI-X (pci_msix.h). The capability's message control word enables MSI-X and masks the whole
 * function; each 16-byte table entry is message address (low, high), message data and vector
 * control (bit 0 masks the one vector). The device id an MSI controller sees is the function's
 * requester id, bus << 8 | device << 3 | function, as the host bridge maps it (msi-map). */
#include "kernel.h"
#include "mmio.h"
#include "pci.h"
#include "pci_msix.h"
#include "msi.h"

#define PCI_CAP_ID_MSIX        0x11
#define MSIX_CONTROL           2
#define MSIX_TABLE             4
#define MSIX_CONTROL_ENABLE    (1u << 15)
#define MSIX_CONTROL_MASKALL   (1u << 14)
#define MSIX_ENTRY_SIZE        16
#define MSIX_ENTRY_ADDR_LO     0
#define MSIX_ENTRY_ADDR_HI     1
#define MSIX_ENTRY_DATA        2
#define MSIX_ENTRY_CTRL        3
#define MSIX_ENTRY_MASKED      1u


bool pci_msix_begin(struct pci_device *dev, struct pci_msix *m)
{
    char name[16];
    uint8_t cap = pci_find_capability(dev, PCI_CAP_ID_MSIX, 0);
    if (!cap || !msi_controller_name())
        return false;
    uint32_t rid = dev->bus << 8 | dev->dev << 3 | dev->fn, device_id = rid;
    if (dev->host->msi_device_id && !dev->host->msi_device_id(dev->host, rid, &device_id)) {
        kprintf("pci: %s: the host bridge maps no MSI device id for requester %#x; using INTx\n",
                pci_name(dev, name), rid);
        return false;
    }
    uint16_t control = pci_read16(dev, cap + MSIX_CONTROL);
    uint32_t where = pci_read32(dev, cap + MSIX_TABLE);
    unsigned bir = where & 7, size = (control & 0x7ff) + 1;
    uint64_t offset = where & ~7u, len = (uint64_t)size * MSIX_ENTRY_SIZE;
    const struct pci_bar *bar = bir < 6 ? &dev->bar[bir] : NULL;
    if (!bar || !bar->assigned || (bar->kind != PCI_BAR_MEM32 && bar->kind != PCI_BAR_MEM64) ||
        offset >= bar->size || len > bar->size - offset) {
        kprintf("pci: %s: MSI-X table (BAR%u %#lx+%#lx) is not inside an assigned memory BAR; using INTx\n",
                pci_name(dev, name), bir, offset, len);
        return false;
    }
    m->dev = dev;
    m->device_id = device_id;
    m->cap = cap;
    m->table_size = size;
    m->table = pci_map_bar(dev, bir, offset, len);
    for (unsigned i = 0; i < size; i++)
        mmio_write32(&m->table[i * 4 + MSIX_ENTRY_CTRL], MSIX_ENTRY_MASKED);
    pci_write16(dev, cap + MSIX_CONTROL, control | MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL);
    return true;
}

bool pci_msix_set_vector(struct pci_msix *m, unsigned entry, irq_handler_t handler, void *arg)
{
    struct msi_message msg;
    char name[16];
    if (entry >= m->table_size) {
        kprintf("pci: %s: MSI-X table has %u entries, entry %u wanted\n", pci_name(m->dev, name), m->table_size, entry);
        return false;
    }
    if (!msi_alloc_vector(m->device_id, handler, arg, &msg))
        return false;
    volatile uint32_t *e = m->table + entry * 4;
    mmio_write32(&e[MSIX_ENTRY_ADDR_LO], (uint32_t)msg.address);
    mmio_write32(&e[MSIX_ENTRY_ADDR_HI], (uint32_t)(msg.address >> 32));
    mmio_write32(&e[MSIX_ENTRY_DATA], msg.data);
    mmio_write32(&e[MSIX_ENTRY_CTRL], 0);
    return true;
}

void pci_msix_finish(struct pci_msix *m)
{
    pci_write16(m->dev, PCI_COMMAND, pci_read16(m->dev, PCI_COMMAND) | PCI_COMMAND_INTX_DISABLE);
    uint16_t control = pci_read16(m->dev, m->cap + MSIX_CONTROL);
    pci_write16(m->dev, m->cap + MSIX_CONTROL, (control | MSIX_CONTROL_ENABLE) & ~MSIX_CONTROL_MASKALL);
}

void pci_msix_abandon(struct pci_msix *m)
{
    for (unsigned i = 0; i < m->table_size; i++)
        mmio_write32(&m->table[i * 4 + MSIX_ENTRY_CTRL], MSIX_ENTRY_MASKED);
    uint16_t control = pci_read16(m->dev, m->cap + MSIX_CONTROL);
    pci_write16(m->dev, m->cap + MSIX_CONTROL, control & ~(MSIX_CONTROL_ENABLE | MSIX_CONTROL_MASKALL));
    pci_write16(m->dev, PCI_COMMAND, pci_read16(m->dev, PCI_COMMAND) & ~PCI_COMMAND_INTX_DISABLE);
}
