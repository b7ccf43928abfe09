/* Split virtqueues (virtio 1.x section 2.7). The descriptor table, available ring and used ring
 * sit in one physically contiguous block from page_alloc; the device gets physical addresses
 * (no IOMMU). Free descriptors are chained through their `next` fields. Requests carry a cookie
 * that comes back through the queue's done callback when the device hands the chain back. */
#include "kernel.h"
#include "virtio.h"
#include "barrier.h"
#include "mm.h"
#include <string.h>

/* Sizes per section 2.7: descriptor table 16 bytes per entry (16-aligned), available ring
 * 6 + 2 * size (2-aligned), used ring 6 + 8 * size (4-aligned). */
struct virtqueue *virtqueue_create(uint16_t index, uint16_t size, virtqueue_done_t done)
{
    if (size == 0 || (size & (size - 1)) || size > VIRTQ_MAX_SIZE)
        panic("virtqueue: queue %u: size %u is not a power of two up to %u", index, size, VIRTQ_MAX_SIZE);
    uint64_t desc_bytes = 16UL * size;
    uint64_t avail_off = desc_bytes;
    uint64_t used_off = ALIGN_UP(avail_off + 6 + 2UL * size, 4);
    uint64_t total = used_off + 6 + 8UL * size;
    uint64_t pages = ALIGN_UP(total, PAGE_SIZE) >> PAGE_SHIFT;

    struct virtqueue *vq = kzalloc(sizeof(*vq));
    void **cookies = kzalloc(sizeof(void *) * size);
    uint64_t pa = page_alloc(pages);
    if (!vq || !cookies || !pa)
        panic("virtqueue: queue %u: out of memory for %u entries", index, size);
    uint8_t *base = phys_to_virt(pa);
    memset(base, 0, pages * PAGE_SIZE);

    vq->index = index;
    vq->size = size;
    vq->ring_pa = pa;
    vq->ring_pages = pages;
    vq->desc_pa = pa;
    vq->avail_pa = pa + avail_off;
    vq->used_pa = pa + used_off;
    vq->desc = (volatile struct virtq_desc *)base;
    vq->avail = (volatile struct virtq_avail *)(base + avail_off);
    vq->used = (volatile struct virtq_used *)(base + used_off);
    vq->cookies = cookies;
    vq->done = done;
    for (uint16_t i = 0; i < size; i++)
        vq->desc[i].next = (uint16_t)(i + 1);   /* the last one's next is never followed */
    vq->free_head = 0;
    vq->num_free = size;
    return vq;
}

/* Takes n descriptors off the free chain, fills them in order and links them, then publishes the
 * head in the available ring. The index store comes after a write barrier so the device never
 * sees the new index before the descriptors it covers. Called with the queue's interrupt unable
 * to run on this CPU in between (the caller masks, or nothing else touches the queue). */
bool virtqueue_add(struct virtqueue *vq, const struct virtq_buffer *bufs, int n, void *cookie)
{
    if (n <= 0 || n > vq->num_free)
        return false;
    if (!cookie)
        panic("virtqueue: queue %u: a request needs a non-NULL cookie", vq->index);
    uint16_t head = vq->free_head, i = head, prev = head;
    for (int k = 0; k < n; k++) {
        volatile struct virtq_desc *d = &vq->desc[i];
        d->addr = bufs[k].addr;
        d->len = bufs[k].len;
        d->flags = (uint16_t)((bufs[k].device_writes ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        prev = i;
        i = d->next;
    }
    vq->free_head = vq->desc[prev].next;
    vq->num_free -= n;
    vq->cookies[head] = cookie;
    vq->avail->ring[vq->avail_idx & (vq->size - 1)] = head;
    dma_wmb();
    vq->avail_idx++;
    vq->avail->idx = vq->avail_idx;
    return true;
}

/* The available index must be visible before we read the device's "don't notify me" flag, and
 * before the doorbell write reaches the device. */
void virtqueue_kick(struct virtqueue *vq)
{
    dma_mb();
    if (vq->used->flags & VIRTQ_USED_F_NO_NOTIFY)
        return;
    io_wmb();
    vq->notify(vq);
}

void virtqueue_suppress_interrupts(struct virtqueue *vq)
{
    vq->avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
    dma_mb();
}

void virtqueue_enable_interrupts(struct virtqueue *vq)
{
    vq->avail->flags = 0;
}

/* The flag store must be visible before we read the used index: a buffer the device returned
 * after our read then finds the flag clear and interrupts. */
bool virtqueue_enable_interrupts_or_pending(struct virtqueue *vq)
{
    virtqueue_enable_interrupts(vq);
    dma_mb();
    return vq->used->idx != vq->last_used;
}

/* Return a finished chain to the free list; the chain's shape is our own (we built it), but the
 * head id came from the device and was checked by the caller. */
static void free_chain(struct virtqueue *vq, uint16_t head)
{
    uint16_t i = head, n = 1;
    while (vq->desc[i].flags & VIRTQ_DESC_F_NEXT) {
        i = vq->desc[i].next;
        n++;
    }
    vq->desc[i].next = vq->free_head;
    vq->free_head = head;
    vq->num_free += n;
}

/* Everything between our last_used and the device's used->idx is finished. The device is checked
 * at this boundary: an id that is not the head of a chain in flight, or an index that jumps by
 * more than the queue holds, means it is broken, and we stop rather than corrupt memory. */
void virtqueue_process_used(struct virtqueue *vq)
{
    uint16_t used_idx = vq->used->idx;
    dma_rmb();
    if ((uint16_t)(used_idx - vq->last_used) > vq->size)
        panic("virtqueue: queue %u: device moved the used index from %u to %u (queue size %u)",
              vq->index, vq->last_used, used_idx, vq->size);
    while (vq->last_used != used_idx) {
        volatile struct virtq_used_elem *e = &vq->used->ring[vq->last_used & (vq->size - 1)];
        uint32_t id = e->id, len = e->len;
        if (id >= vq->size || !vq->cookies[id])
            panic("virtqueue: queue %u: device returned descriptor %u, which is not a request in flight", vq->index, id);
        void *cookie = vq->cookies[id];
        vq->cookies[id] = NULL;
        free_chain(vq, (uint16_t)id);
        vq->last_used++;
        vq->done(vq, cookie, len);
    }
}
