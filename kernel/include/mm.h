/* Physical pages and the kernel heap. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "memlayout.h"

void page_alloc_init(void);
bool page_alloc_ready(void);
/* n physically contiguous pages; returns the physical address, 0 when none are free. */
uint64_t page_alloc(uint64_t n);
/* The same from free pages only, never asking the page cache for its pages back: for memory
 * that is an optimisation (read-ahead), which must not evict what is cached for it. */
uint64_t page_alloc_free_only(uint64_t n);
void page_free(uint64_t pa, uint64_t n);
uint64_t page_free_count(void);
/* The page's position among the pages the allocator manages (false: not RAM it manages), and
 * how many positions there are. */
bool page_index(uint64_t pa, uint64_t *index);
uint64_t page_span(void);
/* Pages several address spaces map after a fork (mm/page_ref.c): a count of the extra owners
 * beside the first, so a page nobody shares needs nothing. page_ref_get fails (false) only when
 * the counts cannot be kept (out of memory for them). page_ref_put frees the page with its last
 * owner. */
bool page_ref_get(uint64_t pa);
void page_ref_put(uint64_t pa);
bool page_ref_shared(uint64_t pa);
/* The page's owners: 1 plus the extra ones (smaps's mapcount; a file's page is first the file's own). */
unsigned page_ref_owners(uint64_t pa);
/* The counts exist (made on first use; false: no memory for them). */
bool page_ref_ready(void);
/* What the allocator calls before it fails: give back up to `want` pages, return how many
 * (the page cache, fs/page_cache.c). */
void page_alloc_set_shrinker(uint64_t (*shrink)(uint64_t want));
uint64_t page_total_count(void);

void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Heap bytes and blocks currently allocated (for leak checks). */
void heap_stats(uint64_t *bytes, uint64_t *blocks);

/* Map device registers; returns a kernel virtual address (panics when out of page-table memory). */
void *ioremap(uint64_t pa, uint64_t size);
