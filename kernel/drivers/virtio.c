/* The transport-independent half of a virtio device: the initialisation handshake of virtio 1.x
 * section 3.1.1, feature negotiation, queue setup and consistent reads of the device-specific
 * configuration. Transports supply the register accesses (struct virtio_transport). */
#include "kernel.h"
#include "virtio.h"

/* Every virtio device driver, by device type. virtio-net adds its line here. */
static const struct virtio_driver *const drivers[] = { &virtio_blk_driver, &virtio_net_driver };

const struct virtio_driver *virtio_driver_for(uint32_t type)
{
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++)
        if (drivers[i]->type == type)
            return drivers[i];
    return NULL;
}

bool virtio_has_feature(const struct virtio_device *vdev, unsigned bit)
{
    return bit < 64 && (vdev->features >> bit) & 1;
}

/* Refusing the device: tell it (FAILED) and stop with a message; a half-initialised device is
 * not something to carry on with. */
__attribute__((noreturn, format(printf, 2, 3)))
static void fail(struct virtio_device *vdev, const char *fmt, ...)
{
    char msg[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vdev->transport->set_status(vdev, vdev->transport->get_status(vdev) | VIRTIO_STATUS_FAILED);
    panic("virtio: %s: %s", vdev->name, msg);
}

/* Reset, then ACKNOWLEDGE (we saw it) and DRIVER (we can drive it). */
void virtio_begin_init(struct virtio_device *vdev)
{
    vdev->transport->reset(vdev);
    vdev->transport->set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE);
    vdev->transport->set_status(vdev, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

/* Accept the offered subset of `wanted` plus VERSION_1, which a modern device must offer; the
 * device confirms by keeping FEATURES_OK set. Never accepts ACCESS_PLATFORM: we hand the device
 * physical addresses and have no IOMMU to program. */
uint64_t virtio_negotiate(struct virtio_device *vdev, uint64_t wanted)
{
    uint64_t offered = vdev->transport->device_features(vdev);
    if (!(offered & (1ULL << VIRTIO_F_VERSION_1)))
        fail(vdev, "device does not offer VIRTIO_F_VERSION_1 (legacy-only devices are not supported)");
    if (offered & (1ULL << VIRTIO_F_ACCESS_PLATFORM))
        kprintf("virtio: %s: device offers ACCESS_PLATFORM; using physical addresses anyway\n", vdev->name);
    uint64_t accepted = offered & (wanted | (1ULL << VIRTIO_F_VERSION_1)) & ~(1ULL << VIRTIO_F_ACCESS_PLATFORM);
    vdev->transport->set_driver_features(vdev, accepted);
    uint8_t status = vdev->transport->get_status(vdev);
    vdev->transport->set_status(vdev, status | VIRTIO_STATUS_FEATURES_OK);
    if (!(vdev->transport->get_status(vdev) & VIRTIO_STATUS_FEATURES_OK))
        fail(vdev, "device rejected our features %#lx (offered %#lx)", accepted, offered);
    vdev->features = accepted;
    return accepted;
}

/* Queue sizes come from the device and are checked before use: zero means the queue does not
 * exist, anything else must be a power of two within the split-ring limit. We use at most
 * max_size entries (a driver may choose fewer). */
struct virtqueue *virtio_setup_queue(struct virtio_device *vdev, uint16_t index, uint16_t max_size,
                                     virtqueue_done_t done)
{
    if (index >= VIRTIO_MAX_QUEUES)
        panic("virtio: %s: queue %u beyond the %u we track", vdev->name, index, VIRTIO_MAX_QUEUES);
    uint16_t dev_max = vdev->transport->queue_max_size(vdev, index);
    if (dev_max == 0)
        fail(vdev, "queue %u does not exist", index);
    if (dev_max & (dev_max - 1))
        fail(vdev, "queue %u size %u is not a power of two", index, dev_max);
    uint16_t size = dev_max < max_size ? dev_max : max_size;
    while (size & (size - 1))
        size &= size - 1;               /* max_size need not be a power of two */
    struct virtqueue *vq = virtqueue_create(index, size, done);
    vq->transport = vdev;
    vdev->transport->queue_activate(vdev, vq);
    vdev->queues[index] = vq;
    if (index >= vdev->nqueues)
        vdev->nqueues = index + 1;
    return vq;
}

void virtio_driver_ok(struct virtio_device *vdev)
{
    vdev->transport->enable_interrupts(vdev);
    vdev->transport->set_status(vdev, vdev->transport->get_status(vdev) | VIRTIO_STATUS_DRIVER_OK);
    uint8_t status = vdev->transport->get_status(vdev);
    if (status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED))
        fail(vdev, "device reports status %#x right after DRIVER_OK", status);
}

void virtio_queues_interrupt(struct virtio_device *vdev)
{
    for (unsigned i = 0; i < vdev->nqueues; i++)
        if (vdev->queues[i])
            virtqueue_process_used(vdev->queues[i]);
}

/* A field may change while we read it; config_generation tells us, and we read again. A device
 * that never settles is broken. */
static uint64_t config_read(struct virtio_device *vdev, uint32_t offset, int width)
{
    uint32_t size = vdev->transport->config_size(vdev);
    if (offset > size || (uint32_t)width > size - offset)
        fail(vdev, "config field %u+%d beyond the device's %u bytes of configuration", offset, width, size);
    for (int tries = 0; tries < 100; tries++) {
        uint32_t gen = vdev->transport->config_generation(vdev);
        uint64_t v;
        if (width == 8)
            v = vdev->transport->config_read(vdev, offset, 4) |
                (uint64_t)vdev->transport->config_read(vdev, offset + 4, 4) << 32;
        else
            v = vdev->transport->config_read(vdev, offset, width);
        if (vdev->transport->config_generation(vdev) == gen)
            return v;
    }
    fail(vdev, "configuration keeps changing while read (config_generation never settles)");
}

uint8_t virtio_config_read8(struct virtio_device *vdev, uint32_t off) { return (uint8_t)config_read(vdev, off, 1); }
uint16_t virtio_config_read16(struct virtio_device *vdev, uint32_t off) { return (uint16_t)config_read(vdev, off, 2); }
uint32_t virtio_config_read32(struct virtio_device *vdev, uint32_t off) { return (uint32_t)config_read(vdev, off, 4); }
uint64_t virtio_config_read64(struct virtio_device *vdev, uint32_t off) { return config_read(vdev, off, 8); }
