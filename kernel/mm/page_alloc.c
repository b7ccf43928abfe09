/* Physical page allocator: one bit per 4 KiB page over the RAM ranges the device tree gave,
 * with the kernel image, the device tree and the bitmap itself marked in use. First fit from a
 * hint that freeing moves back down, so freed pages are the next ones handed out; contiguous
 * runs on request (DMA rings need them).
 *
 * Reusing warm pages matters more than it looks: the first touch of a guest page costs the host
 * a page fault (and under TCG, QEMU's slow path), measured at ~200 us here. A hint that only
 * moved forward walked every 64 KiB socket buffer through all of RAM, so each request touched
 * fresh pages: 60 % of a web request's kernel time went there. */
#include "kernel.h"
#include "mm.h"
#include "boot.h"
#include "dt.h"
#include <string.h>

static uint8_t *bitmap;      /* via the direct map */
static uint64_t base_pfn;    /* lowest RAM page */
static uint64_t npages;      /* bitmap covers [base_pfn, base_pfn + npages) */
static uint64_t free_pages, total_pages;
static uint64_t hint;

static bool test_bit(uint64_t i) { return bitmap[i / 8] & (1u << (i % 8)); }
static void set_bit(uint64_t i) { bitmap[i / 8] |= (uint8_t)(1u << (i % 8)); }
static void clear_bit(uint64_t i) { bitmap[i / 8] &= (uint8_t)~(1u << (i % 8)); }

/* Mark [first, first + n) free: whole bytes at once (a 1 GiB guest has 262144 pages, and a
 * loop per page is milliseconds of a TCG boot), single bits only at the ends. */
static void clear_range(uint64_t first, uint64_t n)
{
    uint64_t p = first, end = first + n;
    for (; p < end && (p % 8); p++)
        clear_bit(p);
    uint64_t bytes = (end - p) / 8;
    memset(bitmap + p / 8, 0, bytes);
    for (p += bytes * 8; p < end; p++)
        clear_bit(p);
}

bool page_alloc_ready(void) { return bitmap != NULL; }
uint64_t page_free_count(void) { return free_pages; }
uint64_t page_total_count(void) { return total_pages; }

static void mark_used(uint64_t pa, uint64_t size)
{
    uint64_t first = pa >> PAGE_SHIFT, last = (pa + size + PAGE_SIZE - 1) >> PAGE_SHIFT;
    for (uint64_t p = first; p < last; p++) {
        if (p < base_pfn || p - base_pfn >= npages || test_bit(p - base_pfn))
            continue;
        set_bit(p - base_pfn);
        free_pages--;
    }
}

static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
    return a < b + bsize && b < a + asize;
}

void page_alloc_init(void)
{
    uint64_t dt_size = dt_total_size();
    uint64_t lo = ~0UL, hi = 0, bytes, where = 0;

    for (int i = 0; i < boot_info.mem_count; i++) {
        if (boot_info.mem[i].base < lo) lo = boot_info.mem[i].base;
        if (boot_info.mem[i].base + boot_info.mem[i].size > hi) hi = boot_info.mem[i].base + boot_info.mem[i].size;
    }
    base_pfn = lo >> PAGE_SHIFT;
    npages = (hi - lo) >> PAGE_SHIFT;
    bytes = ALIGN_UP((npages + 7) / 8, PAGE_SIZE);

    /* Put the bitmap in the first stretch of RAM that is neither the kernel nor the device tree. */
    for (int i = 0; i < boot_info.mem_count && !where; i++) {
        uint64_t cand = boot_info.mem[i].base, end = cand + boot_info.mem[i].size;
        for (int tries = 0; tries < 3 && cand + bytes <= end; tries++) {
            if (overlaps(cand, bytes, boot_info.load_pa, boot_info.image_size)) {
                cand = ALIGN_UP(boot_info.load_pa + boot_info.image_size, PAGE_SIZE);
                continue;
            }
            if (overlaps(cand, bytes, boot_info.dtb_pa, dt_size)) {
                cand = ALIGN_UP(boot_info.dtb_pa + dt_size, PAGE_SIZE);
                continue;
            }
            where = cand;
            break;
        }
    }
    if (!where)
        panic("mem: no room for the page bitmap (%lu bytes)", bytes);

    bitmap = phys_to_virt(where);
    memset(bitmap, 0xff, bytes);       /* holes between ranges stay "used" */
    for (int i = 0; i < boot_info.mem_count; i++) {
        uint64_t first = (boot_info.mem[i].base >> PAGE_SHIFT) - base_pfn;
        uint64_t n = boot_info.mem[i].size >> PAGE_SHIFT;
        clear_range(first, n);
        free_pages += n;
        total_pages += n;
    }
    mark_used(where, bytes);
    mark_used(boot_info.load_pa, boot_info.image_size);
    mark_used(boot_info.dtb_pa, dt_size);
    dt_for_each_reserved(mark_used);
}

static uint64_t (*shrinker)(uint64_t want);

void page_alloc_set_shrinker(uint64_t (*shrink)(uint64_t want)) { shrinker = shrink; }

static uint64_t first_fit(uint64_t n)
{
    if (n > free_pages)
        return 0;
    for (int pass = 0; pass < 2; pass++) {
        uint64_t start = pass == 0 ? hint : 0, end = pass == 0 ? npages : hint;
        uint64_t run = 0;
        for (uint64_t i = start; i < end; i++) {
            if (test_bit(i)) {
                run = 0;
                continue;
            }
            if (++run == n) {
                uint64_t first = i + 1 - n;
                for (uint64_t p = first; p <= i; p++)
                    set_bit(p);
                free_pages -= n;
                hint = i + 1 < npages ? i + 1 : 0;
                return (base_pfn + first) << PAGE_SHIFT;
            }
        }
    }
    return 0;
}

/* Pages the cache holds alone are free memory in waiting: an allocation that finds no room asks
 * for them back, as often as the cache gives some (a contiguous run may need several rounds),
 * before it fails. The shrinker frees through page_free, which keeps no state across calls. */
uint64_t page_alloc(uint64_t n)
{
    if (n == 0)
        return 0;
    uint64_t pa = first_fit(n);
    while (!pa && shrinker && shrinker(n))
        pa = first_fit(n);
    return pa;
}

uint64_t page_alloc_free_only(uint64_t n) { return n ? first_fit(n) : 0; }

void page_free(uint64_t pa, uint64_t n)
{
    uint64_t first = (pa >> PAGE_SHIFT) - base_pfn;
    if ((pa & (PAGE_SIZE - 1)) || (pa >> PAGE_SHIFT) < base_pfn || first + n > npages)
        panic("page_free: %#lx (+%lu pages) is not RAM we manage", pa, n);
    for (uint64_t p = first; p < first + n; p++) {
        if (!test_bit(p))
            panic("page_free: page %#lx freed twice", (base_pfn + p) << PAGE_SHIFT);
        clear_bit(p);
    }
    free_pages += n;
    if (first < hint)
        hint = first;
}

bool page_index(uint64_t pa, uint64_t *index)
{
    uint64_t pfn = pa >> PAGE_SHIFT;
    if (pfn < base_pfn || pfn - base_pfn >= npages)
        return false;
    *index = pfn - base_pfn;
    return true;
}

uint64_t page_span(void) { return npages; }
