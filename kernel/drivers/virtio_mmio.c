/* The virtio MMIO transport, version 2 (virtio 1.x section 4.2): what micro-VMs (Firecracker,
 * cloud-hypervisor) and QEMU virt's `-device virtio-*-device` offer instead of PCI. Each device is
 * one register block the device tree names ("virtio,mmio": reg and one interrupt); QEMU virt lists
 * 32 such blocks whether or not a device sits behind them, and an empty one reads DeviceID 0.
 * Only version 2 (modern) is driven: legacy (version 1) needs guest page numbers for the rings.
 * Every register access goes through mmio.h (one plain ldr/str, which KVM can emulate). */
#include "kernel.h"
#include "mmio.h"
#include "virtio.h"
#include "dt.h"
#include "irq.h"
#include "mm.h"
#include "timer.h"
#include "profile.h"
#include <string.h>

#define MMIO_MAGIC_VALUE           0x000   /* "virt" little-endian */
#define MMIO_VERSION               0x004
#define MMIO_DEVICE_ID             0x008
#define MMIO_DEVICE_FEATURES       0x010
#define MMIO_DEVICE_FEATURES_SEL   0x014
#define MMIO_DRIVER_FEATURES       0x020
#define MMIO_DRIVER_FEATURES_SEL   0x024
#define MMIO_QUEUE_SEL             0x030
#define MMIO_QUEUE_NUM_MAX         0x034
#define MMIO_QUEUE_NUM             0x038
#define MMIO_QUEUE_READY           0x044
#define MMIO_QUEUE_NOTIFY          0x050
#define MMIO_INTERRUPT_STATUS      0x060
#define MMIO_INTERRUPT_ACK         0x064
#define MMIO_STATUS                0x070
#define MMIO_QUEUE_DESC_LOW        0x080
#define MMIO_QUEUE_DESC_HIGH       0x084
#define MMIO_QUEUE_DRIVER_LOW      0x090
#define MMIO_QUEUE_DRIVER_HIGH     0x094
#define MMIO_QUEUE_DEVICE_LOW      0x0a0
#define MMIO_QUEUE_DEVICE_HIGH     0x0a4
#define MMIO_CONFIG_GENERATION     0x0fc
#define MMIO_CONFIG                0x100

#define MAGIC                      0x74726976
#define INT_USED_BUFFER            1
#define INT_CONFIG_CHANGE          2
#define IRQ_TYPE_EDGE_RISING       1
#define RESET_TIMEOUT_MS           1000

struct virtio_mmio {
    struct virtio_device vdev;
    volatile uint8_t *regs;
    uint64_t size;                     /* of the register block: the config space ends there */
    uint32_t intid;
    bool edge;                         /* the device tree says edge-triggered */
    char name[32];
};

static const char compatible[] = "virtio,mmio";

static struct virtio_mmio *vm_of(struct virtio_device *vdev) { return vdev->transport_data; }
static uint32_t r32(struct virtio_mmio *vm, uint32_t off) { return mmio_read32(vm->regs + off); }
static void w32(struct virtio_mmio *vm, uint32_t off, uint32_t v) { mmio_write32(vm->regs + off, v); }

/* 64-bit ring addresses are two 32-bit registers (section 4.2.2). */
static void w64(struct virtio_mmio *vm, uint32_t lo, uint32_t hi, uint64_t v)
{
    w32(vm, lo, (uint32_t)v);
    w32(vm, hi, (uint32_t)(v >> 32));
}

static uint8_t vm_get_status(struct virtio_device *vdev) { return (uint8_t)r32(vm_of(vdev), MMIO_STATUS); }
static void vm_set_status(struct virtio_device *vdev, uint8_t s) { w32(vm_of(vdev), MMIO_STATUS, s); }

/* Writing 0 resets; the device says it is done by reading back 0 (section 4.2.3.1). */
static void vm_reset(struct virtio_device *vdev)
{
    struct virtio_mmio *vm = vm_of(vdev);
    w32(vm, MMIO_STATUS, 0);
    uint64_t start = counter_now(), limit = counter_freq() / 1000 * RESET_TIMEOUT_MS;
    while (r32(vm, MMIO_STATUS) != 0)
        if (counter_now() - start > limit)
            panic("virtio: %s: device did not finish its reset within %d ms", vm->name, RESET_TIMEOUT_MS);
}

static uint64_t vm_device_features(struct virtio_device *vdev)
{
    struct virtio_mmio *vm = vm_of(vdev);
    w32(vm, MMIO_DEVICE_FEATURES_SEL, 0);
    uint64_t lo = r32(vm, MMIO_DEVICE_FEATURES);
    w32(vm, MMIO_DEVICE_FEATURES_SEL, 1);
    uint64_t hi = r32(vm, MMIO_DEVICE_FEATURES);
    return lo | hi << 32;
}

static void vm_set_driver_features(struct virtio_device *vdev, uint64_t f)
{
    struct virtio_mmio *vm = vm_of(vdev);
    w32(vm, MMIO_DRIVER_FEATURES_SEL, 0);
    w32(vm, MMIO_DRIVER_FEATURES, (uint32_t)f);
    w32(vm, MMIO_DRIVER_FEATURES_SEL, 1);
    w32(vm, MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* QueueNumMax 0: no such queue. The size is a 16-bit quantity for the split ring. */
static uint16_t vm_queue_max_size(struct virtio_device *vdev, uint16_t index)
{
    struct virtio_mmio *vm = vm_of(vdev);
    w32(vm, MMIO_QUEUE_SEL, index);
    uint32_t max = r32(vm, MMIO_QUEUE_NUM_MAX);
    return max > VIRTQ_MAX_SIZE ? VIRTQ_MAX_SIZE : (uint16_t)max;
}

static void vm_notify(struct virtqueue *vq)
{
    uint64_t start = profile_enabled ? counter_now() : 0;   /* the profile counts both transports' */
    w32(vm_of(vq->transport), MMIO_QUEUE_NOTIFY, vq->index);
    if (profile_enabled)
        profile_event(PROFILE_VIRTIO_NOTIFY, counter_now() - start);
}

static void vm_queue_activate(struct virtio_device *vdev, struct virtqueue *vq)
{
    struct virtio_mmio *vm = vm_of(vdev);
    w32(vm, MMIO_QUEUE_SEL, vq->index);
    if (r32(vm, MMIO_QUEUE_READY))
        panic("virtio: %s: queue %u is already ready after reset", vm->name, vq->index);
    w32(vm, MMIO_QUEUE_NUM, vq->size);
    w64(vm, MMIO_QUEUE_DESC_LOW, MMIO_QUEUE_DESC_HIGH, vq->desc_pa);
    w64(vm, MMIO_QUEUE_DRIVER_LOW, MMIO_QUEUE_DRIVER_HIGH, vq->avail_pa);
    w64(vm, MMIO_QUEUE_DEVICE_LOW, MMIO_QUEUE_DEVICE_HIGH, vq->used_pa);
    w32(vm, MMIO_QUEUE_READY, 1);
    vq->notify = vm_notify;
}

static uint32_t vm_config_generation(struct virtio_device *vdev) { return r32(vm_of(vdev), MMIO_CONFIG_GENERATION); }
static uint32_t vm_config_size(struct virtio_device *vdev) { return (uint32_t)(vm_of(vdev)->size - MMIO_CONFIG); }

static uint32_t vm_config_read(struct virtio_device *vdev, uint32_t offset, int width)
{
    volatile uint8_t *p = vm_of(vdev)->regs + MMIO_CONFIG + offset;
    switch (width) {
    case 1: return mmio_read8(p);
    case 2: return mmio_read16(p);
    default: return mmio_read32(p);
    }
}

/* One interrupt per device: InterruptStatus says why, and writing those bits to InterruptACK
 * lowers the line. Acknowledged before the used rings are read, so a buffer returned after the
 * read raises the line again instead of being missed. */
static void vm_interrupt(void *arg)
{
    struct virtio_mmio *vm = arg;
    uint32_t status = r32(vm, MMIO_INTERRUPT_STATUS);
    w32(vm, MMIO_INTERRUPT_ACK, status);
    if (status & INT_USED_BUFFER)
        virtio_queues_interrupt(&vm->vdev);
    if ((status & INT_CONFIG_CHANGE) && vm->vdev.config_changed)
        vm->vdev.config_changed(&vm->vdev);
}

static void vm_enable_interrupts(struct virtio_device *vdev)
{
    struct virtio_mmio *vm = vm_of(vdev);
    (vm->edge ? irq_register_edge : irq_register)(vm->intid, vm_interrupt, vm);
    kinfo("%s: %s irq %u (%s)\n", virtio_driver_for(vdev->type)->name, vm->name, vm->intid,
          vm->edge ? "edge" : "level");
}

static const struct virtio_transport mmio_transport = {
    .get_status = vm_get_status,
    .set_status = vm_set_status,
    .reset = vm_reset,
    .device_features = vm_device_features,
    .set_driver_features = vm_set_driver_features,
    .queue_max_size = vm_queue_max_size,
    .queue_activate = vm_queue_activate,
    .config_generation = vm_config_generation,
    .config_size = vm_config_size,
    .config_read = vm_config_read,
    .enable_interrupts = vm_enable_interrupts,
};

/* One "virtio,mmio" node: its registers checked (magic, then an empty slot skipped, then the
 * version), its interrupt taken from the tree, and the driver for its type probed. */
static void probe_node(int node)
{
    uint64_t base, size;
    const char *node_name = dt_node_name(node);
    if (!dt_reg(node, 0, &base, &size))
        panic("virtio-mmio: %s: no usable reg property", node_name);
    if (size < MMIO_CONFIG)
        panic("virtio-mmio: %s: register block of %#lx bytes, need at least %#x", node_name, size, MMIO_CONFIG);
    volatile uint8_t *regs = ioremap(base, size);
    uint32_t magic = mmio_read32(regs + MMIO_MAGIC_VALUE);
    if (magic != MAGIC)
        panic("virtio-mmio: %s: magic value %#x is not \"virt\"", node_name, magic);
    uint32_t type = mmio_read32(regs + MMIO_DEVICE_ID);
    if (type == 0)
        return;                        /* a transport with no device behind it */
    uint32_t version = mmio_read32(regs + MMIO_VERSION);
    if (version != 2)
        panic("virtio-mmio: %s: transport version %u; only version 2 (virtio 1.x) is supported"
              " (QEMU: -global virtio-mmio.force-legacy=false)", node_name, version);
    const struct virtio_driver *drv = virtio_driver_for(type);
    if (!drv) {
        kinfo("virtio-mmio: %s: device type %u has no driver; ignored\n", node_name, type);
        return;
    }
    uint32_t intid, flags = 0;
    if (!dt_irq(node, 0, &intid))
        panic("virtio-mmio: %s: no GIC interrupt in its interrupts property", node_name);
    dt_irq_flags(node, 0, &flags);

    struct virtio_mmio *vm = kzalloc(sizeof(*vm));
    if (!vm)
        panic("virtio: out of memory");
    vm->regs = regs;
    vm->size = size;
    vm->intid = intid;
    vm->edge = (flags & 0xf) == IRQ_TYPE_EDGE_RISING;
    snprintf(vm->name, sizeof(vm->name), "%s", node_name);
    vm->vdev.type = type;
    vm->vdev.name = vm->name;
    vm->vdev.transport = &mmio_transport;
    vm->vdev.transport_data = vm;
    drv->probe(&vm->vdev);
}

void virtio_mmio_init(void)
{
    for (int node = dt_next_compatible(-1, compatible); node >= 0; node = dt_next_compatible(node, compatible))
        probe_node(node);
}
