/* Reference counts of user pages shared copy-on-write between address spaces (fork). The
 * count kept is of owners beyond the first, so every page that was never shared reads 0 and
 * the table is only made at the first fork: one 16-bit count per page (512 KiB per GiB), from
 * the allocator itself. A page past 65535 extra owners cannot be: the fork limit is far lower. */
#include "kernel.h"
#include "mm.h"
#include <string.h>

static uint16_t *extra;

static bool ready(void)
{
    if (extra)
        return true;
    uint64_t bytes = page_span() * sizeof(*extra), pages = ALIGN_UP(bytes, PAGE_SIZE) >> PAGE_SHIFT;
    uint64_t pa = page_alloc(pages);
    if (!pa)
        return false;
    extra = phys_to_virt(pa);
    memset(extra, 0, pages << PAGE_SHIFT);
    return true;
}

bool page_ref_ready(void) { return ready(); }

bool page_ref_get(uint64_t pa)
{
    uint64_t i;
    if (!ready() || !page_index(pa, &i) || extra[i] == UINT16_MAX)
        return false;
    extra[i]++;
    return true;
}

bool page_ref_shared(uint64_t pa)
{
    uint64_t i;
    return extra && page_index(pa, &i) && extra[i];
}

unsigned page_ref_owners(uint64_t pa)
{
    uint64_t i;
    return extra && page_index(pa, &i) ? 1U + extra[i] : 1U;
}

void page_ref_put(uint64_t pa)
{
    uint64_t i;
    if (extra && page_index(pa, &i) && extra[i]) {
        extra[i]--;
        return;
    }
    page_free(pa, 1);
}
