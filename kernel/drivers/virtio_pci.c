/* The virtio 1.x PCI transport ("modern", virtio 1.x section 4.1). The device describes its
 * register blocks with vendor-specific PCI capabilities, each naming a BAR, an offset and a
 * length: common configuration, notification doorbells, the ISR byte and the device-specific
 * configuration. Every capability is checked against the BAR it points into before it is mapped.
 * Interrupts arrive by MSI-X when the machine has an MSI controller (msi.h): one vector for
 * configuration changes (table entry 0) and one per virtqueue (entries 1, 2, ...), so a
 * handler knows its cause without reading the ISR byte. Otherwise, or when the device refuses a
 * vector, by legacy INTx, where reading the ISR byte acknowledges the interrupt and says whether
 * queues or the configuration changed. */
#include "kernel.h"
#include "mmio.h"
#include "virtio.h"
#include "pci.h"
#include "pci_msix.h"
#include "msi.h"
#include "timer.h"
#include "profile.h"
#include "mm.h"

#define VIRTIO_PCI_VENDOR          0x1af4
#define VIRTIO_PCI_CAP_COMMON_CFG  1
#define VIRTIO_PCI_CAP_NOTIFY_CFG  2
#define VIRTIO_PCI_CAP_ISR_CFG     3
#define VIRTIO_PCI_CAP_DEVICE_CFG  4
#define VIRTIO_MSI_NO_VECTOR       0xffff

/* struct virtio_pci_cap (section 4.1.4) */
#define CAP_LEN                    2
#define CAP_CFG_TYPE               3
#define CAP_BAR                    4
#define CAP_OFFSET                 8
#define CAP_LENGTH                 12
#define CAP_NOTIFY_MULTIPLIER      16

/* struct virtio_pci_common_cfg (section 4.1.4.3) */
#define COMMON_DFSELECT            0x00
#define COMMON_DF                  0x04
#define COMMON_GFSELECT            0x08
#define COMMON_GF                  0x0c
#define COMMON_MSIX                0x10
#define COMMON_NUMQ                0x12
#define COMMON_STATUS              0x14
#define COMMON_CFGGENERATION       0x15
#define COMMON_Q_SELECT            0x16
#define COMMON_Q_SIZE              0x18
#define COMMON_Q_MSIX              0x1a
#define COMMON_Q_ENABLE            0x1c
#define COMMON_Q_NOFF              0x1e
#define COMMON_Q_DESCLO            0x20
#define COMMON_Q_DESCHI            0x24
#define COMMON_Q_AVAILLO           0x28
#define COMMON_Q_AVAILHI           0x2c
#define COMMON_Q_USEDLO            0x30
#define COMMON_Q_USEDHI            0x34
#define COMMON_LEN                 0x38

#define RESET_TIMEOUT_MS           1000

struct virtio_pci {
    struct virtio_device vdev;
    struct pci_device *pci;
    volatile uint8_t *common;
    volatile uint8_t *isr;
    volatile uint8_t *device;          /* NULL when the device has no device-specific config */
    uint32_t device_len;
    volatile uint8_t *notify;
    uint32_t notify_len, notify_multiplier;
    volatile uint16_t *doorbell[VIRTIO_MAX_QUEUES];
    struct pci_msix msix;
    bool msix_on;                      /* MSI-X is enabled in the function (pci_msix_begin) */
    bool msix_ok;                      /* ... and the device accepted every vector so far */
    unsigned queue_vectors;            /* queues given a vector (entries 1..queue_vectors) */
    char name[16];
};

#define CONFIG_VECTOR              0

static struct virtio_pci *vp_of(struct virtio_device *vdev) { return vdev->transport_data; }

static uint8_t c_r8(struct virtio_pci *vp, uint32_t off) { return mmio_read8(vp->common + off); }
static uint16_t c_r16(struct virtio_pci *vp, uint32_t off) { return mmio_read16(vp->common + off); }
static uint32_t c_r32(struct virtio_pci *vp, uint32_t off) { return mmio_read32(vp->common + off); }
static void c_w8(struct virtio_pci *vp, uint32_t off, uint8_t v) { mmio_write8(vp->common + off, v); }
static void c_w16(struct virtio_pci *vp, uint32_t off, uint16_t v) { mmio_write16(vp->common + off, v); }
static void c_w32(struct virtio_pci *vp, uint32_t off, uint32_t v) { mmio_write32(vp->common + off, v); }
/* 64-bit fields are written as two 32-bit halves, which the spec allows (section 4.1.3.1). */
static void c_w64(struct virtio_pci *vp, uint32_t off, uint64_t v)
{
    c_w32(vp, off, (uint32_t)v);
    c_w32(vp, off + 4, (uint32_t)(v >> 32));
}

static uint8_t vp_get_status(struct virtio_device *vdev) { return c_r8(vp_of(vdev), COMMON_STATUS); }
static void vp_set_status(struct virtio_device *vdev, uint8_t s) { c_w8(vp_of(vdev), COMMON_STATUS, s); }

/* Writing 0 starts a reset; the device reports it finished by reading back 0. */
static void vp_reset(struct virtio_device *vdev)
{
    struct virtio_pci *vp = vp_of(vdev);
    c_w8(vp, COMMON_STATUS, 0);
    uint64_t start = counter_now(), limit = counter_freq() / 1000 * RESET_TIMEOUT_MS;
    while (c_r8(vp, COMMON_STATUS) != 0)
        if (counter_now() - start > limit)
            panic("virtio: %s: device did not finish its reset within %d ms", vp->name, RESET_TIMEOUT_MS);
}

static uint64_t vp_device_features(struct virtio_device *vdev)
{
    struct virtio_pci *vp = vp_of(vdev);
    c_w32(vp, COMMON_DFSELECT, 0);
    uint64_t lo = c_r32(vp, COMMON_DF);
    c_w32(vp, COMMON_DFSELECT, 1);
    uint64_t hi = c_r32(vp, COMMON_DF);
    return lo | hi << 32;
}

static void vp_set_driver_features(struct virtio_device *vdev, uint64_t f)
{
    struct virtio_pci *vp = vp_of(vdev);
    c_w32(vp, COMMON_GFSELECT, 0);
    c_w32(vp, COMMON_GF, (uint32_t)f);
    c_w32(vp, COMMON_GFSELECT, 1);
    c_w32(vp, COMMON_GF, (uint32_t)(f >> 32));
}

static uint16_t vp_queue_max_size(struct virtio_device *vdev, uint16_t index)
{
    struct virtio_pci *vp = vp_of(vdev);
    if (index >= c_r16(vp, COMMON_NUMQ))
        return 0;
    c_w16(vp, COMMON_Q_SELECT, index);
    return c_r16(vp, COMMON_Q_SIZE);
}

static void vp_notify(struct virtqueue *vq)
{
    struct virtio_pci *vp = vp_of(vq->transport);
    uint64_t start = profile_enabled ? counter_now() : 0;
    mmio_write16(vp->doorbell[vq->index], vq->index);
    if (profile_enabled)
        profile_event(PROFILE_VIRTIO_NOTIFY, counter_now() - start);
}

static void vp_queue_interrupt(void *arg) { virtqueue_process_used(arg); }

/* The MSI-X entry for the queue being activated (selected in common cfg), checked against what
 * the device reads back: a device that cannot use the vector answers VIRTIO_MSI_NO_VECTOR
 * (section 4.1.5.1.2), and then the whole device falls back to INTx in vp_enable_interrupts. The
 * vector must be set before queue_enable, hence here and not at DRIVER_OK. */
static uint16_t queue_vector(struct virtio_pci *vp, struct virtqueue *vq)
{
    if (!vp->msix_ok)
        return VIRTIO_MSI_NO_VECTOR;
    uint16_t entry = 1 + vp->queue_vectors;
    if (pci_msix_set_vector(&vp->msix, entry, vp_queue_interrupt, vq)) {
        c_w16(vp, COMMON_Q_MSIX, entry);
        if (c_r16(vp, COMMON_Q_MSIX) == entry) {
            vp->queue_vectors++;
            return entry;
        }
        kprintf("virtio: %s: device refused MSI-X vector %u for queue %u\n", vp->name, entry, vq->index);
    }
    vp->msix_ok = false;
    return VIRTIO_MSI_NO_VECTOR;
}

/* Tell the device where the rings are and find this queue's doorbell: notify base +
 * queue_notify_off * notify_off_multiplier, which must lie inside the notify region. */
static void vp_queue_activate(struct virtio_device *vdev, struct virtqueue *vq)
{
    struct virtio_pci *vp = vp_of(vdev);
    c_w16(vp, COMMON_Q_SELECT, vq->index);
    if (c_r16(vp, COMMON_Q_ENABLE))
        panic("virtio: %s: queue %u is already enabled after reset", vp->name, vq->index);
    c_w16(vp, COMMON_Q_SIZE, vq->size);
    c_w16(vp, COMMON_Q_MSIX, queue_vector(vp, vq));
    c_w64(vp, COMMON_Q_DESCLO, vq->desc_pa);
    c_w64(vp, COMMON_Q_AVAILLO, vq->avail_pa);
    c_w64(vp, COMMON_Q_USEDLO, vq->used_pa);
    uint64_t off = (uint64_t)c_r16(vp, COMMON_Q_NOFF) * vp->notify_multiplier;
    if (off + 2 > vp->notify_len)
        panic("virtio: %s: queue %u doorbell at offset %#lx is outside the %u-byte notify region",
              vp->name, vq->index, off, vp->notify_len);
    vp->doorbell[vq->index] = (volatile uint16_t *)(vp->notify + off);
    vq->notify = vp_notify;
    c_w16(vp, COMMON_Q_ENABLE, 1);
}

static uint32_t vp_config_generation(struct virtio_device *vdev) { return c_r8(vp_of(vdev), COMMON_CFGGENERATION); }
static uint32_t vp_config_size(struct virtio_device *vdev) { return vp_of(vdev)->device ? vp_of(vdev)->device_len : 0; }

static uint32_t vp_config_read(struct virtio_device *vdev, uint32_t off, int width)
{
    volatile uint8_t *p = vp_of(vdev)->device + off;
    switch (width) {
    case 1: return mmio_read8(p);
    case 2: return mmio_read16(p);
    default: return mmio_read32(p);
    }
}

/* INTx is level-triggered and shared: reading ISR both tells us whether this device raised it
 * and lowers the line. */
static void vp_interrupt(void *arg)
{
    struct virtio_pci *vp = arg;
    uint64_t start = profile_enabled ? counter_now() : 0;
    uint8_t isr = mmio_read8(vp->isr);
    if (profile_enabled)
        profile_event(PROFILE_VIRTIO_ISR_READ, counter_now() - start);
    if (isr & 1)
        virtio_queues_interrupt(&vp->vdev);
    if ((isr & 2) && vp->vdev.config_changed)
        vp->vdev.config_changed(&vp->vdev);
}

static void vp_config_interrupt(void *arg)
{
    struct virtio_pci *vp = arg;
    if (vp->vdev.config_changed)
        vp->vdev.config_changed(&vp->vdev);
}

/* The configuration vector, then MSI-X unmasked; or, when any vector was refused, every vector
 * cleared again (the device then raises INTx) and INTx requested. One report line either way. */
static void vp_enable_interrupts(struct virtio_device *vdev)
{
    struct virtio_pci *vp = vp_of(vdev);
    const char *driver = virtio_driver_for(vdev->type)->name;
    if (vp->msix_ok && pci_msix_set_vector(&vp->msix, CONFIG_VECTOR, vp_config_interrupt, vp)) {
        c_w16(vp, COMMON_MSIX, CONFIG_VECTOR);
        if (c_r16(vp, COMMON_MSIX) == CONFIG_VECTOR) {
            pci_msix_finish(&vp->msix);
            kinfo("%s: %s msi-x (%s), %u vectors\n", driver, vp->name, msi_controller_name(), 1 + vp->queue_vectors);
            return;
        }
        kprintf("virtio: %s: device refused MSI-X vector %u for configuration changes\n", vp->name, CONFIG_VECTOR);
    }
    if (vp->msix_on) {
        for (unsigned i = 0; i < vdev->nqueues; i++) {
            c_w16(vp, COMMON_Q_SELECT, i);
            c_w16(vp, COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
        }
        pci_msix_abandon(&vp->msix);
        vp->msix_on = vp->msix_ok = false;
    }
    c_w16(vp, COMMON_MSIX, VIRTIO_MSI_NO_VECTOR);
    pci_request_intx(vp->pci, vp_interrupt, vp);
    kinfo("%s: %s intx\n", driver, vp->name);
}

static const struct virtio_transport pci_transport = {
    .get_status = vp_get_status,
    .set_status = vp_set_status,
    .reset = vp_reset,
    .device_features = vp_device_features,
    .set_driver_features = vp_set_driver_features,
    .queue_max_size = vp_queue_max_size,
    .queue_activate = vp_queue_activate,
    .config_generation = vp_config_generation,
    .config_size = vp_config_size,
    .config_read = vp_config_read,
    .enable_interrupts = vp_enable_interrupts,
};

/* 0x1040 + type: modern-only; 0x1000..0x103f: transitional, type in the subsystem id. */
static uint32_t virtio_type(const struct pci_device *dev)
{
    if (dev->vendor_id != VIRTIO_PCI_VENDOR)
        return 0;
    if (dev->device_id >= 0x1040 && dev->device_id <= 0x107f)
        return dev->device_id - 0x1040;
    if (dev->device_id >= 0x1000 && dev->device_id <= 0x103f)
        return dev->subsystem_id;
    return 0;
}

static const char *vp_match(const struct pci_device *dev)
{
    uint32_t type = virtio_type(dev);
    const struct virtio_driver *drv = type ? virtio_driver_for(type) : NULL;
    return drv && dev->header_type == 0 ? drv->name : NULL;
}

/* Walk the vendor-specific capabilities and keep the first usable one of each kind (the spec
 * lets a device offer several; the driver uses the first it understands). A capability naming
 * a BAR we did not assign, or a range outside its BAR, is refused with a message. */
static void find_capabilities(struct virtio_pci *vp)
{
    const struct pci_device *dev = vp->pci;
    for (uint8_t pos = pci_find_capability(dev, PCI_CAP_ID_VENDOR, 0); pos;
         pos = pci_find_capability(dev, PCI_CAP_ID_VENDOR, pos)) {
        uint8_t len = pci_read8(dev, pos + CAP_LEN), type = pci_read8(dev, pos + CAP_CFG_TYPE);
        uint8_t bar = pci_read8(dev, pos + CAP_BAR);
        uint32_t offset = pci_read32(dev, pos + CAP_OFFSET), length = pci_read32(dev, pos + CAP_LENGTH);
        if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_DEVICE_CFG)
            continue;                  /* PCI_CFG access window, shared memory: not used */
        if (len < 16 || (type == VIRTIO_PCI_CAP_NOTIFY_CFG && len < 20))
            panic("virtio: %s: capability at %#x (type %u) is %u bytes, too short", vp->name, pos, type, len);
        if (bar > 5)
            continue;                  /* reserved BAR numbers: the spec says ignore */
        const struct pci_bar *b = &vp->pci->bar[bar];
        if (!b->assigned)
            panic("virtio: %s: capability type %u lives in BAR%u, which has no address", vp->name, type, bar);
        if (length == 0 || offset >= b->size || length > b->size - offset)
            panic("virtio: %s: capability type %u range %#x+%#x is outside BAR%u (%#lx bytes)",
                  vp->name, type, offset, length, bar, b->size);
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG:
            if (vp->common)
                break;
            if (length < COMMON_LEN)
                panic("virtio: %s: common configuration is %u bytes, need %u", vp->name, length, COMMON_LEN);
            vp->common = pci_map_bar(dev, bar, offset, length);
            break;
        case VIRTIO_PCI_CAP_NOTIFY_CFG:
            if (vp->notify)
                break;
            vp->notify_multiplier = pci_read32(dev, pos + CAP_NOTIFY_MULTIPLIER);
            if (length < 2)
                panic("virtio: %s: notify region of %u bytes holds no doorbell", vp->name, length);
            vp->notify_len = length;
            vp->notify = pci_map_bar(dev, bar, offset, length);
            break;
        case VIRTIO_PCI_CAP_ISR_CFG:
            if (!vp->isr)
                vp->isr = pci_map_bar(dev, bar, offset, length);
            break;
        case VIRTIO_PCI_CAP_DEVICE_CFG:
            if (!vp->device) {
                vp->device_len = length;
                vp->device = pci_map_bar(dev, bar, offset, length);
            }
            break;
        }
    }
    if (!vp->common || !vp->notify || !vp->isr)
        panic("virtio: %s: missing modern capabilities (common %s, notify %s, isr %s); legacy-only devices are not supported",
              vp->name, vp->common ? "yes" : "no", vp->notify ? "yes" : "no", vp->isr ? "yes" : "no");
}

static void vp_probe(struct pci_device *dev)
{
    struct virtio_pci *vp = kzalloc(sizeof(*vp));
    if (!vp)
        panic("virtio: out of memory");
    vp->pci = dev;
    pci_name(dev, vp->name);
    find_capabilities(vp);
    pci_enable(dev);
    vp->msix_on = vp->msix_ok = pci_msix_begin(dev, &vp->msix);
    vp->vdev.type = virtio_type(dev);
    vp->vdev.name = vp->name;
    vp->vdev.transport = &pci_transport;
    vp->vdev.transport_data = vp;
    dev->driver_data = &vp->vdev;
    virtio_driver_for(vp->vdev.type)->probe(&vp->vdev);
}

const struct pci_driver virtio_pci_driver = { vp_match, vp_probe };
