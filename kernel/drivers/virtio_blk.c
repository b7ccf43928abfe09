/* virtio-blk (virtio 1.x section 5.2): disks as block devices. A read is one three-descriptor
 * chain: the request header (device reads it), the data and the status byte (device writes
 * them); a write's data is read by the device, a flush has none. A buffer in the direct map (page
 * cache runs, heap blocks: physically contiguous, since the direct map is RAM at a fixed offset)
 * is the data descriptor itself, up to DIRECT_BYTES a request: under TCG each request is a round
 * trip through QEMU's I/O thread (150-800 us) while a MiB more costs little, so a library's
 * read-ahead is one request, not sixteen. Any other kernel address (the image's .bss, stacks)
 * goes through a bounce buffer from page_alloc, so the device only ever sees memory we own. Completion is interrupt-driven: the
 * queue's done callback finishes the request and calls the request's own callback; the
 * synchronous read below waits for that with wfi (a scheduler will sleep the caller instead). */
#include "kernel.h"
#include "idle.h"
#include "irq.h"
#include "virtio.h"
#include "block.h"
#include "arch.h"
#include "mm.h"
#include "timer.h"
#include <string.h>

#define VIRTIO_BLK_F_SIZE_MAX  1
#define VIRTIO_BLK_F_SEG_MAX   2
#define VIRTIO_BLK_F_RO        5
#define VIRTIO_BLK_F_BLK_SIZE  6
#define VIRTIO_BLK_F_FLUSH     9     /* the device takes T_FLUSH; without it writes are durable at once */

#define CFG_CAPACITY           0     /* le64, in 512-byte sectors whatever the block size */
#define CFG_SIZE_MAX           8     /* le32 */
#define CFG_SEG_MAX            12    /* le32 */
#define CFG_BLK_SIZE           20    /* le32 */

#define VIRTIO_BLK_T_IN        0
#define VIRTIO_BLK_T_OUT       1
#define VIRTIO_BLK_T_FLUSH     4
#define VIRTIO_BLK_S_OK        0
#define VIRTIO_BLK_S_IOERR     1
#define VIRTIO_BLK_S_UNSUPP    2

#define SECTOR_SIZE            512
#define BOUNCE_BYTES           (64UL * 1024)
#define DIRECT_BYTES           (4UL * 1024 * 1024)
#define QUEUE_ENTRIES          64
#define REQUEST_TIMEOUT_S      10

/* The device-visible part of a request (header then status), in DMA memory. */
struct virtio_blk_req_hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};

struct blk_request;
typedef void (*blk_complete_t)(struct blk_request *req);

struct blk_request {
    uint32_t type;                   /* VIRTIO_BLK_T_* */
    uint64_t sector;
    uint32_t bytes;
    uint64_t data_pa;                /* the caller's buffer, or the device's bounce buffer */
    blk_complete_t complete;         /* called from the interrupt handler */
    void *arg;
    volatile bool done;
    uint8_t status;                  /* VIRTIO_BLK_S_*, valid once complete ran */
    uint32_t written;
};

struct virtio_blk {
    struct block_device bd;
    struct virtio_device *vdev;
    struct virtqueue *vq;
    struct virtio_blk_req_hdr *hdr;  /* in the DMA page, direct-mapped */
    volatile uint8_t *status;
    uint64_t dma_pa;                 /* header at +0, status at +16 */
    uint8_t *bounce;
    uint64_t bounce_pa, bounce_bytes;
    uint64_t direct_bytes;           /* most bytes one request takes straight into a direct-map buffer */
    struct blk_request *in_flight;   /* one request at a time until there is a scheduler */
};

static unsigned disk_count;

/* The queue's done callback, in interrupt context: the status byte is final once the device has
 * put the chain in the used ring. */
static void request_done(struct virtqueue *vq, void *cookie, uint32_t written)
{
    struct virtio_blk *vb = vq->driver;
    struct blk_request *req = cookie;
    if (req != vb->in_flight)
        panic("virtio-blk: %s: completion for a request that is not in flight", vb->bd.name);
    vb->in_flight = NULL;
    req->status = *vb->status;
    req->written = written;
    req->complete(req);
}

/* Queue req: a read of req->bytes at req->sector into the bounce buffer, a write of them from it,
 * or a flush (no data descriptor); req->complete runs when the device is done. The interrupt is
 * masked while the ring changes, as its handler edits it too. */
static void submit(struct virtio_blk *vb, struct blk_request *req)
{
    arch_irq_disable();
    if (vb->in_flight)
        panic("virtio-blk: %s: a second request while one is in flight", vb->bd.name);
    vb->hdr->type = req->type;
    vb->hdr->reserved = 0;
    vb->hdr->sector = req->type == VIRTIO_BLK_T_FLUSH ? 0 : req->sector;
    *vb->status = 0xff;              /* not a valid status: shows whether the device wrote it */
    struct virtq_buffer bufs[3] = {
        { vb->dma_pa, sizeof(struct virtio_blk_req_hdr), false },
        { req->data_pa, req->bytes, req->type == VIRTIO_BLK_T_IN },
        { vb->dma_pa + sizeof(struct virtio_blk_req_hdr), 1, true },
    };
    unsigned n = 3;
    if (req->type == VIRTIO_BLK_T_FLUSH) {
        bufs[1] = bufs[2];
        n = 2;
    }
    vb->in_flight = req;
    if (!virtqueue_add(vb->vq, bufs, n, req))
        panic("virtio-blk: %s: queue full with nothing in flight", vb->bd.name);
    virtqueue_kick(vb->vq);
}

static void mark_done(struct blk_request *req) { req->done = true; }

/* Wait for the completion interrupt. Interrupts are masked between the check and wfi so the
 * wake-up cannot slip in between (wfi wakes on a pending interrupt even while masked); the
 * periodic tick bounds each wfi, so the timeout is checked at least every tick. On a CPU that
 * device interrupts do not go to, the used ring is polled: the interrupt's CPU could only take
 * it with the kernel lock this one holds. */
static void wait_for(struct virtio_blk *vb, struct blk_request *req)
{
    uint64_t start = counter_now(), limit = counter_freq() * REQUEST_TIMEOUT_S;
    while (!req->done) {
        if (counter_now() - start > limit)
            panic("virtio-blk: %s: request %u of %u bytes at sector %lu got no completion in %d s",
                  vb->bd.name, req->type, req->bytes, req->sector, REQUEST_TIMEOUT_S);
        if (!irq_devices_here()) {
            virtqueue_process_used(vb->vq);
            if (!req->done)
                timer_nap(counter_freq() / 100000);   /* 10 us: QEMU's I/O thread needs the host core */
            continue;
        }
        cpu_idle();
        arch_irq_enable();           /* the pending interrupt is taken here */
        arch_irq_disable();
    }
}

static const char *status_text(uint8_t status)
{
    return status == VIRTIO_BLK_S_IOERR ? "I/O error" : status == VIRTIO_BLK_S_UNSUPP ? "unsupported"
                                                                                      : "device wrote no valid status";
}

/* One request, synchronous. Interrupts stay masked from submission to completion except inside
 * wait_for's wfi, and come back as the caller had them (a trap handler must return with them
 * masked). */
static void run_request(struct virtio_blk *vb, struct blk_request *req)
{
    req->complete = mark_done;
    uint64_t irq_state = arch_irq_save();
    submit(vb, req);
    wait_for(vb, req);
    arch_irq_restore(irq_state);
}

static bool direct_mapped(const void *buf, uint64_t len)
{
    uint64_t va = (uint64_t)buf;
    return va >= DIRECT_MAP_BASE && va - DIRECT_MAP_BASE < DIRECT_MAP_SIZE && len <= DIRECT_MAP_SIZE - (va - DIRECT_MAP_BASE);
}

/* Reads and writes go straight to a direct-map buffer, or through the bounce buffer, in pieces
 * the request takes. A read's device writes the data and the status byte; a write's only the
 * status byte. */
static int transfer(struct block_device *bd, uint32_t type, uint64_t lba, uint64_t count, uint8_t *buf)
{
    struct virtio_blk *vb = bd->driver_data;
    uint64_t per_block = bd->block_size / SECTOR_SIZE;
    const char *what = type == VIRTIO_BLK_T_IN ? "read" : "write";
    bool direct = direct_mapped(buf, count * bd->block_size);
    uint64_t most = direct ? vb->direct_bytes : vb->bounce_bytes;
    while (count) {
        uint64_t n = count;
        if (n * bd->block_size > most)
            n = most / bd->block_size;
        struct blk_request req = { .type = type, .sector = lba * per_block, .bytes = (uint32_t)(n * bd->block_size),
                                   .data_pa = direct ? virt_to_phys(buf) : vb->bounce_pa };
        if (type == VIRTIO_BLK_T_OUT && !direct)
            memcpy(vb->bounce, buf, req.bytes);
        run_request(vb, &req);
        if (req.status != VIRTIO_BLK_S_OK) {
            kprintf("virtio-blk: %s: %s of %u bytes at sector %lu failed: %s\n", bd->name, what, req.bytes,
                    req.sector, status_text(req.status));
            return BLOCK_EIO;
        }
        uint32_t expect = type == VIRTIO_BLK_T_IN ? req.bytes + 1 : 1;
        if (type == VIRTIO_BLK_T_IN && req.written != expect) {
            kprintf("virtio-blk: %s: %s of %u bytes at sector %lu: device reports %u bytes written\n",
                    bd->name, what, req.bytes, req.sector, req.written);
            return BLOCK_EIO;
        }
        if (type == VIRTIO_BLK_T_IN && !direct)
            memcpy(buf, vb->bounce, req.bytes);
        buf += req.bytes;
        lba += n;
        count -= n;
    }
    return BLOCK_OK;
}

static int read_blocks(struct block_device *bd, uint64_t lba, uint64_t count, void *buf)
{
    return transfer(bd, VIRTIO_BLK_T_IN, lba, count, buf);
}

static int write_blocks(struct block_device *bd, uint64_t lba, uint64_t count, const void *buf)
{
    return transfer(bd, VIRTIO_BLK_T_OUT, lba, count, (uint8_t *)buf);
}

/* Without VIRTIO_BLK_F_FLUSH the device promises write-through: a completed write is durable. */
static int flush(struct block_device *bd)
{
    struct virtio_blk *vb = bd->driver_data;
    if (!virtio_has_feature(vb->vdev, VIRTIO_BLK_F_FLUSH))
        return BLOCK_OK;
    struct blk_request req = { .type = VIRTIO_BLK_T_FLUSH };
    run_request(vb, &req);
    if (req.status != VIRTIO_BLK_S_OK) {
        kprintf("virtio-blk: %s: flush failed: %s\n", bd->name, status_text(req.status));
        return BLOCK_EIO;
    }
    return BLOCK_OK;
}

static const struct block_ops virtio_blk_ops = { read_blocks, write_blocks, flush };

static void config_changed(struct virtio_device *vdev)
{
    struct virtio_blk *vb = vdev->driver_data;
    kprintf("virtio-blk: %s: configuration changed (capacity now %lu sectors); ignored\n",
            vb->bd.name, virtio_config_read64(vdev, CFG_CAPACITY));
}

static void format_size(char *buf, size_t n, uint64_t bytes)
{
    if (bytes >= (1UL << 30) && bytes % (1UL << 30) == 0)
        snprintf(buf, n, "%lu GiB", bytes >> 30);
    else if (bytes >= (1UL << 20) && bytes % (1UL << 20) == 0)
        snprintf(buf, n, "%lu MiB", bytes >> 20);
    else if (bytes % 1024 == 0)
        snprintf(buf, n, "%lu KiB", bytes >> 10);
    else
        snprintf(buf, n, "%lu bytes", bytes);
}

/* Every number from the device's configuration is checked before it shapes a request: the block
 * size must be a power of two the bounce buffer holds, size_max must admit one block, and the
 * capacity must fit in 64 bits of bytes. */
static void probe(struct virtio_device *vdev)
{
    struct virtio_blk *vb = kzalloc(sizeof(*vb));
    if (!vb)
        panic("virtio-blk: out of memory");
    snprintf(vb->bd.name, sizeof(vb->bd.name), "vd%c", 'a' + (disk_count < 26 ? disk_count : 25));
    disk_count++;
    vb->vdev = vdev;
    vdev->driver_data = vb;
    vdev->config_changed = config_changed;

    virtio_begin_init(vdev);
    virtio_negotiate(vdev, 1ULL << VIRTIO_BLK_F_SIZE_MAX | 1ULL << VIRTIO_BLK_F_SEG_MAX |
                           1ULL << VIRTIO_BLK_F_RO | 1ULL << VIRTIO_BLK_F_BLK_SIZE | 1ULL << VIRTIO_BLK_F_FLUSH);

    uint64_t sectors = virtio_config_read64(vdev, CFG_CAPACITY);
    uint32_t block = SECTOR_SIZE;
    if (virtio_has_feature(vdev, VIRTIO_BLK_F_BLK_SIZE)) {
        block = virtio_config_read32(vdev, CFG_BLK_SIZE);
        if (block < SECTOR_SIZE || block > BOUNCE_BYTES || (block & (block - 1)))
            panic("virtio-blk: %s: block size %u is not a power of two in 512..%lu", vdev->name, block, BOUNCE_BYTES);
    }
    uint64_t bounce = BOUNCE_BYTES, direct = DIRECT_BYTES;   /* one data segment each */
    if (virtio_has_feature(vdev, VIRTIO_BLK_F_SIZE_MAX)) {
        uint32_t size_max = virtio_config_read32(vdev, CFG_SIZE_MAX);
        if (size_max < block)
            panic("virtio-blk: %s: size_max %u is smaller than one %u-byte block", vdev->name, size_max, block);
        if (size_max < bounce)
            bounce = ALIGN_DOWN(size_max, block);
        if (size_max < direct)
            direct = ALIGN_DOWN(size_max, block);
    }
    if (virtio_has_feature(vdev, VIRTIO_BLK_F_SEG_MAX) && virtio_config_read32(vdev, CFG_SEG_MAX) == 0)
        panic("virtio-blk: %s: seg_max is 0: no request could carry data", vdev->name);
    if (sectors > UINT64_MAX / SECTOR_SIZE)
        panic("virtio-blk: %s: capacity of %lu sectors overflows 64 bits of bytes", vdev->name, sectors);
    uint64_t bytes = sectors * SECTOR_SIZE;
    if (bytes % block) {
        kprintf("virtio-blk: %s: capacity %lu is not a multiple of the %u-byte block; last partial block unused\n",
                vdev->name, bytes, block);
        bytes = ALIGN_DOWN(bytes, block);
    }

    vb->vq = virtio_setup_queue(vdev, 0, QUEUE_ENTRIES, request_done);
    if (vb->vq->size < 4)
        panic("virtio-blk: %s: request queue of %u entries cannot hold a 3-descriptor request", vdev->name, vb->vq->size);
    vb->vq->driver = vb;
    vb->dma_pa = page_alloc(1);
    vb->bounce_pa = page_alloc(ALIGN_UP(bounce, PAGE_SIZE) >> PAGE_SHIFT);
    if (!vb->dma_pa || !vb->bounce_pa)
        panic("virtio-blk: %s: out of memory for DMA buffers", vdev->name);
    vb->hdr = phys_to_virt(vb->dma_pa);
    vb->status = (volatile uint8_t *)vb->hdr + sizeof(struct virtio_blk_req_hdr);
    vb->bounce = phys_to_virt(vb->bounce_pa);
    vb->bounce_bytes = bounce;
    vb->direct_bytes = direct;
    virtio_driver_ok(vdev);

    vb->bd.capacity = bytes;
    vb->bd.block_size = block;
    vb->bd.max_blocks = direct / block;   /* transfer() cuts a bounced request to the bounce buffer */
    vb->bd.ops = &virtio_blk_ops;
    vb->bd.read_only = virtio_has_feature(vdev, VIRTIO_BLK_F_RO);
    vb->bd.driver_data = vb;
    char size[32];
    format_size(size, sizeof(size), bytes);
    kinfo("virtio-blk: %s %s, %u-byte sectors%s\n", vb->bd.name, size, block,
          virtio_has_feature(vdev, VIRTIO_BLK_F_RO) ? ", read-only" : "");
    block_register(&vb->bd);
}

const struct virtio_driver virtio_blk_driver = { "virtio-blk", VIRTIO_ID_BLOCK, probe };
