/* Memory locks and residency: mlock, mlock2, munlock, mlockall, munlockall, mincore. Nothing is
 * ever swapped out here, so a lock only has to do what Linux's does before that matters: fault
 * the range in (unless MLOCK_ONFAULT / MCL_ONFAULT) and count in VmLck; the errnos are Linux's
 * (mm/mlock.c, mm/mincore.c); RLIMIT_MEMLOCK limits a caller without CAP_IPC_LOCK (rlimit_mem.c). */
#include "kernel.h"
#include "linux_uapi.h"
#include "syscall.h"
#include "process.h"
#include "vm.h"
#include "rlimit_mem.h"
#include "uvm.h"
#include "mm.h"
#include "page_cache.h"
#include "uaccess.h"
#include "errno.h"

#define MLOCK_ONFAULT 0x01
#define MCL_CURRENT 1
#define MCL_FUTURE  2
#define MCL_ONFAULT 4

static struct vm *vm(void) { return current_process()->vm; }

/* The page-aligned range [*start, *end) a (start, len) pair covers, as mlock rounds it; a lock
 * is first checked against RLIMIT_MEMLOCK (EPERM when it is 0, ENOMEM past it), as do_mlock. */
static int64_t lock_range(uint64_t addr, uint64_t len, bool lock, uint64_t *start, uint64_t *end)
{
    addr = user_untag(addr);
    if (lock && !rlimit_may_mlock())
        return -EPERM;
    *start = addr & ~(uint64_t)(PAGE_SIZE - 1);
    *end = *start + ALIGN_UP(len + (addr - *start), PAGE_SIZE);
    if (lock && *end > *start && !rlimit_may_lock_range(vm(), *start, *end))
        return -ENOMEM;
    if (*end < *start)
        return -EINVAL;
    if (*end != *start && !vm_covered(vm(), *start, *end))
        return -ENOMEM;
    return 0;
}

static int64_t do_mlock(uint64_t addr, uint64_t len, bool lock, bool on_fault)
{
    uint64_t start, end;
    int64_t err = lock_range(addr, len, lock, &start, &end);
    if (err || end == start)
        return err;
    err = vm_set_locked(vm(), start, end, lock);
    if (!err && lock && !on_fault)
        vm_populate(vm(), start, end);
    return err;
}

SYSCALL(mlock) { return do_mlock(a0, a1, true, false); }
SYSCALL(munlock) { return do_mlock(a0, a1, false, false); }

SYSCALL(mlock2)
{
    if (a2 & ~(uint64_t)MLOCK_ONFAULT)
        return -EINVAL;
    return do_mlock(a0, a1, true, a2 & MLOCK_ONFAULT);
}

SYSCALL(mlockall)
{
    uint64_t flags = a0;
    if (!flags || (flags & ~(uint64_t)(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
        return -EINVAL;
    if (!rlimit_may_mlock())
        return -EPERM;
    struct vm *m = vm();
    if ((flags & MCL_CURRENT) && !rlimit_may_lock_all(m))
        return -ENOMEM;
    m->lock_future = flags & MCL_FUTURE;
    if (flags & MCL_CURRENT) {
        for (struct vma *v = m->vmas; v; v = v->next)
            v->locked = !v->fixed_pa;
        if (!(flags & MCL_ONFAULT))
            for (struct vma *v = m->vmas; v; v = v->next)
                vm_populate(m, v->start, v->end);
    }
    return 0;
}

SYSCALL(munlockall)
{
    struct vm *m = vm();
    m->lock_future = false;
    for (struct vma *v = m->vmas; v; v = v->next)
        v->locked = false;
    return 0;
}

/* One byte per page: bit 0 set when the page is in memory now: this address space maps it
 * (anonymous memory is faulted in page by page; a file's pages around a fault come in together,
 * as with Linux's fault-around), or, for a file mapping, the file's page is in memory (a changed
 * file's own pages, the page cache's), as Linux looks in the page cache. A hole is ENOMEM. */
SYSCALL(mincore)
{
    uint64_t start = user_untag(a0);
    if (start & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t pages = ALIGN_UP(a1, PAGE_SIZE) / PAGE_SIZE;
    if (a1 > USER_VA_END || start + pages * PAGE_SIZE > USER_VA_END)
        return -ENOMEM;
    struct vm *m = vm();
    for (uint64_t i = 0; i < pages; i++) {
        uint64_t va = start + i * PAGE_SIZE;
        if (!vm_find(m, va))
            return -ENOMEM;
        struct vma *v = vm_find(m, va);
        int prot;
        uint8_t in = uvm_lookup(m->root, va, &prot) ? 1 : 0;
        if (!in && v->file && !v->fixed_pa)
            in = page_cache_resident(v->file, (v->file_offset + (va - v->start)) >> PAGE_SHIFT);
        if (copy_to_user(a2 + i, &in, 1))
            return -EFAULT;
    }
    return 0;
}
