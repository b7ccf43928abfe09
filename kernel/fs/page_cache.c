/* The page cache for unchanged file bytes (see page_cache.h). Each caching vnode holds an array
 * of physical pages indexed by file page (0: not cached) and sits on one list, which memory
 * pressure walks: a page only the cache owns is freed, one a mapping shares stays (freeing the
 * cache's ownership would free nothing). No LRU: pressure is rare under a unikernel's fixed RAM,
 * and a page dropped is one disk request away. Runs under the kernel lock like the rest of fs/. */
#include "kernel.h"
#include "vnode.h"
#include "page_cache.h"
#include "tfs.h"
#include "volume.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

/* One read fills at most this many missing pages (fault-around asks for 16, a read() for what
 * it covers): bounded so a huge read does not need a huge contiguous run. */
#define FILL_MAX_PAGES 64
/* Read-ahead: a miss reads on past what was asked for, over the missing pages after it, up to
 * this many (1 MiB), and a file this small or smaller is read whole at its first miss. Under TCG
 * a virtio-blk request costs 150-800 us whatever its size up to a MiB or more, and ld.so touches
 * libc's text all over (17 separate 64 KiB windows of its 1.6 MiB for a hello world): one request
 * instead of seventeen. Read-ahead takes only memory that is free without reclaim (a smaller
 * run otherwise, down to what was asked for), and what nobody maps is given back under
 * pressure as any cached page. */
#define READAHEAD_PAGES 256
#define WHOLE_FILE_PAGES 512

static struct vnode *caching;          /* every vnode with cached pages (or a slot array) */
static uint64_t cached_pages;

static bool cacheable(const struct vnode *v)
{
    return v->type == VNODE_FILE && !v->in_memory && v->lower && !v->kfile;
}

static int ensure_slots(struct vnode *v)
{
    if (v->cached)
        return 0;
    uint64_t slots = ALIGN_UP(v->size, PAGE_SIZE) >> PAGE_SHIFT;
    v->cached = kzalloc(slots * sizeof(uint64_t));
    if (!v->cached)
        return -ENOMEM;
    v->cached_slots = slots;
    v->cache_next = caching;
    v->cache_prev = NULL;
    if (caching)
        caching->cache_prev = v;
    caching = v;
    return 0;
}

/* Read the missing pages [index, index + n) into one contiguous run (one request). Read-ahead
 * (`ahead`) takes only a run free without reclaim, and fails rather than shrink; a needed fill
 * takes one page when no run that long is free. Pages past the end of the file read as zeros. */
static int fill(struct vnode *v, uint64_t index, uint64_t n, bool ahead)
{
    uint64_t pa = ahead ? page_alloc_free_only(n) : page_alloc(n);
    if (!pa && ahead)
        return -ENOMEM;
    if (!pa && n > 1) {
        n = 1;
        pa = page_alloc(1);
    }
    if (!pa)
        return -ENOMEM;
    uint64_t off = index << PAGE_SHIFT, bytes = n << PAGE_SHIFT;
    int64_t got = tfs_file_read(vnode_lower_fs(v), v->lower, off, phys_to_virt(pa), bytes);
    if (got < 0) {
        page_free(pa, n);
        return -EIO;
    }
    memset((char *)phys_to_virt(pa) + got, 0, bytes - (uint64_t)got);
    for (uint64_t i = 0; i < n; i++)
        v->cached[index + i] = pa + (i << PAGE_SHIFT);
    cached_pages += n;
    return 0;
}

int64_t page_cache_get(struct vnode *v, uint64_t index, uint64_t n, uint64_t *pas, enum page_cache_use use)
{
    if (!cacheable(v) || !page_ref_ready())   /* the counts made now: later gets allocate nothing */
        return 0;
    int err = ensure_slots(v);
    if (err)
        return err;
    if (index >= v->cached_slots)
        return 0;
    if (n > v->cached_slots - index)
        n = v->cached_slots - index;
    if (!v->cached[index] && use == PAGE_CACHE_COPY && !v->copied_before) {
        v->copied_before = true;       /* see page_cache.h: the next copying miss fills */
        return 0;
    }
    if (!v->cached[index]) {
        uint64_t run = 1;
        while (run < n && run < FILL_MAX_PAGES && !v->cached[index + run])
            run++;
        uint64_t first = index, ahead = run;
        if (!v->filled_once && v->cached_slots <= WHOLE_FILE_PAGES) {
            first = 0;                 /* nothing cached yet: the whole file is one missing run */
            ahead = v->cached_slots;
        } else {
            while (ahead < READAHEAD_PAGES && index + ahead < v->cached_slots && !v->cached[index + ahead])
                ahead++;
        }
        v->filled_once = true;
        err = ahead > run || first < index ? fill(v, first, ahead, true) : -ENOMEM;
        if (err == -ENOMEM)
            err = fill(v, index, run, false);
        if (err)
            return err;
    }
    /* No allocation from here on, so no reclaim can take a page before its ownership is given. */
    uint64_t got = 0;
    while (got < n && v->cached[index + got]) {
        if (!page_ref_get(v->cached[index + got]))
            break;
        pas[got] = v->cached[index + got];
        got++;
    }
    return (int64_t)got;
}

static void unlink_caching(struct vnode *v)
{
    if (v->cache_prev)
        v->cache_prev->cache_next = v->cache_next;
    else
        caching = v->cache_next;
    if (v->cache_next)
        v->cache_next->cache_prev = v->cache_prev;
    v->cache_next = v->cache_prev = NULL;
}

uint64_t page_cache_take(struct vnode *v, uint64_t index)
{
    if (!v->cached || index >= v->cached_slots || !v->cached[index])
        return 0;
    uint64_t pa = v->cached[index];
    v->cached[index] = 0;
    cached_pages--;
    return pa;
}

void page_cache_drop(struct vnode *v)
{
    if (!v->cached)
        return;
    for (uint64_t i = 0; i < v->cached_slots; i++)
        if (v->cached[i]) {
            page_ref_put(v->cached[i]);
            cached_pages--;
        }
    unlink_caching(v);
    kfree(v->cached);
    v->cached = NULL;
    v->cached_slots = 0;
}

/* The allocator's shrinker: free pages only the cache owns until `want` are free again. */
static uint64_t reclaim(uint64_t want)
{
    uint64_t freed = 0;
    for (struct vnode *v = caching; v && freed < want; v = v->cache_next)
        for (uint64_t i = 0; i < v->cached_slots && freed < want; i++)
            if (v->cached[i] && !page_ref_shared(v->cached[i])) {
                page_ref_put(v->cached[i]);   /* the last owner: freed */
                v->cached[i] = 0;
                cached_pages--;
                freed++;
            }
    return freed;
}

uint64_t page_cache_pages(void) { return cached_pages; }

uint64_t page_cache_reclaimable(void)
{
    uint64_t n = 0;
    for (struct vnode *v = caching; v; v = v->cache_next)
        for (uint64_t i = 0; i < v->cached_slots; i++)
            n += v->cached[i] && !page_ref_shared(v->cached[i]);
    return n;
}

void page_cache_init(void) { page_alloc_set_shrinker(reclaim); }

bool page_cache_resident(const struct vnode *v, uint64_t index)
{
    if (v->in_memory)
        return index < v->page_slots && v->pages[index];
    return v->cached && index < v->cached_slots && v->cached[index];
}
