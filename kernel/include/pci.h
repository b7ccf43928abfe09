/* PCI (PCIe over ECAM): the host bridge a platform describes, the devices the generic code finds
 * behind it, and the drivers that claim them. The platform fills in a pci_host from its firmware
 * description (device tree on virt) and registers it; pci_init enumerates every registered host,
 * assigns BARs from the host's windows (nobody else does under -kernel boot), routes INTx and
 * hands each device to the first driver that matches. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

/* An MMIO window of the host bridge: PCI bus addresses [pci_base, pci_base + size) appear to the
 * CPU at [cpu_base, cpu_base + size). size 0: the window does not exist. */
struct pci_window {
    uint64_t cpu_base;
    uint64_t pci_base;
    uint64_t size;
};

struct pci_host {
    const char *name;
    uint64_t ecam_base;              /* CPU physical address of bus_start's configuration space */
    uint64_t ecam_size;
    uint32_t bus_start, bus_end;     /* inclusive; ECAM covers every bus in between */
    struct pci_window mem32;         /* below 4 GiB on the PCI side */
    struct pci_window mem64;         /* 64-bit (prefetchable) BARs go here when it exists */
    /* INTx pin (1 = INTA .. 4 = INTD) of the function bus:dev.fn on the root bus, as the device
     * tree's interrupt-map routes it; writes the interrupt controller's INTID. False: unrouted. */
    bool (*route_intx)(const struct pci_host *host, uint32_t bus, uint32_t dev, uint32_t fn,
                       uint32_t pin, uint32_t *intid);
    /* The id an MSI controller sees for requester id rid (bus << 8 | dev << 3 | fn), as the
     * firmware maps it; false: the function cannot signal MSIs. NULL: rid itself. */
    bool (*msi_device_id)(const struct pci_host *host, uint32_t rid, uint32_t *id);
    /* Filled in by pci.c. */
    volatile uint8_t **bus_cfg;      /* per-bus ECAM mapping, made on first use */
    struct pci_host *next;
};

enum pci_bar_kind { PCI_BAR_NONE = 0, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_IO };

struct pci_bar {
    enum pci_bar_kind kind;
    bool prefetchable;
    bool assigned;                   /* the BAR holds an address inside a host window */
    uint64_t size;
    uint64_t pci_addr;               /* what the BAR register holds */
    uint64_t cpu_addr;               /* where the CPU reaches it */
};

struct pci_device {
    struct pci_host *host;
    struct pci_device *parent;       /* the bridge above, NULL on the root bus */
    uint32_t bus, dev, fn;
    uint16_t vendor_id, device_id;
    uint16_t subsystem_vendor_id, subsystem_id;
    uint8_t revision, header_type;
    uint32_t class_code;             /* base class << 16 | subclass << 8 | programming interface */
    uint8_t irq_pin;                 /* 0: none, 1..4: INTA..INTD */
    uint32_t irq;                    /* INTID of the routed INTx, 0 when unrouted */
    struct pci_bar bar[6];
    uint32_t secondary_bus;          /* bridges only */
    const char *driver;              /* name of the driver that claimed it */
    void *driver_data;
    struct pci_device *next;
};

/* A driver: match returns the name to report ("virtio-blk") when it takes the device, probe
 * brings it up (and panics with a clear message if the device misbehaves). */
struct pci_driver {
    const char *(*match)(const struct pci_device *dev);
    void (*probe)(struct pci_device *dev);
};

#define PCI_VENDOR_ID        0x00
#define PCI_DEVICE_ID        0x02
#define PCI_COMMAND          0x04
#define PCI_STATUS           0x06
#define PCI_REVISION         0x08
#define PCI_CLASS_PROG       0x09
#define PCI_HEADER_TYPE      0x0e
#define PCI_BAR0             0x10
#define PCI_SUBSYSTEM_VENDOR 0x2c
#define PCI_SUBSYSTEM_ID     0x2e
#define PCI_CAP_PTR          0x34
#define PCI_INTERRUPT_LINE   0x3c
#define PCI_INTERRUPT_PIN    0x3d

#define PCI_COMMAND_IO            (1u << 0)
#define PCI_COMMAND_MEMORY        (1u << 1)
#define PCI_COMMAND_MASTER        (1u << 2)
#define PCI_COMMAND_INTX_DISABLE  (1u << 10)
#define PCI_STATUS_CAP_LIST       (1u << 4)

#define PCI_CAP_ID_VENDOR    0x09

/* Called by the platform before pci_init. */
void pci_register_host(struct pci_host *host);
/* Enumerate, assign resources, report one line per function, probe drivers. */
void pci_init(void);

uint8_t pci_read8(const struct pci_device *dev, uint32_t off);
uint16_t pci_read16(const struct pci_device *dev, uint32_t off);
uint32_t pci_read32(const struct pci_device *dev, uint32_t off);
void pci_write8(const struct pci_device *dev, uint32_t off, uint8_t v);
void pci_write16(const struct pci_device *dev, uint32_t off, uint16_t v);
void pci_write32(const struct pci_device *dev, uint32_t off, uint32_t v);

/* Offset of the next capability with this id after `after` (0: from the start of the list), or
 * 0 when there is none. The list is validated as it is walked. */
uint8_t pci_find_capability(const struct pci_device *dev, uint8_t id, uint8_t after);
/* Map [offset, offset + len) of an assigned memory BAR; panics if the range is outside it. */
volatile void *pci_map_bar(const struct pci_device *dev, int bar, uint64_t offset, uint64_t len);
/* Memory decoding and bus mastering on, INTx not disabled. */
void pci_enable(struct pci_device *dev);
/* Call handler(arg) when the device's INTx fires (lines are shared, so the handler must check
 * its device's status). Panics if the device has no routed INTx. */
void pci_request_intx(struct pci_device *dev, void (*handler)(void *arg), void *arg);
/* "bb:dd.f" for messages. */
const char *pci_name(const struct pci_device *dev, char buf[16]);
