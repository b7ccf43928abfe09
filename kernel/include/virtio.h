/* Virtio 1.x: split virtqueues (virtqueue.c), the PCI transport (virtio_pci.c) and the device
 * drivers on top (virtio_blk.c, later virtio-net). A driver sees only struct virtio_device and
 * struct virtqueue; which transport carries them is the transport's business. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct pci_driver;
struct pci_device;

/* Device types (virtio 1.x section 5). */
#define VIRTIO_ID_NET              1
#define VIRTIO_ID_BLOCK            2

/* Device status bits. */
#define VIRTIO_STATUS_ACKNOWLEDGE  1
#define VIRTIO_STATUS_DRIVER       2
#define VIRTIO_STATUS_DRIVER_OK    4
#define VIRTIO_STATUS_FEATURES_OK  8
#define VIRTIO_STATUS_NEEDS_RESET  64
#define VIRTIO_STATUS_FAILED       128

/* Transport-independent feature bits. */
#define VIRTIO_F_INDIRECT_DESC     28
#define VIRTIO_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1         32
#define VIRTIO_F_ACCESS_PLATFORM   33

/* ---- split virtqueue (virtio 1.x section 2.7) ---- */

#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1   /* driver to device: no interrupt needed when buffers come back */
#define VIRTQ_MAX_SIZE             32768

struct virtq_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];      /* then le16 used_event */
};

struct virtq_used_elem {
    uint32_t id;
    uint32_t len;
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];   /* then le16 avail_event */
};

/* One piece of a request: physical address (the device sees physical memory: no IOMMU) and
 * length; device_writes marks buffers the device fills. */
struct virtq_buffer {
    uint64_t addr;
    uint32_t len;
    bool device_writes;
};

struct virtqueue;
/* Called from the interrupt handler for each finished request, with the cookie it was added
 * with and the number of bytes the device wrote. */
typedef void (*virtqueue_done_t)(struct virtqueue *vq, void *cookie, uint32_t written);

struct virtqueue {
    uint16_t index;
    uint16_t size;                 /* power of two */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint64_t desc_pa, avail_pa, used_pa;
    uint64_t ring_pa, ring_pages;  /* the one page_alloc'ed block holding all three */
    uint16_t free_head, num_free;
    uint16_t avail_idx;            /* our copy of avail->idx */
    uint16_t last_used;            /* next used->idx entry to consume */
    void **cookies;                /* per head descriptor; NULL when not in flight */
    virtqueue_done_t done;
    void (*notify)(struct virtqueue *vq);    /* the transport's doorbell */
    void *transport;
    void *driver;                  /* free for the device driver */
};

/* Allocate and zero the rings for a queue of `size` entries (a power of two). */
struct virtqueue *virtqueue_create(uint16_t index, uint16_t size, virtqueue_done_t done);
/* Chain the buffers into one request: device-readable ones must come before device-writable
 * ones. Returns false when the ring has too few free descriptors (nothing is added). */
bool virtqueue_add(struct virtqueue *vq, const struct virtq_buffer *bufs, int n, void *cookie);
/* Tell the device about everything added since the last kick (unless it asked not to be told). */
void virtqueue_kick(struct virtqueue *vq);
/* Ask the device not to interrupt when it returns buffers (a hint it may ignore): for queues
 * whose completions the driver collects itself, such as transmit slots reclaimed on the next send. */
void virtqueue_suppress_interrupts(struct virtqueue *vq);
/* Undo virtqueue_suppress_interrupts. The _or_pending form is for a driver that polls with
 * interrupts suppressed: it turns them back on and says whether buffers came back meanwhile (then
 * the driver polls again; no interrupt is coming for those). */
void virtqueue_enable_interrupts(struct virtqueue *vq);
bool virtqueue_enable_interrupts_or_pending(struct virtqueue *vq);
/* Consume the used ring, calling done() per request; call from the transport's interrupt. */
void virtqueue_process_used(struct virtqueue *vq);

/* ---- devices and drivers ---- */

#define VIRTIO_MAX_QUEUES 8

struct virtio_device {
    uint32_t type;                 /* VIRTIO_ID_* */
    const char *name;              /* of the transport's device, for messages: "00:02.0" */
    uint64_t features;             /* negotiated */
    struct virtqueue *queues[VIRTIO_MAX_QUEUES];
    unsigned nqueues;
    void (*config_changed)(struct virtio_device *vdev);
    const struct virtio_transport *transport;
    void *transport_data;
    void *driver_data;
};

/* What a transport (PCI now, MMIO maybe later) does for the generic driver calls below. */
struct virtio_transport {
    uint8_t (*get_status)(struct virtio_device *vdev);
    void (*set_status)(struct virtio_device *vdev, uint8_t status);
    void (*reset)(struct virtio_device *vdev);
    uint64_t (*device_features)(struct virtio_device *vdev);
    void (*set_driver_features)(struct virtio_device *vdev, uint64_t features);
    uint16_t (*queue_max_size)(struct virtio_device *vdev, uint16_t index);
    void (*queue_activate)(struct virtio_device *vdev, struct virtqueue *vq);
    uint32_t (*config_generation)(struct virtio_device *vdev);
    uint32_t (*config_size)(struct virtio_device *vdev);
    uint32_t (*config_read)(struct virtio_device *vdev, uint32_t offset, int width);
    void (*enable_interrupts)(struct virtio_device *vdev);
};

struct virtio_driver {
    const char *name;              /* "virtio-blk": the word the boot report uses */
    uint32_t type;
    void (*probe)(struct virtio_device *vdev);
};

/* The PCI side: matches virtio vendor/device ids and dispatches on the virtio device type. */
extern const struct pci_driver virtio_pci_driver;

/* The MMIO side (virtio_mmio.c): every "virtio,mmio" node of the device tree, probed once. */
void virtio_mmio_init(void);

/* Device initialisation, in the order of virtio 1.x section 3.1.1: reset, ACKNOWLEDGE | DRIVER,
 * then virtio_negotiate (which requires VERSION_1 and sets FEATURES_OK), virtio_setup_queue for
 * each queue, virtio_driver_ok. Any refusal by the device panics with a message naming it. */
void virtio_begin_init(struct virtio_device *vdev);
uint64_t virtio_negotiate(struct virtio_device *vdev, uint64_t wanted);
struct virtqueue *virtio_setup_queue(struct virtio_device *vdev, uint16_t index, uint16_t max_size,
                                     virtqueue_done_t done);
void virtio_driver_ok(struct virtio_device *vdev);
bool virtio_has_feature(const struct virtio_device *vdev, unsigned bit);
/* Device-specific configuration fields (little-endian), read consistently against
 * config_generation; panics if the field lies beyond what the device provides. */
uint8_t virtio_config_read8(struct virtio_device *vdev, uint32_t offset);
uint16_t virtio_config_read16(struct virtio_device *vdev, uint32_t offset);
uint32_t virtio_config_read32(struct virtio_device *vdev, uint32_t offset);
uint64_t virtio_config_read64(struct virtio_device *vdev, uint32_t offset);
/* Interrupt path, for transports: the device says a queue may have progressed. */
void virtio_queues_interrupt(struct virtio_device *vdev);

/* The driver for a device type, or NULL; transports use it to match and then to probe. */
const struct virtio_driver *virtio_driver_for(uint32_t type);

extern const struct virtio_driver virtio_blk_driver;
extern const struct virtio_driver virtio_net_driver;
