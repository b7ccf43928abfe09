/* File mappings over the file's own pages (the page cache's for an unchanged file, a changed
 * file's in memory), as Linux maps its page cache. MAP_SHARED maps them as they are; MAP_PRIVATE
 * maps them read-only until the first store to a page, which copies it (Linux's do_read_fault
 * and do_cow_fault), so the file's later changes show through every page the process has not
 * written. Each mapping of a page is one of its owners (mm.h's page_ref), the file another: a
 * page the file lets go of lives until the last mapping unmaps it. When the file loses pages
 * (truncate, hole punching) they are taken out of every address space (vm_unmap_file). */
#include "kernel.h"
#include "vm.h"
#include "vm_internal.h"
#include "mm.h"
#include "uvm.h"
#include "vfs.h"
#include "process.h"
#include "errno.h"
#include "linux_abi.h"

/* The file page v maps at va. */
static uint64_t file_index(const struct vma *v, uint64_t va)
{
    return (v->file_offset + (va - v->start)) >> PAGE_SHIFT;
}

/* The file's page, writable if the mapping is: stores reach the file. */
static int fault_shared(struct vm *vm, struct vma *v, uint64_t va)
{
    uint64_t pa;
    int err = vfs_file_page(v->file, v->file_offset + (va - v->start), &pa);
    if (err)
        return err;
    if (!page_ref_get(pa))
        return -ENOMEM;
    if (uvm_map_page(vm->root, va, pa, v->prot)) {
        page_ref_put(pa);
        return -ENOMEM;
    }
    vm->pages++;
    return 0;
}

/* The file's page pa at va of a private mapping: as it is, read-only (a store faults and copies
 * it: vm_break_cow), or a copy at once for the store that faulted. The ownership of pa that the
 * caller holds becomes the mapping's, or is given back. */
static int map_private(struct vm *vm, struct vma *v, uint64_t va, uint64_t pa, bool copy)
{
    int err = copy ? vm_map_private_copy(vm, v, va, pa)
                   : uvm_map_page(vm->root, va, pa, v->prot & ~PROT_WRITE) ? -ENOMEM : 0;
    if (err) {
        page_ref_put(pa);
        return err;
    }
    vm->pages++;
    return 0;
}

/* The file's whole pages around va (fault-around: the unmapped run in the window, as far as the
 * file has them in memory or one read brings them); va itself always, made if it was a hole. */
static int fault_private(struct vm *vm, struct vma *v, uint64_t va, enum access access)
{
    uint64_t whole_end = v->start + ALIGN_DOWN(v->file_bytes, PAGE_SIZE);
    if (va >= whole_end || (v->file_offset & (PAGE_SIZE - 1)))
        return 1;
    uint64_t lo, hi, pas[CACHED_FAULT_AROUND_BYTES / PAGE_SIZE];
    vm_fault_window(vm, v, va, CACHED_FAULT_AROUND_BYTES, &lo, &hi);
    if (hi > whole_end)
        hi = whole_end;
    while (lo <= va) {                 /* past va, the window is a bonus: what one fill gave */
        int64_t got = vfs_private_pages(v->file, file_index(v, lo), (hi - lo) >> PAGE_SHIFT, pas, lo == va);
        if (got == -ENOENT) {          /* a hole before va: left to a fault of its own */
            lo += PAGE_SIZE;
            continue;
        }
        if (got == -EIO)
            return -EFAULT;
        if (got <= 0)
            return 1;
        for (int64_t i = 0; i < got; i++, lo += PAGE_SIZE) {
            int err = map_private(vm, v, lo, pas[i], lo == va && (access & ACCESS_WRITE));
            if (err) {
                while (++i < got)      /* out of memory: keep what is mapped */
                    page_ref_put(pas[i]);
                return lo > va ? 0 : err;
            }
        }
    }
    return 0;
}

int vm_fault_file(struct vm *vm, struct vma *v, uint64_t va, enum access access)
{
    return v->shared ? fault_shared(vm, v, va) : fault_private(vm, v, va, access);
}

/* Every address space is looked at (threads and a vfork child share one: looked at again, it
 * has nothing left to take). Only the file part of a VMA: an ELF segment's zero-filled tail is
 * anonymous memory. */
void vm_unmap_file(struct vnode *file, uint64_t from, uint64_t to, bool even_cows)
{
    for (struct process *p = process_first(); p; p = p->all_next) {
        struct vm *vm = p->vm;
        for (struct vma *v = vm ? vm->vmas : NULL; v; v = v->next) {
            uint64_t file_end = v->file_offset + ALIGN_UP(v->file_bytes, PAGE_SIZE);
            if (v->file != file || file_end <= from || v->file_offset >= to)
                continue;
            uint64_t lo = v->start + (from > v->file_offset ? from - v->file_offset : 0);
            uint64_t hi = v->start + ((to < file_end ? to : file_end) - v->file_offset);
            if (hi > v->end)
                hi = v->end;
            if (even_cows || v->shared) {
                vm_pages_drop(vm, uvm_unmap(vm->root, lo, hi, vm_page_release(v)));
                continue;
            }
            for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {   /* the file's pages, not copies */
                uint64_t pa = uvm_lookup(vm->root, va, NULL);
                if (pa && pa == vfs_page_at(file, file_index(v, va)))
                    vm_pages_drop(vm, uvm_unmap(vm->root, va, va + PAGE_SIZE, vm_page_release(v)));
            }
        }
    }
}
