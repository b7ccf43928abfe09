/* Memory syscalls: brk, mmap, munmap, mprotect, madvise (mremap: sys_mremap.c). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "vfs.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define PROT_ALL (PROT_READ | PROT_WRITE | PROT_EXEC)
#define BRK_MAX  (1UL << 40)    /* the heap may grow 1 TiB past the program */

static struct vm *vm(void) { return current_process()->vm; }

/* Linux returns the current break on failure, never an error. */
SYSCALL(brk)
{
    struct vm *v = vm();
    uint64_t want = a0;
    if (want < v->brk_start || want > v->brk_start + BRK_MAX)
        return v->brk;
    if (!rlimit_may_brk(v, want))      /* checked before shrinking too, as Linux's brk */
        return v->brk;
    uint64_t old_end = ALIGN_UP(v->brk, PAGE_SIZE), new_end = ALIGN_UP(want, PAGE_SIZE);
    if (new_end > old_end) {
        /* do_brk_flags: locked under mlockall(MCL_FUTURE), RLIMIT_AS */
        if ((v->lock_future && !rlimit_may_lock_more(v, new_end - old_end)) ||
            !rlimit_may_expand(v, new_end - old_end, true))
            return v->brk;
        if (!vm_range_free(v, old_end, new_end - old_end) ||
            vm_map_fixed(v, old_end, new_end - old_end, PROT_READ | PROT_WRITE, NULL, 0, 0, "[heap]"))
            return v->brk;
    } else if (new_end < old_end) {
        vm_unmap(v, new_end, old_end - new_end);
    }
    v->brk = want;
    return v->brk;
}

#define MAX_LFS_FILESIZE INT64_MAX

/* Linux's checks in Linux's order (arm64 sys_mmap, ksys_mmap_pgoff, do_mmap): the offset, the
 * descriptor, the length, the place, then what the file allows. Protection bits Linux does not
 * know are ignored, as its calc_vm_prot_bits ignores them. */
SYSCALL(mmap)
{
    uint64_t addr = a0, len = a1, offset = a5;
    int prot = (int)a2 & PROT_ALL, flags = (int)a3, fd = (int)a4;
    struct file *f = NULL;
    struct vm *v = vm();

    if (offset & (PAGE_SIZE - 1))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS)) {
        f = fd_get_open(current_process(), fd);
        if (!f)
            return -EBADF;
        if (flags & MAP_HUGETLB)
            return -EINVAL;            /* only hugetlbfs files have huge pages */
        if (f->kind == FILE_ZERO) {    /* mapping /dev/zero is anonymous memory */
            f = NULL;
            flags |= MAP_ANONYMOUS;
        }
    } else if (flags & MAP_HUGETLB) {
        return -ENOMEM;                /* no huge pages reserved (nr_hugepages is 0) */
    }
    if (len == 0)
        return -EINVAL;
    uint64_t size = ALIGN_UP(len, PAGE_SIZE);
    if (size < len || size == 0 || size > USER_VA_END)
        return -ENOMEM;
    if ((offset >> PAGE_SHIFT) + (size >> PAGE_SHIFT) < (offset >> PAGE_SHIFT))
        return -EOVERFLOW;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (PAGE_SIZE - 1))
            return -EINVAL;
        if (addr >= USER_VA_END || size > USER_VA_END - addr)
            return -ENOMEM;            /* Linux's get_unmapped_area: past TASK_SIZE */
        if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && !vm_range_free(v, addr, size))
            return -EEXIST;
    }
    /* A locked mapping (MAP_LOCKED, or any under mlockall(MCL_FUTURE)) within RLIMIT_MEMLOCK. */
    bool locked = (flags & MAP_LOCKED) || v->lock_future;
    if ((flags & MAP_LOCKED) && !rlimit_may_mlock())
        return -EPERM;
    if (locked && !rlimit_may_lock_more(v, size))
        return -EAGAIN;
    int type = flags & MAP_TYPE;
    bool may_write = false;
    if (f) {
        bool readable = (f->flags & O_ACCMODE) != O_WRONLY, writable = (f->flags & O_ACCMODE) != O_RDONLY;
        bool regular = f->kind == FILE_VNODE && vfs_type(f->vnode) == VNODE_FILE;
        if (regular && (size > MAX_LFS_FILESIZE || offset > MAX_LFS_FILESIZE - size))
            return -EOVERFLOW;         /* file_mmap_ok */
        switch (type) {
        case MAP_SHARED:
            flags &= MAP_LEGACY_MASK;  /* unknown flags are ignored without _VALIDATE */
            /* fallthrough */
        case MAP_SHARED_VALIDATE:
            if (flags & ~MAP_LEGACY_MASK)
                return -EOPNOTSUPP;    /* MAP_SYNC too: no file here is DAX */
            if ((prot & PROT_WRITE) && !writable)
                return -EACCES;
            may_write = writable;
            /* fallthrough */
        case MAP_PRIVATE:
            if (!readable)
                return -EACCES;
            if (!regular)
                return -ENODEV;        /* a directory's, a pipe's file operations have no mmap */
            if (flags & MAP_GROWSDOWN)
                return -EINVAL;
            break;
        default:
            return -EINVAL;
        }
    } else if (type != MAP_PRIVATE && (type != MAP_SHARED || (flags & MAP_GROWSDOWN))) {
        return -EINVAL;
    }
    if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
        (!addr || (addr & (PAGE_SIZE - 1)) || !vm_range_free(v, addr, size))) {
        addr = vm_find_free(v, size);
        if (!addr)
            return -ENOMEM;
    }
    /* mmap_region: RLIMIT_AS, not counting what a MAP_FIXED mapping replaces */
    bool data = (prot & PROT_WRITE) && type == MAP_PRIVATE && !(flags & MAP_GROWSDOWN);
    if (!rlimit_may_expand(v, size - vm_bytes_in(v, addr, addr + size), data))
        return -ENOMEM;
    /* the file all the way, whole pages: bytes past len in its last page are the file's too */
    int err = vm_map_fixed(v, addr, size, prot, f ? f->vnode : NULL, offset, f ? size : 0, NULL);
    if (err)
        return err;
    struct vma *m = vm_find(v, addr);
    m->locked = locked;
    m->shared = f && type != MAP_PRIVATE;
    m->shared_anon = !f && type == MAP_SHARED;   /* one set of pages across fork */
    m->may_write = may_write;
    m->growsdown = flags & MAP_GROWSDOWN;
    vm_merge(v, addr, addr + size);
    if (locked || (flags & MAP_POPULATE))
        vm_populate(v, addr, addr + size);
    return (int64_t)addr;
}

/* Shared file mappings use the file's own pages, so there is never anything to write back;
 * the checks are Linux's (ENOMEM when part of the range is not mapped). */
SYSCALL(msync)
{
    uint64_t start = user_untag(a0), len = ALIGN_UP(a1, PAGE_SIZE);
    int flags = (int)a2;
    if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (start & (PAGE_SIZE - 1)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)))
        return -EINVAL;
    if (start + len < start)
        return -ENOMEM;
    for (uint64_t a = start; a < start + len; ) {
        struct vma *v = vm_find(vm(), a);
        if (!v)
            return -ENOMEM;
        if ((flags & MS_SYNC) && v->shared && v->file) {   /* a volume file's pages go to its disk */
            int err = vfs_fsync(v->file);
            if (err)
                return err;
        }
        a = v->end;
    }
    return 0;
}

SYSCALL(munmap)
{
    uint64_t start = user_untag(a0);   /* the calls Linux untags: munmap, mprotect, madvise, msync, mremap */
    if (start & (PAGE_SIZE - 1) || a1 == 0)
        return -EINVAL;
    return vm_unmap(vm(), start, a1);
}

/* arm64's arch_validate_prot: PROT_SEM is accepted (it means nothing here); PROT_BTI and
 * PROT_MTE are not, as on a CPU without them. PROT_GROWSDOWN extends the range down to the start
 * of a MAP_GROWSDOWN mapping; arm64 has no upward-growing ones. */
SYSCALL(mprotect)
{
    uint64_t start = user_untag(a0), len = a1;
    int prot = (int)a2, grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
    prot &= ~grows;
    if (grows == (PROT_GROWSDOWN | PROT_GROWSUP) || (prot & ~(PROT_ALL | PROT_SEM)))
        return -EINVAL;
    prot &= PROT_ALL;
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    if (!len)
        return 0;
    uint64_t end = start + ALIGN_UP(len, PAGE_SIZE);
    if (end <= start)
        return -ENOMEM;
    struct vm *m = vm();
    struct vma *first = vm_find(m, start);
    if (grows & PROT_GROWSUP)
        return first ? -EINVAL : -ENOMEM;
    if (grows & PROT_GROWSDOWN) {
        if (!first)
            return -ENOMEM;
        if (!first->growsdown)
            return -EINVAL;
        start = first->start;
    }
    /* Linux changes VMA by VMA and stops at the first one that refuses: a shared file mapping
     * whose descriptor was not open for writing (EACCES), a hole (ENOMEM), or private memory
     * turning into data past RLIMIT_DATA (ENOMEM). */
    int refusal = 0;
    uint64_t stop = start, more_data = 0;
    while (stop < end) {
        struct vma *v = vm_find(m, stop);
        if (!v || ((prot & PROT_WRITE) && v->shared && !v->may_write)) {
            refusal = v ? -EACCES : -ENOMEM;
            break;
        }
        uint64_t part = (v->end < end ? v->end : end) - stop;
        if ((prot & PROT_WRITE) && !(v->prot & PROT_WRITE) && !v->shared && !v->shared_anon && !v->growsdown) {
            if (!rlimit_may_become_data(m, more_data + part)) {
                refusal = -ENOMEM;
                break;
            }
            more_data += part;
        }
        stop += part;
    }
    if (stop > start) {
        int err = vm_protect(m, start, stop - start, prot);
        if (err)
            return err;
        vm_merge(m, start, stop);
    }
    return refusal;
}

/* Linux's madvise_behavior_valid (with KSM and transparent huge pages, as distributions build
 * it); the rest is EINVAL before anything else is looked at. */
static bool advice_known(int advice)
{
    switch (advice) {
    case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
    case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK: case MADV_DOFORK:
    case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
    case MADV_COLD: case MADV_PAGEOUT:
    case MADV_POPULATE_READ: case MADV_POPULATE_WRITE:
        return true;
    default:
        return false;
    }
}

/* MADV_REMOVE frees the backing store of a shared writable mapping: a file's range becomes a
 * hole (reads zeros), a shared anonymous mapping's pages go (they are its only store). */
static int64_t madvise_remove(struct vm *m, uint64_t start, uint64_t end)
{
    for (struct vma *v = m->vmas; v && v->start < end; v = v->next) {
        uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
        if (lo >= hi)
            continue;
        if (v->locked || (!v->file && !v->shared_anon))
            return -EINVAL;
        if (!v->shared_anon && !(v->shared && v->may_write))
            return -EACCES;
        if (v->shared_anon) {
            vm_drop_pages(m, lo, hi);
            continue;
        }
        uint64_t off = v->file_offset + (lo - v->start);
        int err = vfs_fallocate(v->file, VFS_FALLOC_PUNCH_HOLE | VFS_FALLOC_KEEP_SIZE, off, hi - lo);
        if (err)
            return err;
        vm_drop_pages(m, lo, hi);      /* refaulted from the file: zeros now */
    }
    return 0;
}

/* The advice applies to the mapped parts of the range; a hole anywhere makes the answer ENOMEM
 * (after the rest was done), as Linux's madvise_walk_vmas. DONTNEED/FREE drop private pages
 * (they refault as zeros or file contents); a shared anonymous mapping keeps its pages, which are
 * its only store here (Linux's refault from shmem gives the same bytes). */
SYSCALL(madvise)
{
    uint64_t start = user_untag(a0), len = ALIGN_UP(a1, PAGE_SIZE);
    int advice = (int)a2;
    if (!advice_known(advice) || (start & (PAGE_SIZE - 1)) || (a1 && !len))
        return -EINVAL;
    uint64_t end = start + len;
    if (end < start)
        return -EINVAL;
    if (end == start)
        return 0;
    struct vm *m = vm();
    int64_t hole = vm_covered(m, start, end) ? 0 : -ENOMEM;
    switch (advice) {
    case MADV_DONTNEED:
    case MADV_FREE:
        for (struct vma *v = m->vmas; v && v->start < end; v = v->next) {
            uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
            if (lo < hi && !v->shared_anon)
                vm_drop_pages(m, lo, hi);
        }
        return hole;
    case MADV_REMOVE: {
        int64_t err = madvise_remove(m, start, end);
        return err ? err : hole;
    }
    case MADV_DONTFORK:
    case MADV_DOFORK:
        if (vm_set_dontfork(m, start, end, advice == MADV_DONTFORK))
            return -ENOMEM;
        return hole;
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK: {
        int err = vm_set_wipeonfork(m, start, end, advice == MADV_WIPEONFORK);
        return err ? err : hole;
    }
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
        if (hole)
            return hole;
        vm_populate(m, start, end);
        return 0;
    default:   /* hints: nothing here acts on them */
        return hole;
    }
}
