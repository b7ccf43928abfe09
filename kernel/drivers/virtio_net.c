/* virtio-net (virtio 1.x section 5.1): Ethernet frames over one receive and one transmit queue.
 * Every frame travels with a 12-byte struct virtio_net_hdr in front of it, in the same buffer.
 *
 * Receive: every descriptor of the receive queue is kept posted with a 2 KiB buffer (header +
 * the largest frame; we accept neither mergeable buffers nor receive offloads, so one buffer
 * always holds one whole frame). The interrupt handler only records which buffers came back,
 * and turns the queue's interrupts off; net_poll calls receive(), which hands the frames to the
 * stack, posts the buffers again and collects what arrived meanwhile itself, turning interrupts
 * back on only when the queue is empty (as Linux's NAPI does): frames arriving while the stack
 * is busy cost no interrupt, and QEMU does not have to signal one.
 * Transmit: a frame is copied into one of the queue's 2 KiB slots and queued; slots the device
 * finished with are reclaimed on the next transmit. The transmit queue asks for no interrupts:
 * under TCG each costs ~50 us of interrupt handling and network polling, one per frame sent.
 * Nor does transmit() ring the doorbell: flush() does, once for every frame queued since the
 * last one (net_flush, net.h, says when), because under TCG a doorbell is a trip into QEMU of
 * ~40 us and a poll that answers many frames, or a send followed by a close, needs only one.
 * Checksums: with VIRTIO_NET_F_CSUM the device completes TCP checksums we mark partial (the stack
 * then leaves them to us); with VIRTIO_NET_F_GUEST_CSUM the device may hand us frames whose
 * checksum is partial, and receive() completes them before the stack checks them. */
#include "kernel.h"
#include "virtio.h"
#include "netdev.h"
#include "arch.h"
#include "mm.h"
#include "random.h"
#include <string.h>

#define VIRTIO_NET_F_CSUM        0
#define VIRTIO_NET_F_GUEST_CSUM  1
#define VIRTIO_NET_F_MAC         5
#define VIRTIO_NET_F_STATUS      16

#define CFG_MAC                  0     /* 6 bytes */
#define CFG_STATUS               6     /* le16 */
#define VIRTIO_NET_S_LINK_UP     1

#define HDR_F_NEEDS_CSUM         1
#define HDR_F_DATA_VALID         2
#define HDR_GSO_NONE             0

#define RX_QUEUE                 0
#define TX_QUEUE                 1
#define QUEUE_ENTRIES            256
#define BUF_BYTES                2048

struct virtio_net_hdr {
    uint8_t flags;
    uint8_t gso_type;
    uint16_t hdr_len;
    uint16_t gso_size;
    uint16_t csum_start;
    uint16_t csum_offset;
    uint16_t num_buffers;          /* present in every header once VERSION_1 is negotiated */
};
#define HDR_BYTES sizeof(struct virtio_net_hdr)
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr is 12 bytes in virtio 1.x");

struct virtio_net {
    struct net_device nd;
    struct virtio_device *vdev;
    struct virtqueue *rxq, *txq;
    uint8_t *rx_bufs, *tx_bufs;    /* queue size * BUF_BYTES each, direct-mapped */
    uint64_t rx_pa, tx_pa;
    /* Receive buffers the device returned, oldest first: written by the interrupt handler,
     * read by receive() with interrupts masked. Never holds more than the queue size. */
    uint16_t *rx_done_index;
    uint32_t *rx_done_len;
    uint32_t rx_done_head, rx_done_tail;
    bool receiving;                /* receive() is polling the used ring itself */
    uint16_t *tx_free;             /* stack of free transmit slots */
    uint16_t tx_free_count;
    bool tx_unkicked;              /* frames queued that the device was not told about yet */
    uint64_t rx_frames, tx_frames, rx_dropped;
};

/* Cookies must be non-NULL: slot i travels as i + 1. */
static void *slot_cookie(uint16_t i) { return (void *)(uintptr_t)(i + 1); }
static uint16_t cookie_slot(void *c) { return (uint16_t)((uintptr_t)c - 1); }

static void rx_post(struct virtio_net *vn, uint16_t slot)
{
    struct virtq_buffer b = { vn->rx_pa + (uint64_t)slot * BUF_BYTES, BUF_BYTES, true };
    if (!virtqueue_add(vn->rxq, &b, 1, slot_cookie(slot)))
        panic("virtio-net: %s: receive queue full while re-posting a buffer", vn->vdev->name);
}

/* Interrupt context (or receive() polling): remember the buffer; the stack sees it from
 * net_poll. */
static void rx_done(struct virtqueue *vq, void *cookie, uint32_t written)
{
    struct virtio_net *vn = vq->driver;
    uint32_t i = vn->rx_done_head++ & (vn->rxq->size - 1);
    vn->rx_done_index[i] = cookie_slot(cookie);
    vn->rx_done_len[i] = written;
    if (!vn->receiving) {                  /* the interrupt: receive() takes over from here */
        virtqueue_suppress_interrupts(vq);
        net_device_wake(&vn->nd);
    }
}

/* transmit() reclaiming with interrupts masked (or an interrupt the device sent anyway): the
 * slot is free again. */
static void tx_done(struct virtqueue *vq, void *cookie, uint32_t written)
{
    struct virtio_net *vn = vq->driver;
    vn->tx_free[vn->tx_free_count++] = cookie_slot(cookie);
}

/* One's-complement sum over bytes, as the Internet checksum wants (RFC 1071). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

/* A frame with NEEDS_CSUM carries the pseudo-header sum at csum_start + csum_offset; the sum of
 * everything from csum_start, complemented, is the real checksum. Offsets come from the device
 * and are checked against the frame. Returns false for a header that does not fit the frame. */
static bool complete_rx_checksum(const struct virtio_net_hdr *h, uint8_t *frame, uint32_t len)
{
    uint32_t start = h->csum_start, field = (uint32_t)h->csum_start + h->csum_offset;
    if (start >= len || field + 2 > len)
        return false;
    uint16_t sum = (uint16_t)~csum_fold(csum_add(0, frame + start, len - start));
    frame[field] = (uint8_t)(sum >> 8);
    frame[field + 1] = (uint8_t)sum;
    return true;
}

/* Hand one returned buffer to the stack (or drop it) and post it again. */
static void deliver(struct virtio_net *vn, uint16_t slot, uint32_t len)
{
    uint8_t *buf = vn->rx_bufs + (uint64_t)slot * BUF_BYTES;
    const struct virtio_net_hdr *h = (const struct virtio_net_hdr *)buf;
    if (len < HDR_BYTES + 14 || len > BUF_BYTES) {
        vn->rx_dropped++;         /* shorter than an Ethernet header, or longer than we gave */
    } else if ((h->flags & HDR_F_NEEDS_CSUM) && !complete_rx_checksum(h, buf + HDR_BYTES, len - HDR_BYTES)) {
        vn->rx_dropped++;
    } else {
        vn->rx_frames++;
        net_device_input(&vn->nd, buf + HDR_BYTES, len - HDR_BYTES);
    }
    rx_post(vn, slot);
}

/* Every buffer returned so far, including those that came back while earlier ones were in the
 * stack (the used ring is read here with interrupts suppressed); interrupts go back on once the
 * queue is empty. At most one queue's worth per call, so a flood cannot keep the CPU here: past
 * that, interrupts go back on (the next frame raises one) and net_device_wake has the next
 * net_poll go on with what is already there. Runs with interrupts masked. */
static void receive(struct net_device *nd)
{
    struct virtio_net *vn = nd->driver_data;
    uint32_t budget = vn->rxq->size, delivered = 0;
    vn->receiving = true;
    for (;;) {
        virtqueue_process_used(vn->rxq);
        while (vn->rx_done_tail != vn->rx_done_head && delivered < budget) {
            uint32_t i = vn->rx_done_tail++ & (vn->rxq->size - 1);
            deliver(vn, vn->rx_done_index[i], vn->rx_done_len[i]);
            delivered++;
        }
        if (delivered >= budget) {
            virtqueue_enable_interrupts(vn->rxq);
            net_device_wake(nd);
            break;
        }
        if (!virtqueue_enable_interrupts_or_pending(vn->rxq))
            break;
    }
    vn->receiving = false;
    if (delivered)
        virtqueue_kick(vn->rxq);
}

/* For a TCP segment in an IPv4 or IPv6 frame: the offset of the TCP header and the
 * pseudo-header sum to seed the checksum field with, so the device can finish it. Anything
 * else (UDP, ICMP, IP options we do not parse, fragments) returns false and goes out with the
 * checksum the stack computed. */
static bool tcp_partial_checksum(const uint8_t *f, uint32_t len, uint32_t *tcp_off, uint16_t *seed)
{
    if (len < 14)
        return false;
    uint16_t type = (uint16_t)(f[12] << 8 | f[13]);
    uint32_t sum;
    if (type == 0x0800 && len >= 14 + 20) {
        const uint8_t *ip = f + 14;
        uint32_t ihl = (ip[0] & 15) * 4u, total = (uint32_t)(ip[2] << 8 | ip[3]);
        bool fragment = ((ip[6] & 0x3f) | ip[7]) != 0;       /* MF set or an offset */
        if (ip[9] != 6 || ihl < 20 || fragment || total < ihl + 20 || 14 + total > len)
            return false;
        sum = csum_add(0, ip + 12, 8) + 6 + (total - ihl);
        *tcp_off = 14 + ihl;
    } else if (type == 0x86dd && len >= 14 + 40) {
        const uint8_t *ip = f + 14;
        uint32_t payload = (uint32_t)(ip[4] << 8 | ip[5]);
        if (ip[6] != 6 || payload < 20 || 14 + 40 + payload > len)
            return false;                                    /* extension headers: not ours */
        sum = csum_add(0, ip + 8, 32) + 6 + payload;
        *tcp_off = 14 + 40;
    } else {
        return false;
    }
    *seed = csum_fold(sum);
    return true;
}

/* Ring the transmit doorbell once for everything queued since the last flush. */
static void flush(struct net_device *nd)
{
    struct virtio_net *vn = nd->driver_data;
    if (vn->tx_unkicked) {
        vn->tx_unkicked = false;
        virtqueue_kick(vn->txq);
    }
}

/* Copy the frame into a free slot and queue it; completed slots are reclaimed first if none is
 * free. Runs with interrupts masked (the completion handler edits the same queue). */
static bool transmit(struct net_device *nd, const struct net_frame *f)
{
    struct virtio_net *vn = nd->driver_data;
    if (f->len > NETDEV_MAX_FRAME)
        panic("virtio-net: %s: stack sent a %u-byte frame (mtu %u)", vn->vdev->name, f->len, nd->mtu);
    virtqueue_process_used(vn->txq);
    if (vn->tx_free_count == 0) {
        flush(nd);                 /* every slot waits for the device: make sure it knows */
        return false;
    }
    uint16_t slot = vn->tx_free[--vn->tx_free_count];
    uint8_t *buf = vn->tx_bufs + (uint64_t)slot * BUF_BYTES;
    struct virtio_net_hdr *h = (struct virtio_net_hdr *)buf;
    uint8_t *frame = buf + HDR_BYTES;
    memset(h, 0, HDR_BYTES);
    net_frame_copy(f, frame);
    uint32_t tcp_off;
    uint16_t seed;
    if (nd->tx_csum_offload && tcp_partial_checksum(frame, f->len, &tcp_off, &seed)) {
        h->flags = HDR_F_NEEDS_CSUM;
        h->csum_start = (uint16_t)tcp_off;
        h->csum_offset = 16;                                 /* TCP checksum field */
        frame[tcp_off + 16] = (uint8_t)(seed >> 8);
        frame[tcp_off + 17] = (uint8_t)seed;
    }
    struct virtq_buffer b = { vn->tx_pa + (uint64_t)slot * BUF_BYTES, (uint32_t)(HDR_BYTES + f->len), false };
    if (!virtqueue_add(vn->txq, &b, 1, slot_cookie(slot)))
        panic("virtio-net: %s: transmit queue full with a free slot", vn->vdev->name);
    vn->tx_unkicked = true;
    vn->tx_frames++;
    return true;
}

static const struct net_device_ops virtio_net_ops = { transmit, flush, receive };

static void config_changed(struct virtio_device *vdev)
{
    if (virtio_has_feature(vdev, VIRTIO_NET_F_STATUS))
        kprintf("virtio-net: %s: link %s\n", vdev->name,
                virtio_config_read16(vdev, CFG_STATUS) & VIRTIO_NET_S_LINK_UP ? "up" : "down");
}

static void *dma_alloc(struct virtio_device *vdev, uint64_t bytes, uint64_t *pa)
{
    *pa = page_alloc(ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT);
    if (!*pa)
        panic("virtio-net: %s: out of memory for %lu bytes of packet buffers", vdev->name, bytes);
    return phys_to_virt(*pa);
}

/* A device without the MAC feature gets a locally administered address from the random pool,
 * as Linux does. */
static void read_mac(struct virtio_net *vn)
{
    struct virtio_device *vdev = vn->vdev;
    if (virtio_has_feature(vdev, VIRTIO_NET_F_MAC)) {
        for (int i = 0; i < 6; i++)
            vn->nd.mac[i] = virtio_config_read8(vdev, CFG_MAC + i);
    } else {
        random_bytes(vn->nd.mac, 6);
        vn->nd.mac[0] = (uint8_t)((vn->nd.mac[0] & 0xfe) | 0x02);
    }
}

static void probe(struct virtio_device *vdev)
{
    struct virtio_net *vn = kzalloc(sizeof(*vn));
    if (!vn)
        panic("virtio-net: out of memory");
    vn->vdev = vdev;
    vdev->driver_data = vn;
    vdev->config_changed = config_changed;

    virtio_begin_init(vdev);
    virtio_negotiate(vdev, 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS |
                           1ULL << VIRTIO_NET_F_CSUM | 1ULL << VIRTIO_NET_F_GUEST_CSUM);
    read_mac(vn);

    vn->rxq = virtio_setup_queue(vdev, RX_QUEUE, QUEUE_ENTRIES, rx_done);
    vn->txq = virtio_setup_queue(vdev, TX_QUEUE, QUEUE_ENTRIES, tx_done);
    vn->rxq->driver = vn;
    vn->txq->driver = vn;
    virtqueue_suppress_interrupts(vn->txq);
    uint16_t nrx = vn->rxq->size, ntx = vn->txq->size;
    vn->rx_bufs = dma_alloc(vdev, (uint64_t)nrx * BUF_BYTES, &vn->rx_pa);
    vn->tx_bufs = dma_alloc(vdev, (uint64_t)ntx * BUF_BYTES, &vn->tx_pa);
    vn->rx_done_index = kzalloc(nrx * sizeof(uint16_t));
    vn->rx_done_len = kzalloc(nrx * sizeof(uint32_t));
    vn->tx_free = kzalloc(ntx * sizeof(uint16_t));
    if (!vn->rx_done_index || !vn->rx_done_len || !vn->tx_free)
        panic("virtio-net: %s: out of memory", vdev->name);
    for (uint16_t i = 0; i < ntx; i++)
        vn->tx_free[vn->tx_free_count++] = (uint16_t)(ntx - 1 - i);
    for (uint16_t i = 0; i < nrx; i++)
        rx_post(vn, i);
    virtio_driver_ok(vdev);
    virtqueue_kick(vn->rxq);        /* after DRIVER_OK: the device may not look before */

    vn->nd.driver = "virtio-net";
    vn->nd.mtu = 1500;
    vn->nd.tx_csum_offload = virtio_has_feature(vdev, VIRTIO_NET_F_CSUM);
    vn->nd.ops = &virtio_net_ops;
    vn->nd.driver_data = vn;
    const uint8_t *m = vn->nd.mac;
    kinfo("virtio-net: %s mac %02x:%02x:%02x:%02x:%02x:%02x, %u rx buffers, %u tx slots%s%s\n", vdev->name,
          m[0], m[1], m[2], m[3], m[4], m[5], nrx, ntx,
          vn->nd.tx_csum_offload ? ", tx csum offload" : "",
          virtio_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM) ? ", rx csum partial" : "");
    net_device_register(&vn->nd);
}

const struct virtio_driver virtio_net_driver = { "virtio-net", VIRTIO_ID_NET, probe };
