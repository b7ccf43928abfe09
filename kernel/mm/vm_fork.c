/* Address spaces across fork and exit: the copy-on-write copy, the write that breaks the
 * sharing, and freeing a whole address space. Private pages (anonymous memory, a private
 * mapping's file pages and copies) are shared read-only between parent and child until one
 * writes; shared pages (MAP_SHARED, the kernel's own [vdso] and [vvar]) are simply mapped in
 * both; MADV_WIPEONFORK memory is not copied at all (the child reads zeros). */
#include "aio.h"
#include "kernel.h"
#include "vm.h"
#include "mm.h"
#include "uvm.h"
#include "sched.h"
#include "vfs.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

/* A zeroed page at va of a shared anonymous VMA unless one is there. */
static int vm_populate_page(struct vm *vm, struct vma *v, uint64_t va)
{
    if (uvm_lookup(vm->root, va, NULL))
        return 0;
    uint64_t pa = page_alloc(1);
    if (!pa)
        return -ENOMEM;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    if (uvm_map_page(vm->root, va, pa, v->prot)) {
        page_free(pa, 1);
        return -ENOMEM;
    }
    vm->pages++;
    return 0;
}

struct vm *vm_fork(struct vm *vm)
{
    struct vm *child = vm_create();
    if (!child)
        return NULL;
    child->brk_start = vm->brk_start;
    child->brk = vm->brk;
    child->start_data = vm->start_data;
    child->end_data = vm->end_data;
    child->mmap_top = vm->mmap_top;
    struct vma **tail = &child->vmas;
    for (struct vma *v = vm->vmas; v; v = v->next) {
        if (v->dontfork)               /* MADV_DONTFORK: the child has a hole here */
            continue;
        struct vma *c = kmalloc(sizeof(*c));
        if (!c) {
            vm_put(child);
            return NULL;
        }
        *c = *v;
        if (c->file)
            vfs_get_mapping(c->file);
        c->locked = false;     /* memory locks are not inherited (Linux's dup_mmap) */
        c->next = NULL;
        *tail = c;
        tail = &c->next;
        if (v->wipeonfork && !v->fixed_pa)   /* the child keeps the mark, not the pages */
            continue;
        enum uvm_copy_mode mode = v->fixed_pa ? UVM_COPY_SHARED :
                                  v->shared || v->shared_anon ? UVM_COPY_SHARED_REF : UVM_COPY_COW;
        /* Shared anonymous memory is one set of pages for both: each is made now, so neither
         * process can fault in a page of its own later. */
        if (v->shared_anon && v->prot)   /* (PROT_NONE pages cannot be mapped: made at first use) */
            for (uint64_t a = v->start; a < v->end; a += PAGE_SIZE)
                if (vm_populate_page(vm, v, a)) {
                    vm_put(child);
                    return NULL;
                }
        uint64_t copied = 0;
        if (uvm_copy(vm->root, child->root, v->start, v->end, mode, &copied)) {
            vm_put(child);
            return NULL;
        }
        if (!v->fixed_pa)              /* the kernel's pages are nobody's resident memory */
            child->pages += copied;
    }
    return child;
}

void vm_put(struct vm *vm)
{
    if (--vm->users > 0)
        return;
    while (vm->vmas)
        vm_unmap(vm, vm->vmas->start, vm->vmas->end - vm->vmas->start);
    aio_release_vm(vm);                /* exit_aio: the rings' pages, now mapped nowhere */
    sched_forget_user_root(vm->root);  /* a CPU that last ran it must load a new one anew */
    uvm_destroy(vm->root);
    kfree(vm);
}

int vm_map_private_copy(struct vm *vm, struct vma *v, uint64_t va, uint64_t pa)
{
    uint64_t copy = page_alloc(1);
    if (!copy)
        return -ENOMEM;
    memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
    if (uvm_map_page(vm->root, va, copy, v->prot)) {
        page_free(copy, 1);
        return -ENOMEM;
    }
    page_ref_put(pa);                  /* this mapping's share of pa, never its last owner */
    return 0;
}

int vm_break_cow(struct vm *vm, struct vma *v, uint64_t va, uint64_t pa)
{
    if (page_ref_shared(pa) && !v->shared_anon && !v->shared)
        return vm_map_private_copy(vm, v, va, pa);
    return uvm_map_page(vm->root, va, pa, v->prot) ? -ENOMEM : 0;   /* shared, or the last owner */
}

int vm_copy_to(struct vm *vm, uint64_t uaddr, const void *src, uint64_t len)
{
    const char *s = src;
    while (len) {
        uint64_t pa = vm_user_page(vm, uaddr, ACCESS_WRITE);
        if (!pa)
            return -EFAULT;
        uint64_t off = uaddr & (PAGE_SIZE - 1), n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        memcpy((char *)phys_to_virt(pa) + off, s, n);
        s += n;
        uaddr += n;
        len -= n;
    }
    return 0;
}
