/* The memory limits as Linux's mm/ checks them (include/rlimit_mem.h). Sizes are counted from the
 * VMAs themselves rather than kept as counters: the sums are what Linux's total_vm and locked_vm
 * hold, and no path that maps or unmaps can leave them stale. */
#include "rlimit_mem.h"
#include "kernel.h"
#include "linux_uapi.h"
#include "process.h"
#include "mm.h"
#include "vm.h"

#define CAP_IPC_LOCK 14
#define STK_LIM      (8UL << 20)       /* Linux's _STK_LIM, the default RLIMIT_STACK */
#define ARG_MAX      (32UL * 4096)     /* 32 pages of Linux's 4 KiB: its floor for the arguments */

uint64_t vm_bytes_in(const struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t bytes = 0;
    for (const struct vma *v = vm ? vm->vmas : NULL; v && v->start < end; v = v->next) {
        uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
        if (lo < hi)
            bytes += hi - lo;
    }
    return bytes;
}

uint64_t vm_total_bytes(const struct vm *vm)
{
    return vm_bytes_in(vm, 0, UINT64_MAX);
}

/* Locked bytes of [start, end) (Linux's count_mm_mlocked_page_nr). */
static uint64_t locked_in(const struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t bytes = 0;
    for (const struct vma *v = vm->vmas; v && v->start < end; v = v->next) {
        uint64_t lo = v->start > start ? v->start : start, hi = v->end < end ? v->end : end;
        if (lo < hi && v->locked)
            bytes += hi - lo;
    }
    return bytes;
}

/* A limit in pages, as Linux compares them (rlimit >> PAGE_SHIFT: a partial page does not count). */
static uint64_t limit_pages(int resource)
{
    uint64_t limit = rlimit_current(resource);
    return limit == RLIM_INFINITY ? UINT64_MAX : limit >> PAGE_SHIFT;
}

/* Linux's data_vm: private writable mappings that are not stacks (the heap, .data/.bss,
 * anonymous memory), as mprotect leaves them now. */
static uint64_t data_bytes(const struct vm *vm)
{
    uint64_t bytes = 0;
    for (const struct vma *v = vm->vmas; v; v = v->next)
        if ((v->prot & PROT_WRITE) && !v->shared && !v->shared_anon && !v->growsdown && !v->fixed_pa)
            bytes += v->end - v->start;
    return bytes;
}

bool rlimit_may_become_data(const struct vm *vm, uint64_t bytes)
{
    uint64_t pages = (data_bytes(vm) + bytes) >> PAGE_SHIFT;
    if (pages <= limit_pages(RLIMIT_DATA))
        return true;
    /* Linux's workaround for Valgrind: a soft limit of 0 leaves it to the hard one */
    uint64_t hard = current_process()->rlimits[RLIMIT_DATA].rlim_max;
    return rlimit_current(RLIMIT_DATA) == 0 && (hard == RLIM_INFINITY || pages <= hard >> PAGE_SHIFT);
}

bool rlimit_may_expand(const struct vm *vm, uint64_t bytes, bool data)
{
    if ((vm_total_bytes(vm) + bytes) >> PAGE_SHIFT > limit_pages(RLIMIT_AS))
        return false;
    return !data || rlimit_may_become_data(vm, bytes);
}

bool rlimit_may_brk(const struct vm *vm, uint64_t brk)
{
    uint64_t limit = rlimit_current(RLIMIT_DATA);
    return limit == RLIM_INFINITY || (brk - vm->brk_start) + (vm->end_data - vm->start_data) <= limit;
}

static bool can_lock_unlimited(void)
{
    return process_capable(current_process(), CAP_IPC_LOCK);
}

bool rlimit_may_mlock(void)
{
    return rlimit_current(RLIMIT_MEMLOCK) != 0 || can_lock_unlimited();
}

bool rlimit_may_lock_more(const struct vm *vm, uint64_t bytes)
{
    return (vm_locked_bytes(vm) + bytes) >> PAGE_SHIFT <= limit_pages(RLIMIT_MEMLOCK) || can_lock_unlimited();
}

bool rlimit_may_lock_range(const struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t locked = (vm_locked_bytes(vm) + (end - start)) >> PAGE_SHIFT, limit = limit_pages(RLIMIT_MEMLOCK);
    if (locked > limit && !can_lock_unlimited())
        locked -= locked_in(vm, start, end) >> PAGE_SHIFT;
    return locked <= limit || can_lock_unlimited();
}

bool rlimit_may_lock_all(const struct vm *vm)
{
    return vm_total_bytes(vm) >> PAGE_SHIFT <= limit_pages(RLIMIT_MEMLOCK) || can_lock_unlimited();
}

bool rlimit_may_grow_stack(const struct vm *vm, const struct vma *v, uint64_t new_start)
{
    uint64_t grow = v->start - new_start;
    if (!rlimit_may_expand(vm, grow, false))
        return false;
    if (v->end - new_start > rlimit_current(RLIMIT_STACK))
        return false;
    return !v->locked || rlimit_may_lock_more(vm, grow);
}

uint64_t rlimit_exec_arg_space(void)
{
    uint64_t quarter = rlimit_current(RLIMIT_STACK) / 4, limit = STK_LIM / 4 * 3;
    if (quarter < limit)
        limit = quarter;
    return limit > ARG_MAX ? limit : ARG_MAX;
}

uint64_t rlimit_stack_max(void)
{
    return rlimit_current(RLIMIT_STACK);
}
