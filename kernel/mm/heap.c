/* The kernel heap. Small requests come from power-of-two size classes (16 B .. 2 KiB) carved out
 * of whole pages; larger ones get their own run of pages. Every block carries a 16-byte header
 * saying which kind it is, so kfree needs no size. */
#include "kernel.h"
#include "mm.h"
#include <string.h>

#define MIN_SHIFT 4
#define MAX_SHIFT 11
#define HEADER    16
#define MAGIC_SMALL 0x534d414c4cUL
#define MAGIC_LARGE 0x4c41524745UL

struct header {
    uint64_t magic;
    uint64_t info;      /* small: size-class shift; large: page count */
};

struct free_block {
    struct free_block *next;
};

static struct free_block *free_lists[MAX_SHIFT + 1];
static uint64_t bytes_in_use, blocks_in_use;   /* what callers hold (block sizes, headers included) */

void heap_stats(uint64_t *bytes, uint64_t *blocks)
{
    *bytes = bytes_in_use;
    *blocks = blocks_in_use;
}

/* The smallest class that holds total (> 0) bytes: the bit length of total - 1, at least
 * MIN_SHIFT. Counted with clz rather than a loop, a translated block a turn under TCG. */
static int class_for(size_t total)
{
    int shift = total <= (1UL << MIN_SHIFT) ? MIN_SHIFT : 64 - __builtin_clzl(total - 1);
    return shift;
}

static bool refill(int shift)
{
    uint64_t pa = page_alloc(1);
    if (!pa)
        return false;
    char *page = phys_to_virt(pa);
    for (size_t off = 0; off + (1UL << shift) <= PAGE_SIZE; off += 1UL << shift) {
        struct free_block *b = (struct free_block *)(page + off);
        b->next = free_lists[shift];
        free_lists[shift] = b;
    }
    return true;
}

void *kmalloc(size_t size)
{
    size_t total = size + HEADER;
    struct header *h;
    if (size == 0 || total < size)
        return NULL;
    if (total <= (1UL << MAX_SHIFT)) {
        int shift = class_for(total);
        if (!free_lists[shift] && !refill(shift))
            return NULL;
        h = (struct header *)free_lists[shift];
        free_lists[shift] = free_lists[shift]->next;
        h->magic = MAGIC_SMALL;
        h->info = shift;
        bytes_in_use += 1UL << shift;
    } else {
        uint64_t pages = ALIGN_UP(total, PAGE_SIZE) >> PAGE_SHIFT;
        uint64_t pa = page_alloc(pages);
        if (!pa)
            return NULL;
        h = phys_to_virt(pa);
        h->magic = MAGIC_LARGE;
        h->info = pages;
        bytes_in_use += pages * PAGE_SIZE;
    }
    blocks_in_use++;
    return (char *)h + HEADER;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (!p)
        return;
    struct header *h = (struct header *)((char *)p - HEADER);
    if (h->magic == MAGIC_SMALL && h->info >= MIN_SHIFT && h->info <= MAX_SHIFT) {
        int shift = h->info;
        h->magic = 0;
        bytes_in_use -= 1UL << shift;
        blocks_in_use--;
        struct free_block *b = (struct free_block *)h;
        b->next = free_lists[shift];
        free_lists[shift] = b;
    } else if (h->magic == MAGIC_LARGE) {
        h->magic = 0;
        bytes_in_use -= h->info * PAGE_SIZE;
        blocks_in_use--;
        page_free(virt_to_phys(h), h->info);
    } else {
        panic("kfree: %p is not a heap block (double free or corruption)", p);
    }
}
