/* process_vm_readv/process_vm_writev: bytes between the caller's memory (the local iovecs) and
 * another process's (the remote ones), in Linux's order (mm/process_vm_access.c): flags, the local
 * array (EINVAL past UIO_MAXIOV or for a negative length, EFAULT), nothing to move (0, before the
 * pid is even looked at), the remote array, no remote byte (0), the target (ESRCH, EPERM). Then
 * remote page by page: a page that cannot be had (unmapped, or not writable for a write) ends
 * the transfer with EFAULT, and so does a local fault; whatever moved before counts. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "vm.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_uapi.h"

#define MAX_RW_COUNT (0x7fffffffu & ~(uint32_t)(PAGE_SIZE - 1))   /* what one call moves at most */

/* An iovec array from user space: EINVAL, EFAULT, or 0 with the array (kfree it). */
static int import(uint64_t uvec, uint64_t count, struct linux_iovec **out)
{
    if (count > UIO_MAXIOV)
        return -EINVAL;
    struct linux_iovec *v = kmalloc(count ? count * sizeof(*v) : 1);
    if (!v)
        return -ENOMEM;
    if (copy_from_user(v, uvec, count * sizeof(*v))) {
        kfree(v);
        return -EFAULT;
    }
    for (uint64_t i = 0; i < count; i++)
        if ((int64_t)v[i].iov_len < 0) {
            kfree(v);
            return -EINVAL;
        }
    *out = v;
    return 0;
}

/* The local side as one cursor over its iovecs, capped at MAX_RW_COUNT as import_iovec caps. */
struct cursor {
    const struct linux_iovec *v;
    uint64_t count, i, off, left;
};

/* Move up to n bytes between kernel address k and the local side, split at local page
 * boundaries (a fault stops exactly where the first unreachable page starts). Bytes moved. */
static uint64_t move_local(struct cursor *c, uint8_t *k, uint64_t n, bool to_user, bool *fault)
{
    uint64_t done = 0;
    while (done < n && c->left) {
        while (c->i < c->count && c->off == c->v[c->i].iov_len) {
            c->i++;
            c->off = 0;
        }
        uint64_t at = c->v[c->i].iov_base + c->off, room = c->v[c->i].iov_len - c->off;
        uint64_t step = n - done;
        step = step < room ? step : room;
        step = step < c->left ? step : c->left;
        uint64_t to_page_end = PAGE_SIZE - (at & (PAGE_SIZE - 1));
        step = step < to_page_end ? step : to_page_end;
        if (to_user ? copy_to_user(at, k + done, step) : copy_from_user(k + done, at, step)) {
            *fault = true;
            break;
        }
        done += step;
        c->off += step;
        c->left -= step;
    }
    return done;
}

static int64_t process_vm_rw(int pid, uint64_t lvec, uint64_t liovcnt, uint64_t rvec, uint64_t riovcnt,
                             uint64_t flags, bool write)
{
    if (flags)
        return -EINVAL;
    struct linux_iovec *local, *remote = NULL;
    int err = import(lvec, liovcnt, &local);
    if (err)
        return err;
    struct cursor c = { local, liovcnt, 0, 0, 0 };
    for (uint64_t i = 0; i < liovcnt && c.left < MAX_RW_COUNT; i++)
        c.left += local[i].iov_len < MAX_RW_COUNT - c.left ? local[i].iov_len : MAX_RW_COUNT - c.left;
    int64_t ret = 0;
    if (!c.left || (ret = import(rvec, riovcnt, &remote)))
        goto out;
    bool any = false;
    for (uint64_t i = 0; i < riovcnt; i++)
        any |= remote[i].iov_len > 0;
    if (!any)
        goto out;
    struct process *me = current_process(), *t = process_of_task(pid);
    if (!t || !t->vm || t->state != PROCESS_LIVE) {
        ret = -ESRCH;
        goto out;
    }
    if (!process_may_inspect(me, t)) {
        ret = -EPERM;
        goto out;
    }
    uint64_t moved = 0;
    bool fault = false;
    for (uint64_t i = 0; i < riovcnt && c.left && !fault; i++) {
        uint64_t addr = user_untag(remote[i].iov_base), len = remote[i].iov_len;
        while (len && c.left && !fault) {
            uint64_t pa = vm_user_page(t->vm, addr, write ? ACCESS_WRITE : ACCESS_READ);
            if (!pa) {
                fault = true;
                break;
            }
            uint64_t in_page = PAGE_SIZE - (addr & (PAGE_SIZE - 1));
            uint64_t n = len < in_page ? len : in_page;
            uint8_t *k = (uint8_t *)phys_to_virt(pa) + (addr & (PAGE_SIZE - 1));
            uint64_t done = move_local(&c, k, n, !write, &fault);
            moved += done;
            addr += done;
            len -= done;
            if (done < n && !fault)
                break;                 /* the local side is full */
        }
    }
    ret = moved ? (int64_t)moved : fault ? -EFAULT : 0;
out:
    kfree(local);
    kfree(remote);
    return ret;
}

SYSCALL(process_vm_readv) { return process_vm_rw((int)a0, a1, a2, a3, a4, a5, false); }
SYSCALL(process_vm_writev) { return process_vm_rw((int)a0, a1, a2, a3, a4, a5, true); }
