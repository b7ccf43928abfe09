/* The page cache (fs/page_cache.c): pages of files whose bytes are still the read-only lower
 * layer's (the image, or a volume's committed tree, until the first change copies the file up),
 * kept per vnode so a second exec, mmap or read of the same bytes costs no disk request.
 *
 * Ownership is mm/page_ref.c's: the cache is one owner of each page it holds, every private
 * mapping of it another, so a mapped cached page reads as shared and the first write copies it
 * (vm_break_cow), exactly as after a fork. The copy-up hands the cache's pages to the file
 * (page_cache_take), so the mappings go on sharing them with the file as it changes; dropping a
 * page (memory pressure, the vnode freed) only gives up the cache's ownership. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vnode;

/* How the caller uses the pages: maps them as they are (until a store copies them), or copies
 * them (read()). A copy through the cache costs a second page, and under TCG the first touch of
 * a guest page is a host fault (~200 us), so a program run once should not pay for it: the
 * first copying miss on a file reads nothing into the cache (0, the caller reads its own copy),
 * later ones fill it (the program runs again). */
enum page_cache_use { PAGE_CACHE_MAP, PAGE_CACHE_COPY, PAGE_CACHE_COPY_PART };
/* PAGE_CACHE_COPY_PART: a copy of part of a file that ends before the file does (ld.so and exec
 * reading an ELF header, then mapping the file): the miss fills as a mapping's does, so the
 * mapping that follows finds the file cached instead of making a request of its own. */

/* Up to n consecutive cached pages of v from page `index` on, reading the missing ones from the
 * lower layer in one request. Each page in pas[] comes with an ownership the caller holds (map it,
 * or let go with page_ref_put). Returns how many (>= 1), 0 when v's bytes are not the lower
 * layer's (changed, or not a file of it: the caller reads the file instead) or no memory for
 * the ownership counts, or a negative errno (-EIO, -ENOMEM). */
int64_t page_cache_get(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, enum page_cache_use use);
/* Is page `index` of file v in memory: its own page (a changed file's) or the cache's? What
 * mincore reports for a file mapping's page no page table maps yet, as Linux's page-cache
 * lookup does. */
bool page_cache_resident(const struct vnode *v, uint64_t index);
/* The copy-up takes page `index` over as the file's own (0: not cached): the cache's ownership
 * passes to the file, so every mapping that shares the page keeps seeing the file's bytes, as
 * Linux's page cache page is the file's whatever changes it. */
uint64_t page_cache_take(struct vnode *v, uint64_t index);
/* v's bytes stop being the lower layer's (copy-up) or v goes away: its cached pages are let go. */
void page_cache_drop(struct vnode *v);
/* Pages the cache holds, and how many of them only the cache owns (freed under pressure). */
uint64_t page_cache_pages(void);
uint64_t page_cache_reclaimable(void);
/* Give the page allocator pages back before it fails (registered at boot). */
void page_cache_init(void);
