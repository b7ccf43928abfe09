/* User address spaces: VMAs kept sorted in a singly linked list, split on partial unmap or
 * protect, and demand paging. */
#include "kernel.h"
#include "thread.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "mm.h"
#include "uvm.h"
#include "vfs.h"
#include "vm_internal.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

void vm_pages_drop(struct vm *vm, uint64_t n)
{
    if (vm->pages > vm->pages_hiwater)
        vm->pages_hiwater = vm->pages;
    vm->pages -= n;
}

static uint64_t page_round_up(uint64_t x) { return ALIGN_UP(x, PAGE_SIZE); }

struct vm *vm_create(void)
{
    struct vm *vm = kzalloc(sizeof(*vm));
    if (!vm)
        return NULL;
    vm->root = uvm_create();
    if (!vm->root) {
        kfree(vm);
        return NULL;
    }
    vm->users = 1;
    return vm;
}

struct vma *vm_find(struct vm *vm, uint64_t addr)
{
    /* Each thread remembers its last answer (its stack, mostly): with thousands of threads the
     * list is long, and one thread's copies in and out keep hitting the same VMA. */
    struct thread *t = current_thread();
    if (t && t->vma_hint && t->vma_hint_vm == vm && t->vma_generation == vm->generation && t->vma_hint->start <= addr &&
        addr < t->vma_hint->end)
        return t->vma_hint;
    for (struct vma *v = vm->vmas; v && v->start <= addr; v = v->next)
        if (addr < v->end) {
            if (t) {
                t->vma_hint = v;
                t->vma_hint_vm = vm;
                t->vma_generation = vm->generation;
            }
            return v;
        }
    return NULL;
}

bool vm_covered(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vma *v = vm->vmas; v && start < end; v = v->next) {
        if (v->end <= start)
            continue;
        if (v->start > start)
            return false;              /* a hole */
        start = v->end;
    }
    return start >= end;
}

/* A page may be mapped by several address spaces (fork) and be a file's too: each mapping is
 * one of its owners, and it is freed with the last of them. */
static void free_user_page(uint64_t pa)
{
    page_ref_put(pa);
}

/* A fixed mapping's pages are the kernel's: unmapped, not freed. */
void (*vm_page_release(const struct vma *v))(uint64_t)
{
    return v->fixed_pa ? NULL : free_user_page;
}

/* The VMA is gone: so is its hold on its file. */
static void vma_free(struct vma *v)
{
    if (v->file)
        vfs_put_mapping(v->file);
    kfree(v);
}

/* Split the VMA containing addr so that a VMA boundary falls exactly at addr. */
static int split_at(struct vm *vm, uint64_t addr)
{
    struct vma *v = vm_find(vm, addr);
    if (!v || v->start == addr)
        return 0;
    struct vma *tail = kmalloc(sizeof(*tail));
    if (!tail)
        return -ENOMEM;
    *tail = *v;
    if (tail->file)
        vfs_get_mapping(tail->file);
    uint64_t cut = addr - v->start;
    tail->start = addr;
    tail->fixed_pa = v->fixed_pa ? v->fixed_pa + cut : 0;
    tail->file_offset = v->file_offset + cut;
    tail->file_bytes = v->file_bytes > cut ? v->file_bytes - cut : 0;
    v->end = addr;
    v->file_bytes = v->file_bytes < cut ? v->file_bytes : cut;
    v->next = tail;
    return 0;
}

int vm_unmap(struct vm *vm, uint64_t start, uint64_t len)
{
    uint64_t end = start + page_round_up(len);
    if ((start & (PAGE_SIZE - 1)) || len == 0 || end > USER_VA_END || end < start)
        return -EINVAL;
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    uint64_t size = vm_mapped_bytes(vm);      /* VmPeak: the size before it may fall */
    if (size > vm->bytes_hiwater)
        vm->bytes_hiwater = size;
    struct vma **link = &vm->vmas;
    while (*link && (*link)->start < end) {   /* sorted: nothing past end is touched */
        struct vma *v = *link;
        if (v->start >= start && v->end <= end) {
            uint64_t n = uvm_unmap(vm->root, v->start, v->end, vm_page_release(v));
            if (!v->fixed_pa)
                vm_pages_drop(vm, n);
            *link = v->next;
            vm->generation++;
            vma_free(v);
        } else {
            link = &v->next;
        }
    }
    return 0;
}

int vm_map_fixed(struct vm *vm, uint64_t start, uint64_t len, int prot, struct vnode *file,
                 uint64_t file_offset, uint64_t file_bytes, const char *name)
{
    uint64_t end = start + page_round_up(len);
    if ((start & (PAGE_SIZE - 1)) || len == 0 || end > USER_VA_END || end <= start)
        return -EINVAL;
    int err = vm_unmap(vm, start, end - start);
    if (err)
        return err;
    struct vma *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = (struct vma){ .start = start, .end = end, .prot = prot, .file = file, .file_offset = file_offset,
                      .file_bytes = file ? file_bytes : 0, .name = name,
                      .locked = vm->lock_future };
    if (file)
        vfs_get_mapping(file);
    struct vma **link = &vm->vmas;
    while (*link && (*link)->start < start)
        link = &(*link)->next;
    n->next = *link;
    *link = n;
    return 0;
}

int vm_set_locked(struct vm *vm, uint64_t start, uint64_t end, bool locked)
{
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (v->start >= start && v->end <= end)
            v->locked = locked && !v->fixed_pa;
    return 0;
}

int vm_set_dontfork(struct vm *vm, uint64_t start, uint64_t end, bool dontfork)
{
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (v->start >= start && v->end <= end)
            v->dontfork = dontfork;
    vm_merge(vm, start, end);
    return 0;
}

uint64_t vm_mapped_bytes(const struct vm *vm)
{
    uint64_t n = 0;
    for (const struct vma *v = vm ? vm->vmas : NULL; v; v = v->next)
        n += v->end - v->start;
    return n;
}

/* Linux's madvise_vma_behavior: a file's or a shared mapping's pages cannot be wiped (EINVAL);
 * keeping them is allowed anywhere. */
int vm_set_wipeonfork(struct vm *vm, uint64_t start, uint64_t end, bool wipe)
{
    int err = 0;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        if (v->end <= start)
            continue;
        if (wipe && (v->file || v->shared || v->shared_anon)) {
            err = -EINVAL;
            end = v->start;            /* what came before stays changed */
            break;
        }
    }
    if (start >= end)
        return err;
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (v->start >= start && v->end <= end)
            v->wipeonfork = wipe;
    vm_merge(vm, start, end);
    return err;
}

int vm_set_policy(struct vm *vm, uint64_t start, uint64_t end, const struct mempolicy *policy)
{
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (v->start >= start && v->end <= end)
            v->policy = *policy;
    vm_merge(vm, start, end);
    return 0;
}

uint64_t vm_locked_bytes(const struct vm *vm)
{
    uint64_t n = 0;
    for (const struct vma *v = vm ? vm->vmas : NULL; v; v = v->next)
        if (v->locked && !v->fixed_pa)
            n += v->end - v->start;
    return n;
}

bool vm_range_free(struct vm *vm, uint64_t start, uint64_t len)
{
    uint64_t end = start + len;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (start < v->end)
            return false;
    return end <= USER_VA_END && end > start;
}

/* The highest gap of len bytes that ends at or below mmap_top (and leaves page 0 alone), in one
 * pass over the VMAs, which are sorted: a program with thousands of thread stacks maps in time
 * proportional to its mappings, not their square. */
uint64_t vm_find_free(struct vm *vm, uint64_t len)
{
    len = page_round_up(len);
    uint64_t top = vm->mmap_top, gap_start = PAGE_SIZE, found = 0;
    for (struct vma *v = vm->vmas; v && gap_start < top; v = v->next) {
        uint64_t gap_end = v->start < top ? v->start : top;
        if (gap_end >= gap_start && gap_end - gap_start >= len)
            found = gap_end - len;
        if (v->end > gap_start)
            gap_start = v->end;
    }
    if (gap_start < top && top - gap_start >= len)
        found = top - len;
    return found;
}

int vm_protect(struct vm *vm, uint64_t start, uint64_t len, int prot)
{
    uint64_t end = start + page_round_up(len);
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    if (len == 0)
        return 0;
    /* Linux: ENOMEM when any part of the range is not mapped. */
    for (uint64_t a = start; a < end;) {
        struct vma *v = vm_find(vm, a);
        if (!v)
            return -ENOMEM;
        a = v->end;
    }
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next)
        if (v->start >= start && v->end <= end)
            v->prot = prot;
    uvm_protect(vm->root, start, end, prot);
    return 0;
}

static bool allowed(int prot, enum access access)
{
    if ((access & ACCESS_WRITE) && !(prot & PROT_WRITE))
        return false;
    if ((access & ACCESS_EXEC) && !(prot & PROT_EXEC))
        return false;
    if ((access & ACCESS_READ) && !(prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
        return false;
    return true;
}

/* The run of unmapped pages containing va inside the `window`-aligned window (vm_internal.h). */
void vm_fault_window(struct vm *vm, struct vma *v, uint64_t va, uint64_t window, uint64_t *lo, uint64_t *hi)
{
    uint64_t wlo = ALIGN_DOWN(va, window), whi = wlo + window;
    uint64_t file_end = v->start + page_round_up(v->file_bytes);
    if (v->file) {                     /* nor past the file's end now: those pages are SIGBUS */
        uint64_t size = page_round_up(vfs_size(v->file));
        uint64_t now_end = size > v->file_offset ? v->start + (size - v->file_offset) : v->start;
        if (now_end < file_end)
            file_end = now_end;
    }
    if (wlo < v->start)
        wlo = v->start;
    if (whi > file_end)
        whi = file_end;
    if (whi > v->end)
        whi = v->end;
    *lo = va;
    *hi = va + PAGE_SIZE;
    while (*lo > wlo && !uvm_lookup(vm->root, *lo - PAGE_SIZE, NULL))
        *lo -= PAGE_SIZE;
    while (*hi < whi && !uvm_lookup(vm->root, *hi, NULL))
        *hi += PAGE_SIZE;
}

/* Fill fresh memory for v's pages from va on: file bytes where the VMA has them, zeros beyond
 * (and after a short read). */
static int fill_pages(struct vma *v, uint64_t va, char *buf, uint64_t bytes)
{
    uint64_t off = va - v->start, got = 0;
    if (v->file && off < v->file_bytes) {
        uint64_t n = v->file_bytes - off < bytes ? v->file_bytes - off : bytes;
        int64_t r = vfs_read(v->file, v->file_offset + off, buf, n);
        if (r < 0)
            return (int)r;
        got = (uint64_t)r;
    }
    memset(buf + got, 0, bytes - got);
    return 0;
}

static struct vma *grow_down(struct vm *vm, uint64_t addr);

int vm_fault(struct vm *vm, uint64_t addr, enum access access)
{
    struct vma *v = vm_find(vm, addr);
    if (!v)
        v = grow_down(vm, addr);
    if (!v || !allowed(v->prot, access))
        return -EFAULT;
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    int prot;
    uint64_t present = uvm_lookup(vm->root, va, &prot);
    if (present && allowed(prot, access))
        return 0;
    if (present && (access & ACCESS_WRITE) && !v->fixed_pa)
        return vm_break_cow(vm, v, va, present);
    if (present)
        return -EFAULT;
    /* A page wholly past the end of the file is SIGBUS in any file mapping (the zeros after the
     * end are only the tail of its last page). */
    if (v->file && va - v->start < v->file_bytes &&
        v->file_offset + (va - v->start) >= ALIGN_UP(vfs_size(v->file), PAGE_SIZE))
        return -ENXIO;
    if (v->fixed_pa)                   /* dropped (madvise): the same kernel page again */
        return uvm_map_page(vm->root, va, v->fixed_pa + (va - v->start), v->prot) ? -ENOMEM : 0;
    uint64_t lo = va, hi = va + PAGE_SIZE;
    if (v->file && va - v->start < v->file_bytes) {
        int err = vm_fault_file(vm, v, va, access);
        if (err <= 0)
            return err;
        /* a copy of its own: around va, but not over the file's whole pages, which are shared */
        vm_fault_window(vm, v, va, FAULT_AROUND_BYTES, &lo, &hi);
        uint64_t whole_end = v->start + ALIGN_DOWN(v->file_bytes, PAGE_SIZE);
        if (va >= whole_end && lo < whole_end)
            lo = whole_end;
    }
    uint64_t n = (hi - lo) >> PAGE_SHIFT;
    uint64_t pa = page_alloc(n);     /* contiguous, so one read fills them; freed page by page */
    if (!pa && n > 1) {
        lo = va;
        n = 1;
        pa = page_alloc(1);
    }
    if (!pa)
        return -ENOMEM;
    if (fill_pages(v, lo, phys_to_virt(pa), n * PAGE_SIZE)) {
        page_free(pa, n);
        return -EFAULT;
    }
    for (uint64_t i = 0; i < n; i++) {
        if (uvm_map_page(vm->root, lo + i * PAGE_SIZE, pa + i * PAGE_SIZE, v->prot)) {
            page_free(pa + i * PAGE_SIZE, n - i);   /* out of page-table memory: keep what is mapped */
            return lo + i * PAGE_SIZE > va ? 0 : -ENOMEM;
        }
        vm->pages++;
    }
    return 0;
}

/* A page already mapped with the access allowed needs neither the VMA nor vm_fault: the page
 * tables never allow more than the VMA does (mprotect, munmap and copy-on-write change them
 * first). One table walk then, instead of a VMA lookup and two walks, for every page a system
 * call copies in or out (~24 per websrv request). */
uint64_t vm_user_page(struct vm *vm, uint64_t addr, enum access access)
{
    if (addr >= USER_VA_END)
        return 0;
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    int prot;
    uint64_t pa = uvm_lookup(vm->root, va, &prot);
    if (pa && allowed(prot, access))
        return pa;
    if (vm_fault(vm, addr, access))
        return 0;
    return uvm_lookup(vm->root, va, NULL);
}

/* Drop resident pages of [start, end) (madvise DONTNEED): they refault from the VMA. */
void vm_drop_pages(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
        if (lo < hi) {
            uint64_t n = uvm_unmap(vm->root, lo, hi, vm_page_release(v));
            if (!v->fixed_pa)
                vm_pages_drop(vm, n);
        }
    }
}

/* Move resident pages from [src, src+len) to dest (mremap): the physical pages change owner. */
int vm_move_pages(struct vm *vm, uint64_t src, uint64_t dest, uint64_t len)
{
    for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
        int prot;
        uint64_t pa = uvm_lookup(vm->root, src + off, &prot);
        if (!pa)
            continue;
        struct vma *d = vm_find(vm, dest + off);
        int to = d ? d->prot : prot;
        if (page_ref_shared(pa) && !(d && (d->shared_anon || d->shared)))
            to &= ~PROT_WRITE;         /* still copy-on-write (a fork, a file's page): a write copies */
        if (uvm_map_page(vm->root, dest + off, pa, to))
            return -ENOMEM;
        uvm_unmap(vm->root, src + off, src + off + PAGE_SIZE, NULL);
    }
    return 0;
}

void vm_populate(struct vm *m, uint64_t start, uint64_t end)
{
    for (uint64_t a = start; a < end; a += PAGE_SIZE) {
        struct vma *v = vm_find(m, a);
        if (!v || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) || v->fixed_pa)
            continue;
        int prot;
        bool cow = (v->prot & PROT_WRITE) && !v->shared && !v->shared_anon;
        if (uvm_lookup(m->root, a, &prot) && (!cow || (prot & PROT_WRITE)))
            continue;
        vm_fault(m, a, cow ? ACCESS_WRITE : ACCESS_READ);
    }
}

/* Would b, right after a, be the same mapping had one call made both? Anonymous private memory
 * of the same protection, or the same file at the offsets that follow. Shared anonymous memory
 * never merges (Linux gives each its own object), nor the kernel's pages. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
    if (a->end != b->start || a->prot != b->prot || a->file != b->file || a->name != b->name ||
        a->shared != b->shared || a->shared_anon || b->shared_anon || a->fixed_pa || b->fixed_pa ||
        a->locked != b->locked || a->may_write != b->may_write || a->growsdown != b->growsdown ||
        a->dontfork != b->dontfork || a->wipeonfork != b->wipeonfork ||
        !mempolicy_equal(&a->policy, &b->policy))
        return false;
    if (!a->file)
        return true;
    /* a file mapping joins only where a's file part runs to its end (no zero-filled tail
     * between: an ELF's bss is not the file) */
    return a->file_offset + (a->end - a->start) == b->file_offset && a->file_bytes >= a->end - a->start;
}

void vm_merge(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vma *v = vm->vmas; v && v->start <= end; ) {
        struct vma *n = v->next;
        if (n && n->start <= end && v->end >= start && mergeable(v, n)) {
            v->file_bytes = v->file ? (v->end - v->start) + n->file_bytes : 0;
            v->end = n->end;
            v->next = n->next;
            vm->generation++;          /* a thread's hint may name n */
            vma_free(n);
            continue;                  /* v may join the one after too */
        }
        v = n;
    }
}

/* A fault in the gap below a MAP_GROWSDOWN mapping grows it down to the page (Linux's
 * expand_downwards), within the memory limits (acct_stack_growth) and keeping Linux's guard
 * gap from an accessible mapping below. */
static struct vma *grow_down(struct vm *vm, uint64_t addr)
{
    struct vma *prev = NULL, *v = vm->vmas;
    while (v && v->end <= addr) {
        prev = v;
        v = v->next;
    }
    if (!v || !v->growsdown || v->start <= addr)
        return NULL;
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE);
    if (!rlimit_may_grow_stack(vm, v, va))
        return NULL;                   /* RLIMIT_STACK, RLIMIT_AS, RLIMIT_MEMLOCK */
    if (prev && !prev->growsdown && (prev->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)) &&
        va - prev->end < STACK_GUARD_GAP)
        return NULL;
    v->start = va;
    return v;
}
