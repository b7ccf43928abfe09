/* User page tables. Entries are non-global (nG) so a later per-process ASID keeps TLB entries
 * apart; the kernel never executes user pages (PXN always). Walks skip absent tables, so
 * unmapping a 64 GiB reservation costs what is actually mapped, not what was reserved. */
#include "kernel.h"
#include "uvm.h"
#include "pagetable.h"
#include "mm.h"
#include "linux_abi.h"
#include "errno.h"
#include "cache.h"

#define USER_ASID 1UL

static uint64_t *table(uint64_t pa) { return phys_to_virt(pa); }

static uint64_t pte_for(uint64_t pa, int prot)
{
    uint64_t pte = pa | PTE_AF | PTE_SH_INNER | PTE_ATTR(MT_NORMAL) | PTE_NG | PTE_PXN | PTE_PAGE;
    pte |= (prot & PROT_WRITE) ? PTE_AP_RW_ALL : PTE_AP_RO_ALL;
    if (!(prot & PROT_EXEC))
        pte |= PTE_UXN;
    return pte;
}

static int prot_of(uint64_t pte)
{
    int prot = PROT_READ;
    if ((pte & (3UL << 6)) == PTE_AP_RW_ALL)
        prot |= PROT_WRITE;
    if (!(pte & PTE_UXN))
        prot |= PROT_EXEC;
    return prot;
}

/* Every CPU's TLB (the IS forms broadcast to the inner-shareable domain): a thread of the
 * process may be running on any of them. One ASID-wide invalidation, not one per page: under
 * MTTCG every broadcast TLBI is a synchronised flush that takes the vCPU out of its loop, so
 * per-page invalidation of a few pages (tried for brk's shrink) halved websrv's ab -c 32. */
static void tlb_flush(void)
{
    __asm__ volatile("dsb ishst\n tlbi aside1is, %0\n dsb ish\n isb" : : "r"(USER_ASID << 48) : "memory");
}

uint64_t uvm_create(void)
{
    return pt_alloc_table();
}

/* The L3 entry for va, creating tables on the way when create is set. */
static uint64_t *walk(uint64_t root, uint64_t va, bool create)
{
    uint64_t *t = table(root);
    for (int level = 0; level < 3; level++) {
        uint64_t *e = &t[(va >> (39 - 9 * level)) & 511];
        if (!(*e & PTE_VALID)) {
            if (!create)
                return NULL;
            uint64_t pa = pt_alloc_table();
            if (!pa)
                return NULL;
            /* Another CPU's table walker may follow the entry the moment it is stored: the
             * zeroed table must be visible first. */
            dsb(ishst);
            *e = pa | PTE_TABLE;
        }
        t = table(*e & PTE_ADDR_MASK);
    }
    return &t[(va >> PAGE_SHIFT) & 511];
}

int uvm_map_page(uint64_t root, uint64_t va, uint64_t pa, int prot)
{
    uint64_t *e = walk(root, va, true);
    if (!e)
        return -ENOMEM;
    bool replacing = *e & PTE_VALID;
    if (prot & PROT_EXEC)
        cache_sync_for_exec(phys_to_virt(pa), PAGE_SIZE);   /* the kernel just wrote it, or may have */
    *e = pte_for(pa, prot);
    if (replacing)
        tlb_flush();
    else
        dsb(ishst);
    return 0;
}

uint64_t uvm_lookup(uint64_t root, uint64_t va, int *prot)
{
    uint64_t *e = walk(root, va, false);
    if (!e || !(*e & PTE_VALID))
        return 0;
    if (prot)
        *prot = prot_of(*e);
    return *e & PTE_ADDR_MASK;
}

/* The entries of a table at `base` (each `1 << shift` bytes) that overlap [start, end): only
 * those are looked at, not all 512 of every table on the way (an mprotect of one page walked
 * 2,048 entries). */
static void entry_range(uint64_t base, int shift, uint64_t start, uint64_t end, unsigned *first, unsigned *last)
{
    uint64_t lo = start > base ? (start - base) >> shift : 0;
    uint64_t hi = end > base ? ((end - base - 1) >> shift) + 1 : 0;
    *first = lo < 512 ? (unsigned)lo : 512;
    *last = hi < 512 ? (unsigned)hi : 512;
}

/* Visit present L3 entries in [start, end) under table t at `level`. */
static void visit(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end,
                  void (*fn)(uint64_t *pte, void *arg), void *arg)
{
    int shift = 39 - 9 * level;
    uint64_t span = 1UL << shift;
    unsigned first, last;
    entry_range(base, shift, start, end, &first, &last);
    for (unsigned i = first; i < last; i++) {
        uint64_t lo = base + i * span, hi = lo + span;
        if (hi <= start || lo >= end || !(t[i] & PTE_VALID))
            continue;
        if (level == 3)
            fn(&t[i], arg);
        else
            visit(table(t[i] & PTE_ADDR_MASK), level + 1, lo, start, end, fn, arg);
    }
}

struct unmap_arg {
    void (*free_page)(uint64_t pa);
    uint64_t count;
};

static void unmap_one(uint64_t *pte, void *arg)
{
    struct unmap_arg *a = arg;
    uint64_t pa = *pte & PTE_ADDR_MASK;
    *pte = 0;
    a->count++;
    if (a->free_page)
        a->free_page(pa);
}

/* The pages are freed before the TLB maintenance, while a thread on another CPU may still
 * reach them through a stale entry: that is safe because the allocator keeps its state in a
 * bitmap (never in a free page) and nothing can allocate them before the broadcast TLBI and
 * DSB ISH below complete, all under the same hold of the kernel lock. */
uint64_t uvm_unmap(uint64_t root, uint64_t start, uint64_t end, void (*free_page)(uint64_t pa))
{
    struct unmap_arg a = { free_page, 0 };
    visit(table(root), 0, 0, start, end, unmap_one, &a);
    tlb_flush();
    return a.count;
}

/* fork: the child's tree gets every present page of [start, end). A copy-on-write page loses
 * its write permission in both trees (the first write copies it, vm_fault) and gains an owner;
 * a shared anonymous page gains an owner only; a page someone else owns (a MAP_SHARED file's,
 * the kernel's) is mapped as it is. */
struct copy_arg {
    uint64_t dst_root;
    enum uvm_copy_mode mode;
    int err;
    uint64_t va;                       /* of the entry visited: kept by copy_one */
    uint64_t copied;
};

static void copy_one(uint64_t *pte, void *arg)
{
    struct copy_arg *a = arg;
    uint64_t pa = *pte & PTE_ADDR_MASK;
    if (a->err)
        return;
    if (a->mode != UVM_COPY_SHARED && !page_ref_get(pa)) {
        a->err = -ENOMEM;
        return;
    }
    if (a->mode == UVM_COPY_COW && (*pte & (3UL << 6)) == PTE_AP_RW_ALL)
        *pte = (*pte & ~(3UL << 6)) | PTE_AP_RO_ALL;
    uint64_t *e = walk(a->dst_root, a->va, true);
    if (!e) {
        a->err = -ENOMEM;
        if (a->mode != UVM_COPY_SHARED)
            page_ref_put(pa);
        return;
    }
    *e = *pte;
    a->copied++;
}

/* visit() with the virtual address of each entry, which copy_one needs. */
static void visit_va(uint64_t *t, int level, uint64_t base, uint64_t start, uint64_t end, struct copy_arg *a)
{
    int shift = 39 - 9 * level;
    uint64_t span = 1UL << shift;
    unsigned first, last;
    entry_range(base, shift, start, end, &first, &last);
    for (unsigned i = first; i < last && !a->err; i++) {
        uint64_t lo = base + i * span, hi = lo + span;
        if (hi <= start || lo >= end || !(t[i] & PTE_VALID))
            continue;
        if (level == 3) {
            a->va = lo;
            copy_one(&t[i], a);
        } else {
            visit_va(table(t[i] & PTE_ADDR_MASK), level + 1, lo, start, end, a);
        }
    }
}

int uvm_copy(uint64_t src_root, uint64_t dst_root, uint64_t start, uint64_t end, enum uvm_copy_mode mode,
             uint64_t *copied)
{
    struct copy_arg a = { dst_root, mode, 0, 0, 0 };
    visit_va(table(src_root), 0, 0, start, end, &a);
    *copied += a.copied;
    tlb_flush();
    dsb(ishst);
    return a.err;
}

static void free_tables(uint64_t pa, int level)
{
    uint64_t *t = table(pa);
    if (level < 3)
        for (unsigned i = 0; i < 512; i++)
            if (t[i] & PTE_VALID)
                free_tables(t[i] & PTE_ADDR_MASK, level + 1);
    pt_free_table(pa);
}

void uvm_destroy(uint64_t root)
{
    free_tables(root, 0);
}

void uvm_deactivate(void)
{
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) | TCR_EPD0);
    isb();
    tlb_flush();
}

/* A page becoming executable may hold code the program wrote through its data mapping (a JIT's
 * write-then-mprotect): it is synced as a new executable page would be. Pages that were already
 * executable keep their last sync; code written into them since is the program's to sync
 * (__clear_cache, DC CVAU / IC IVAU from EL0), as on Linux. */
static void protect_one(uint64_t *pte, void *arg)
{
    int prot = (int)(uintptr_t)arg;
    uint64_t pa = *pte & PTE_ADDR_MASK;
    if ((prot & PROT_EXEC) && !(prot_of(*pte) & PROT_EXEC))
        cache_sync_for_exec(phys_to_virt(pa), PAGE_SIZE);
    if (page_ref_shared(pa))           /* still copy-on-write: the first write copies it */
        prot &= ~PROT_WRITE;
    *pte = pte_for(pa, prot);
}

void uvm_protect(uint64_t root, uint64_t start, uint64_t end, int prot)
{
    visit(table(root), 0, 0, start, end, protect_one, (void *)(uintptr_t)prot);
    tlb_flush();
}

void uvm_activate(uint64_t root)
{
    write_sysreg(ttbr0_el1, root | (USER_ASID << 48));
    write_sysreg(tcr_el1, read_sysreg(tcr_el1) & ~TCR_EPD0);
    isb();
    tlb_flush();
}
