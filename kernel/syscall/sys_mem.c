/* Memory syscalls: brk, mmap, munmap, mprotect, madvise (mremap: sys_mremap.c). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "vm.h"
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
    uint64_t old_end = ALIGN_UP(v->brk, PAGE_SIZE), new_end = ALIGN_UP(want, PAGE_SIZE);
    if (new_end > old_end) {
        if (!vm_range_free(v, old_end, new_end - old_end) ||
            vm_map_fixed(v, old_end, new_end - old_end, PROT_READ | PROT_WRITE, NULL, 0, 0, "[heap]"))
            return v->brk;
    } else if (new_end < old_end) {
        vm_unmap(v, new_end, old_end - new_end);
    }
    v->brk = want;
    return v->brk;
}

SYSCALL(mmap)
{
    uint64_t addr = a0, len = a1, offset = a5;
    int prot = (int)a2, flags = (int)a3, fd = (int)a4;
    struct vnode *file = NULL;
    uint64_t file_bytes = 0;
    struct vm *v = vm();

    if (len == 0 || (offset & (PAGE_SIZE - 1)) || (prot & ~PROT_ALL))
        return -EINVAL;
    int type = flags & 3;
    if (type != MAP_PRIVATE && type != MAP_SHARED)
        return -EINVAL;
    uint64_t size = ALIGN_UP(len, PAGE_SIZE);
    if (size < len || size > USER_VA_END)
        return -ENOMEM;
    if (!(flags & MAP_ANONYMOUS)) {
        struct file *f = fd_get_open(current_process(), fd);
        if (!f)
            return -EBADF;
        if (f->kind != FILE_VNODE) {
            if (f->kind == FILE_ZERO)   /* mapping /dev/zero is anonymous memory */
                goto anonymous;
            return -ENODEV;
        }
        if (vfs_type(f->vnode) != VNODE_FILE)
            return -ENODEV;            /* a directory's file operations have no mmap */
        if ((f->flags & O_ACCMODE) == O_WRONLY)
            return -EACCES;
        if (type == MAP_SHARED && (prot & PROT_WRITE) && (f->flags & O_ACCMODE) != O_RDWR)
            return -EACCES;
        file = f->vnode;
        file_bytes = len;
    }
anonymous:
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (addr & (PAGE_SIZE - 1))
            return -EINVAL;
        if (addr >= USER_VA_END || size > USER_VA_END - addr)
            return -ENOMEM;            /* Linux's get_unmapped_area: past TASK_SIZE */
        if ((flags & MAP_FIXED_NOREPLACE) && !(flags & MAP_FIXED) && !vm_range_free(v, addr, size))
            return -EEXIST;
    } else if (!addr || (addr & (PAGE_SIZE - 1)) || !vm_range_free(v, addr, size)) {
        addr = vm_find_free(v, size);
        if (!addr)
            return -ENOMEM;
    }
    int err = vm_map_fixed(v, addr, size, prot, file, offset, file_bytes, NULL);
    if (err)
        return err;
    if (file && type == MAP_SHARED)
        vm_find(v, addr)->shared = true;
    else if (type == MAP_SHARED)
        vm_find(v, addr)->shared_anon = true;   /* one set of pages across fork */
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

SYSCALL(mprotect)
{
    if ((int)a2 & ~PROT_ALL)
        return -EINVAL;
    return vm_protect(vm(), user_untag(a0), a1, (int)a2);
}

/* Hints change nothing here; DONTNEED/FREE really drop the pages (they refault as zero or file
 * contents, which is what Linux guarantees for private mappings). */
SYSCALL(madvise)
{
    uint64_t start = user_untag(a0), len = ALIGN_UP(a1, PAGE_SIZE);
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    switch ((int)a2) {
    case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
    case MADV_HUGEPAGE: case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP:
        return 0;
    case MADV_DONTNEED:
    case MADV_FREE: {
        struct vm *v = vm();
        if (!vm_covered(v, start, start + len))
            return -ENOMEM;
        vm_drop_pages(v, start, start + len);
        return 0;
    }
    default:
        return -EINVAL;
    }
}
