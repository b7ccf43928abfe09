/* mremap: grow or shrink a mapping in place, or move it (MREMAP_MAYMOVE), to a place of the
 * caller's choosing (MREMAP_FIXED), optionally leaving the old range mapped and empty
 * (MREMAP_DONTUNMAP). The checks and their order are Linux's (mm/mremap.c). A moved range keeps
 * what it maps: its resident pages change address, never contents. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"

/* Map [dest, dest+len) as the continuation of what src maps at src_addr: same protection and
 * backing (file and offset, shared or private), so a page faulted there is the one src would
 * have given: a mapping that is the file all the way (mmap's) grows as the file (SIGBUS past its
 * end), an ELF segment's zero-filled tail as zeros. src is a copy: mapping dest may split or free
 * the VMA it came from. */
static int map_like(struct vm *v, const struct vma *src, uint64_t src_addr, uint64_t dest, uint64_t len,
                    const char *name)
{
    uint64_t off = src_addr - src->start;
    bool whole_file = src->file && src->file_bytes >= src->end - src->start;
    int err = vm_map_fixed(v, dest, len, src->prot, src->file, src->file_offset + off,
                           whole_file ? len : src->file_bytes > off ? src->file_bytes - off : 0, name);
    if (err)
        return err;
    struct vma *n = vm_find(v, dest);
    n->shared = src->shared;
    n->shared_anon = src->shared_anon;
    n->may_write = src->may_write;
    n->growsdown = src->growsdown;
    n->dontfork = src->dontfork;
    n->locked = src->locked;
    n->wipeonfork = src->wipeonfork;
    n->policy = src->policy;           /* mbind's, as Linux's copy_vma duplicates it */
    return 0;
}

/* Move [old, old+len) (inside *src) to dest, mapping new_len bytes there. */
static int64_t move_to(struct vm *v, const struct vma *src, uint64_t old, uint64_t len, uint64_t dest,
                       uint64_t new_len, bool keep_old)
{
    int err = map_like(v, src, old, dest, new_len, NULL);
    if (err)
        return err;
    err = vm_move_pages(v, old, dest, len < new_len ? len : new_len);
    if (err)
        return err;
    if (!keep_old && len)   /* DONTUNMAP: the old range stays, its pages gone (they refault empty) */
        vm_unmap(v, old, len);
    vm_merge(v, dest, dest + new_len);
    return (int64_t)dest;
}

/* Linux's vma_to_resize: the old range inside one VMA (EFAULT), old_len 0 only of a shared one;
 * growing it keeps within RLIMIT_MEMLOCK when it is locked (EAGAIN) and RLIMIT_AS (ENOMEM). */
static int64_t resizable(struct vm *v, uint64_t old, uint64_t old_len, uint64_t new_len, struct vma **out)
{
    struct vma *vma = vm_find(v, old);
    if (!vma || old_len > vma->end - old)
        return -EFAULT;
    /* old_len 0 asks for a second mapping of the same pages: Linux allows it for shared ones
     * only; a shared anonymous mapping has no object here to map twice (see below). */
    if (!old_len && !vma->shared)
        return -EINVAL;
    if (new_len > old_len && vma->locked && !rlimit_may_lock_more(v, new_len - old_len))
        return -EAGAIN;
    bool data = (vma->prot & PROT_WRITE) && !vma->shared && !vma->shared_anon && !vma->growsdown;
    if (new_len > old_len && !rlimit_may_expand(v, new_len - old_len, data))
        return -ENOMEM;
    *out = vma;
    return 0;
}

SYSCALL(mremap)
{
    uint64_t old = user_untag(a0), old_len = ALIGN_UP(a1, PAGE_SIZE), new_len = ALIGN_UP(a2, PAGE_SIZE);
    uint64_t new_addr = a4;
    int flags = (int)a3;
    struct vm *v = current_process()->vm;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return -EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
        return -EINVAL;
    if ((old & (PAGE_SIZE - 1)) || new_len == 0)
        return -EINVAL;
    if (!vm_find(v, old))
        return -EFAULT;
    bool keep_old = flags & MREMAP_DONTUNMAP;
    struct vma *vma;
    int64_t err;

    if (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) {
        /* new_addr is checked even when it is only a hint (DONTUNMAP alone), as mremap_to does */
        if ((new_addr & (PAGE_SIZE - 1)) || new_len > USER_VA_END || new_addr > USER_VA_END - new_len)
            return -EINVAL;
        if (old + old_len > new_addr && new_addr + new_len > old)
            return -EINVAL;   /* the ranges overlap */
        if (flags & MREMAP_FIXED)
            vm_unmap(v, new_addr, new_len);
        if (old_len > new_len) {
            vm_unmap(v, old + new_len, old_len - new_len);
            old_len = new_len;
        }
        if ((err = resizable(v, old, old_len, new_len, &vma)))
            return err;
        bool data = (vma->prot & PROT_WRITE) && !vma->shared && !vma->shared_anon && !vma->growsdown;
        if (keep_old && !rlimit_may_expand(v, old_len, data))
            return -ENOMEM;            /* the old range stays mapped: the space grows by it */
        /* A shared anonymous mapping's pages live only in page tables here (no shmem object to
         * refault from), so its old range could not keep seeing them: refused as Linux before
         * 5.13 refused every mapping but private anonymous ones. */
        if (keep_old && vma->shared_anon)
            return -EINVAL;
        struct vma src = *vma;
        uint64_t dest = new_addr;
        if (!(flags & MREMAP_FIXED) && (!dest || !vm_range_free(v, dest, new_len)))
            dest = vm_find_free(v, new_len);   /* DONTUNMAP alone: new_addr is a hint */
        if (!dest)
            return -ENOMEM;
        return move_to(v, &src, old, old_len, dest, new_len, keep_old);
    }

    /* Shrinking (or the same size) looks only at the first page, as Linux's does. */
    if (new_len <= old_len) {
        if (new_len < old_len)
            vm_unmap(v, old + new_len, old_len - new_len);
        return (int64_t)old;
    }
    if ((err = resizable(v, old, old_len, new_len, &vma)))
        return err;
    struct vma src = *vma;
    /* In place only when the range ends its VMA (Linux grows that VMA, not the one it is in
     * the middle of) and the pages after it are free. */
    if (old_len && old + old_len == vma->end && vm_range_free(v, old + old_len, new_len - old_len)) {
        err = map_like(v, &src, old + old_len, old + old_len, new_len - old_len, src.name);
        if (err)
            return err;
        vm_merge(v, old, old + new_len);
        if (src.locked)                /* a locked mapping's new pages are faulted in, as mlock's */
            vm_populate(v, old + old_len, old + new_len);
        return (int64_t)old;
    }
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    uint64_t dest = vm_find_free(v, new_len);
    if (!dest)
        return -ENOMEM;
    return move_to(v, &src, old, old_len, dest, new_len, false);
}
