/* PCI enumeration over ECAM. Under -kernel boot no firmware has touched the bus: every BAR and
 * bridge window is ours to assign, from the MMIO windows the platform's host bridge offers. One
 * depth-first pass numbers the buses, sizes and places the BARs and opens bridge windows around
 * what their children got; then each function gets its report line and its driver. */
#include "kernel.h"
#include "mmio.h"
#include "pci.h"
#include "irq.h"
#include "mm.h"
#include "virtio.h"

#define PCI_BRIDGE_PRIMARY_BUS     0x18
#define PCI_BRIDGE_SECONDARY_BUS   0x19
#define PCI_BRIDGE_SUBORDINATE_BUS 0x1a
#define PCI_BRIDGE_IO_BASE         0x1c
#define PCI_BRIDGE_IO_LIMIT        0x1d
#define PCI_BRIDGE_MEM_BASE        0x20
#define PCI_BRIDGE_MEM_LIMIT       0x22
#define PCI_BRIDGE_PREF_BASE       0x24
#define PCI_BRIDGE_PREF_LIMIT      0x26
#define PCI_BRIDGE_PREF_BASE_HI    0x28
#define PCI_BRIDGE_PREF_LIMIT_HI   0x2c
#define PCI_BRIDGE_WINDOW_ALIGN    (1UL << 20)
#define PCI_MAX_CAPS               48        /* 192 bytes of capability space / 4 */

/* Every driver the PCI core can hand a function to, first match wins. */
static const struct pci_driver *const drivers[] = { &virtio_pci_driver };

static struct pci_host *hosts;
static struct pci_device *devices, **devices_tail = &devices;

/* Allocation cursors in PCI bus address space, one per host window, while a host is scanned. */
struct allocator {
    const struct pci_window *win;
    uint64_t next;
};

static struct allocator mem32, mem64;

void pci_register_host(struct pci_host *host)
{
    host->next = hosts;
    hosts = host;
}

const char *pci_name(const struct pci_device *dev, char buf[16])
{
    snprintf(buf, 16, "%02x:%02x.%x", dev->bus, dev->dev, dev->fn);
    return buf;
}

/* ECAM: bus n's 1 MiB of configuration space is mapped on first use, so a 256-bus host costs
 * page tables only for the buses that exist. */
static volatile uint8_t *cfg_addr(struct pci_host *h, uint32_t bus, uint32_t dev, uint32_t fn, uint32_t off)
{
    uint32_t idx = bus - h->bus_start;
    if (!h->bus_cfg[idx])
        h->bus_cfg[idx] = ioremap(h->ecam_base + ((uint64_t)idx << 20), 1UL << 20);
    return h->bus_cfg[idx] + (dev << 15) + (fn << 12) + off;
}

static uint32_t cfg_read(struct pci_host *h, uint32_t bus, uint32_t dev, uint32_t fn, uint32_t off, int width)
{
    volatile uint8_t *p = cfg_addr(h, bus, dev, fn, off);
    switch (width) {
    case 1: return mmio_read8(p);
    case 2: return mmio_read16(p);
    default: return mmio_read32(p);
    }
}

static void cfg_write(struct pci_host *h, uint32_t bus, uint32_t dev, uint32_t fn, uint32_t off, int width, uint32_t v)
{
    volatile uint8_t *p = cfg_addr(h, bus, dev, fn, off);
    switch (width) {
    case 1: mmio_write8(p, (uint8_t)v); break;
    case 2: mmio_write16(p, (uint16_t)v); break;
    default: mmio_write32(p, v); break;
    }
}

uint8_t pci_read8(const struct pci_device *d, uint32_t off) { return cfg_read(d->host, d->bus, d->dev, d->fn, off & 0xfff, 1); }
uint16_t pci_read16(const struct pci_device *d, uint32_t off) { return cfg_read(d->host, d->bus, d->dev, d->fn, off & 0xffe, 2); }
uint32_t pci_read32(const struct pci_device *d, uint32_t off) { return cfg_read(d->host, d->bus, d->dev, d->fn, off & 0xffc, 4); }
void pci_write8(const struct pci_device *d, uint32_t off, uint8_t v) { cfg_write(d->host, d->bus, d->dev, d->fn, off & 0xfff, 1, v); }
void pci_write16(const struct pci_device *d, uint32_t off, uint16_t v) { cfg_write(d->host, d->bus, d->dev, d->fn, off & 0xffe, 2, v); }
void pci_write32(const struct pci_device *d, uint32_t off, uint32_t v) { cfg_write(d->host, d->bus, d->dev, d->fn, off & 0xffc, 4, v); }

/* The capability list lives in the first 256 bytes, each pointer dword-aligned and past the
 * standard header; a list longer than the space could hold is a loop. */
uint8_t pci_find_capability(const struct pci_device *dev, uint8_t id, uint8_t after)
{
    char name[16];
    if (!(pci_read16(dev, PCI_STATUS) & PCI_STATUS_CAP_LIST))
        return 0;
    uint8_t pos = after ? pci_read8(dev, after + 1) : pci_read8(dev, PCI_CAP_PTR);
    for (int n = 0; pos; n++) {
        pos &= 0xfc;
        if (pos < 0x40 || n == PCI_MAX_CAPS)
            panic("pci: %s: broken capability list (pointer %#x after %d entries)", pci_name(dev, name), pos, n);
        if (pci_read8(dev, pos) == id)
            return pos;
        pos = pci_read8(dev, pos + 1);
    }
    return 0;
}

/* Place `size` bytes (a power of two, naturally aligned; at least a page so no two devices share
 * one) in a window; returns false when it does not fit. */
static bool allocate(struct allocator *a, uint64_t size, uint64_t *pci_addr)
{
    if (!a->win || !a->win->size)
        return false;
    uint64_t align = size < PAGE_SIZE ? PAGE_SIZE : size;
    uint64_t at = ALIGN_UP(a->next, align), end = a->win->pci_base + a->win->size;
    if (at < a->next || at > end || end - at < size)
        return false;
    *pci_addr = at;
    a->next = at + size;
    return true;
}

/* Size BAR i by writing all ones (decoding is off while we do), then give it an address. Returns
 * how many BAR slots it used (2 for a 64-bit BAR). */
static int size_and_assign_bar(struct pci_device *dev, int i, int nbars)
{
    char name[16];
    uint32_t off = PCI_BAR0 + 4 * i;
    uint32_t orig = pci_read32(dev, off);
    struct pci_bar *bar = &dev->bar[i];

    pci_write32(dev, off, 0xffffffff);
    uint32_t lo = pci_read32(dev, off);
    pci_write32(dev, off, orig);
    if (lo == 0)
        return 1;                                 /* unimplemented BAR */
    if (orig & 1) {
        bar->kind = PCI_BAR_IO;                   /* I/O space: the host's I/O window is unused */
        bar->size = (~(lo & ~3u) & 0xffff) + 1;
        return 1;
    }
    uint32_t type = (orig >> 1) & 3;
    uint64_t mask = lo & ~0xfULL;
    int used = 1;
    if (type == 2) {
        if (i + 1 >= nbars) {
            kprintf("pci: %s: BAR%d claims to be 64-bit but is the last BAR; ignored\n", pci_name(dev, name), i);
            return 1;
        }
        uint32_t orig_hi = pci_read32(dev, off + 4);
        pci_write32(dev, off + 4, 0xffffffff);
        mask |= (uint64_t)pci_read32(dev, off + 4) << 32;
        pci_write32(dev, off + 4, orig_hi);
        used = 2;
    } else if (type == 0) {
        mask |= 0xffffffff00000000ULL;
    } else {
        kprintf("pci: %s: BAR%d has reserved type %u; ignored\n", pci_name(dev, name), i, type);
        return 1;
    }
    uint64_t size = ~mask + 1;
    if (mask == 0 || (size & (size - 1)) != 0) {
        kprintf("pci: %s: BAR%d reports an impossible size mask %#lx; ignored\n", pci_name(dev, name), i, mask);
        return used;
    }
    bar->kind = type == 2 ? PCI_BAR_MEM64 : PCI_BAR_MEM32;
    bar->prefetchable = orig & 8;
    bar->size = size;

    /* 64-bit prefetchable BARs prefer the 64-bit window; behind a bridge anything else has to
     * sit in the 32-bit (non-prefetchable) bridge window. On the root bus a 64-bit BAR may fall
     * back to either window. */
    struct allocator *first = &mem32, *second = NULL;
    if (bar->kind == PCI_BAR_MEM64 && bar->prefetchable) {
        first = &mem64;
        second = &mem32;
    } else if (bar->kind == PCI_BAR_MEM64 && !dev->parent) {
        second = &mem64;
    }
    uint64_t addr;
    struct allocator *a = first;
    if (!allocate(a, size, &addr)) {
        a = second;
        if (!a || !allocate(a, size, &addr)) {
            kprintf("pci: %s: BAR%d (%lu KiB) does not fit in the host bridge windows; left off\n",
                    pci_name(dev, name), i, size >> 10);
            return used;
        }
    }
    bar->pci_addr = addr;
    bar->cpu_addr = addr - a->win->pci_base + a->win->cpu_base;
    bar->assigned = true;
    pci_write32(dev, off, (uint32_t)addr | (orig & 0xf));
    if (used == 2)
        pci_write32(dev, off + 4, (uint32_t)(addr >> 32));
    return used;
}

static void assign_bars(struct pci_device *dev, int nbars)
{
    uint16_t cmd = pci_read16(dev, PCI_COMMAND);
    pci_write16(dev, PCI_COMMAND, cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_IO));
    for (int i = 0; i < nbars;)
        i += size_and_assign_bar(dev, i, nbars);
    bool any = false;
    for (int i = 0; i < nbars; i++)
        any |= dev->bar[i].assigned;
    pci_write16(dev, PCI_COMMAND, any ? (cmd & ~PCI_COMMAND_IO) | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_IO);
}

/* The conventional INTx swizzle: each bridge rotates its children's pins by their device number,
 * until the root bus, where the host's interrupt map takes over. */
static void route_intx(struct pci_device *dev)
{
    char name[16];
    uint8_t pin = pci_read8(dev, PCI_INTERRUPT_PIN);
    if (pin == 0)
        return;
    if (pin > 4) {
        kprintf("pci: %s: interrupt pin %u is not INTA..INTD; no INTx\n", pci_name(dev, name), pin);
        return;
    }
    dev->irq_pin = pin;
    const struct pci_device *d = dev;
    uint32_t p = pin;
    for (; d->parent; d = d->parent)
        p = ((p - 1 + d->dev) % 4) + 1;
    if (!dev->host->route_intx || !dev->host->route_intx(dev->host, d->bus, d->dev, d->fn, p, &dev->irq))
        dev->irq = 0;
    pci_write8(dev, PCI_INTERRUPT_LINE, 0xff);    /* "unknown" to anyone reading it; we keep the INTID */
}

static uint32_t scan_bus(struct pci_host *h, uint32_t bus, struct pci_device *parent, uint32_t *next_bus);

/* Number the bridge's secondary bus, scan behind it, and open its memory windows exactly around
 * what its children were given (empty windows are closed: base above limit). */
static void setup_bridge(struct pci_device *br, uint32_t *next_bus)
{
    char name[16];
    if (*next_bus > br->host->bus_end) {
        kprintf("pci: %s: no bus number left for the bridge (bus-range ends at %u)\n", pci_name(br, name), br->host->bus_end);
        return;
    }
    uint32_t secondary = (*next_bus)++;
    br->secondary_bus = secondary;
    pci_write8(br, PCI_BRIDGE_PRIMARY_BUS, br->bus);
    pci_write8(br, PCI_BRIDGE_SECONDARY_BUS, secondary);
    pci_write8(br, PCI_BRIDGE_SUBORDINATE_BUS, br->host->bus_end);

    mem32.next = ALIGN_UP(mem32.next, PCI_BRIDGE_WINDOW_ALIGN);
    mem64.next = ALIGN_UP(mem64.next, PCI_BRIDGE_WINDOW_ALIGN);
    uint64_t m32_start = mem32.next, m64_start = mem64.next;
    uint32_t last = scan_bus(br->host, secondary, br, next_bus);
    pci_write8(br, PCI_BRIDGE_SUBORDINATE_BUS, last);
    uint64_t m32_end = ALIGN_UP(mem32.next, PCI_BRIDGE_WINDOW_ALIGN);
    uint64_t m64_end = ALIGN_UP(mem64.next, PCI_BRIDGE_WINDOW_ALIGN);
    mem32.next = m32_end;
    mem64.next = m64_end;

    pci_write8(br, PCI_BRIDGE_IO_BASE, 0xf0);     /* no I/O window */
    pci_write8(br, PCI_BRIDGE_IO_LIMIT, 0x00);
    if (m32_end > m32_start) {
        pci_write16(br, PCI_BRIDGE_MEM_BASE, (uint16_t)((m32_start >> 16) & 0xfff0));
        pci_write16(br, PCI_BRIDGE_MEM_LIMIT, (uint16_t)(((m32_end - 1) >> 16) & 0xfff0));
    } else {
        pci_write16(br, PCI_BRIDGE_MEM_BASE, 0xfff0);
        pci_write16(br, PCI_BRIDGE_MEM_LIMIT, 0x0000);
    }
    bool pref64 = (pci_read16(br, PCI_BRIDGE_PREF_BASE) & 0xf) == 1;
    if (m64_end > m64_start && (pref64 || m64_end <= (1ULL << 32))) {
        pci_write16(br, PCI_BRIDGE_PREF_BASE, (uint16_t)((m64_start >> 16) & 0xfff0));
        pci_write16(br, PCI_BRIDGE_PREF_LIMIT, (uint16_t)(((m64_end - 1) >> 16) & 0xfff0));
        if (pref64) {
            pci_write32(br, PCI_BRIDGE_PREF_BASE_HI, (uint32_t)(m64_start >> 32));
            pci_write32(br, PCI_BRIDGE_PREF_LIMIT_HI, (uint32_t)((m64_end - 1) >> 32));
        }
    } else {
        if (m64_end > m64_start)
            kprintf("pci: %s: bridge cannot forward 64-bit prefetchable memory; devices behind it lose those BARs\n",
                    pci_name(br, name));
        pci_write16(br, PCI_BRIDGE_PREF_BASE, 0xfff0);
        pci_write16(br, PCI_BRIDGE_PREF_LIMIT, 0x0000);
        if (pref64) {
            pci_write32(br, PCI_BRIDGE_PREF_BASE_HI, 0xffffffff);
            pci_write32(br, PCI_BRIDGE_PREF_LIMIT_HI, 0);
        }
    }
    pci_write16(br, PCI_COMMAND, pci_read16(br, PCI_COMMAND) | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

static struct pci_device *add_function(struct pci_host *h, uint32_t bus, uint32_t dev, uint32_t fn, struct pci_device *parent)
{
    struct pci_device *d = kzalloc(sizeof(*d));
    if (!d)
        panic("pci: out of memory for the device list");
    d->host = h;
    d->parent = parent;
    d->bus = bus;
    d->dev = dev;
    d->fn = fn;
    d->vendor_id = pci_read16(d, PCI_VENDOR_ID);
    d->device_id = pci_read16(d, PCI_DEVICE_ID);
    d->revision = pci_read8(d, PCI_REVISION);
    d->class_code = pci_read32(d, PCI_REVISION) >> 8;
    d->header_type = pci_read8(d, PCI_HEADER_TYPE) & 0x7f;
    if (d->header_type == 0) {
        d->subsystem_vendor_id = pci_read16(d, PCI_SUBSYSTEM_VENDOR);
        d->subsystem_id = pci_read16(d, PCI_SUBSYSTEM_ID);
    }
    *devices_tail = d;
    devices_tail = &d->next;
    return d;
}

/* Depth-first over one bus; returns the highest bus number used below it. */
static uint32_t scan_bus(struct pci_host *h, uint32_t bus, struct pci_device *parent, uint32_t *next_bus)
{
    char name[16];
    uint32_t last = bus;
    for (uint32_t dev = 0; dev < 32; dev++) {
        for (uint32_t fn = 0; fn < 8; fn++) {
            if (cfg_read(h, bus, dev, fn, PCI_VENDOR_ID, 2) == 0xffff) {
                if (fn == 0)
                    break;
                continue;
            }
            struct pci_device *d = add_function(h, bus, dev, fn, parent);
            if (d->header_type == 0) {
                assign_bars(d, 6);
                route_intx(d);
            } else if (d->header_type == 1) {
                assign_bars(d, 2);
                route_intx(d);
                setup_bridge(d, next_bus);
                if (*next_bus - 1 > last)
                    last = *next_bus - 1;
            } else {
                kprintf("pci: %s: header type %u not supported; skipped\n", pci_name(d, name), d->header_type);
            }
            if (fn == 0 && !(cfg_read(h, bus, dev, 0, PCI_HEADER_TYPE, 1) & 0x80))
                break;                            /* single-function device */
        }
    }
    return last;
}

static const char *class_name(uint32_t class_code)
{
    switch (class_code >> 8) {
    case 0x0600: return "host bridge";
    case 0x0604: return "PCI bridge";
    case 0x0100: return "SCSI controller";
    case 0x0106: return "SATA controller";
    case 0x0108: return "NVMe controller";
    case 0x0200: return "Ethernet controller";
    case 0x0300: return "VGA controller";
    case 0x0c03: return "USB controller";
    default: return "device";
    }
}

void pci_enable(struct pci_device *dev)
{
    uint16_t cmd = pci_read16(dev, PCI_COMMAND);
    pci_write16(dev, PCI_COMMAND, (cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER) & ~PCI_COMMAND_INTX_DISABLE);
}

volatile void *pci_map_bar(const struct pci_device *dev, int i, uint64_t offset, uint64_t len)
{
    char name[16];
    if (i < 0 || i > 5)
        panic("pci: %s: BAR%d does not exist", pci_name(dev, name), i);
    const struct pci_bar *bar = &dev->bar[i];
    if (!bar->assigned || (bar->kind != PCI_BAR_MEM32 && bar->kind != PCI_BAR_MEM64))
        panic("pci: %s: BAR%d is not an assigned memory BAR", pci_name(dev, name), i);
    if (len == 0 || offset >= bar->size || len > bar->size - offset)
        panic("pci: %s: range %#lx+%#lx is outside BAR%d (%#lx bytes)", pci_name(dev, name), offset, len, i, bar->size);
    return ioremap(bar->cpu_addr + offset, len);
}

/* INTx lines are shared between functions: one dispatcher per INTID calls every handler on it. */
struct intx_handler {
    uint32_t intid;
    void (*fn)(void *arg);
    void *arg;
    struct intx_handler *next;
};

static struct intx_handler *intx_handlers;

static void intx_dispatch(void *arg)
{
    uint32_t intid = (uint32_t)(uintptr_t)arg;
    for (struct intx_handler *h = intx_handlers; h; h = h->next)
        if (h->intid == intid)
            h->fn(h->arg);
}

void pci_request_intx(struct pci_device *dev, void (*handler)(void *arg), void *arg)
{
    char name[16];
    if (!dev->irq)
        panic("pci: %s: needs an interrupt but INT%c has no route in the host's interrupt map",
              pci_name(dev, name), dev->irq_pin ? 'A' + dev->irq_pin - 1 : '?');
    bool first = true;
    for (struct intx_handler *h = intx_handlers; h; h = h->next)
        first &= h->intid != dev->irq;
    struct intx_handler *h = kzalloc(sizeof(*h));
    if (!h)
        panic("pci: out of memory for an interrupt handler");
    h->intid = dev->irq;
    h->fn = handler;
    h->arg = arg;
    h->next = intx_handlers;
    intx_handlers = h;
    if (first)
        irq_register(dev->irq, intx_dispatch, (void *)(uintptr_t)dev->irq);
}

void pci_init(void)
{
    char name[16];
    for (struct pci_host *h = hosts; h; h = h->next) {
        h->bus_cfg = kzalloc((h->bus_end - h->bus_start + 1) * sizeof(*h->bus_cfg));
        if (!h->bus_cfg)
            panic("pci: out of memory for the ECAM bus table");
        mem32 = (struct allocator){ &h->mem32, h->mem32.pci_base };
        mem64 = (struct allocator){ &h->mem64, h->mem64.pci_base };
        uint32_t next_bus = h->bus_start + 1;
        scan_bus(h, h->bus_start, NULL, &next_bus);
    }
    for (struct pci_device *d = devices; d; d = d->next) {
        const struct pci_driver *drv = NULL;
        for (size_t i = 0; i < ARRAY_SIZE(drivers) && !drv; i++)
            if ((d->driver = drivers[i]->match(d)))
                drv = drivers[i];
        if (d->header_type == 1)
            kinfo("pci: %s %04x:%04x %s, bus %u\n", pci_name(d, name), d->vendor_id, d->device_id,
                  class_name(d->class_code), d->secondary_bus);
        else
            kinfo("pci: %s %04x:%04x %s\n", pci_name(d, name), d->vendor_id, d->device_id,
                  drv ? d->driver : class_name(d->class_code));
        if (drv)
            drv->probe(d);
    }
}
