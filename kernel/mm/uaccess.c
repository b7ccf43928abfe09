/* User-memory access (interface: include/uaccess.h), the memory primitive exec, the syscalls,
 * the network, the file layer and the arch signal code all use. User memory is reached through
 * the kernel's direct map of the physical page behind each user page, after the VMA checks and
 * demand paging in vm_user_page. The MMU never sees a kernel access to a user address, so
 * permission faults in the kernel cannot happen. */
#include "kernel.h"
#include "uaccess.h"
#include "process.h"
#include "thread.h"
#include "vm.h"
#include "mm.h"
#include "errno.h"
#include <string.h>

/* With the tagged-address ABI on (PR_SET_TAGGED_ADDR_CTRL), a pointer's top byte is a tag the MMU
 * ignores (TCR_EL1.TBI0); system calls drop it as Linux's untagged_addr does. Sign-extending bit
 * 55 leaves a kernel address (bit 55 set) out of reach. Without the ABI a tagged pointer is
 * simply not a user address: EFAULT, as on Linux. */
uint64_t user_untag(uint64_t addr)
{
    struct thread *t = current_thread();
    if (!t || !t->tagged_addr)
        return addr;
    return (uint64_t)((int64_t)(addr << 8) >> 8);
}

static int copy_user(uint64_t uaddr, void *kbuf, size_t len, enum access access)
{
    uaddr = user_untag(uaddr);
    struct vm *vm = current_process()->vm;
    char *k = kbuf;
    if (uaddr >= USER_VA_END || len > USER_VA_END - uaddr)
        return -EFAULT;
    while (len) {
        uint64_t pa = vm_user_page(vm, uaddr, access);
        if (!pa)
            return -EFAULT;
        uint64_t off = uaddr & (PAGE_SIZE - 1);
        size_t n = PAGE_SIZE - off < len ? PAGE_SIZE - off : len;
        char *u = (char *)phys_to_virt(pa) + off;
        if (access == ACCESS_WRITE)
            memcpy(u, k, n);
        else
            memcpy(k, u, n);
        uaddr += n;
        k += n;
        len -= n;
    }
    return 0;
}

uint64_t user_writable_bytes(uint64_t uaddr, uint64_t len)
{
    struct vm *vm = current_process()->vm;
    uaddr = user_untag(uaddr);
    if (uaddr >= USER_VA_END)
        return 0;
    if (len > USER_VA_END - uaddr)
        len = USER_VA_END - uaddr;
    uint64_t ok = 0;
    while (ok < len) {
        if (!vm_user_page(vm, uaddr + ok, ACCESS_WRITE))
            break;
        ok += PAGE_SIZE - ((uaddr + ok) & (PAGE_SIZE - 1));
    }
    return ok < len ? ok : len;
}

int copy_from_user(void *dst, uint64_t src, size_t len) { return copy_user(src, dst, len, ACCESS_READ); }
int copy_to_user(uint64_t dst, const void *src, size_t len) { return copy_user(dst, (void *)src, len, ACCESS_WRITE); }

int64_t strncpy_from_user(char *dst, uint64_t src, size_t max)
{
    struct vm *vm = current_process()->vm;
    size_t i = 0;
    src = user_untag(src);
    while (i < max) {
        uint64_t a = src + i;
        uint64_t pa = a < USER_VA_END ? vm_user_page(vm, a, ACCESS_READ) : 0;
        if (!pa)
            return -EFAULT;
        const char *u = (const char *)phys_to_virt(pa);
        for (uint64_t off = a & (PAGE_SIZE - 1); off < PAGE_SIZE && i < max; off++, i++) {
            dst[i] = u[off];
            if (!dst[i])
                return (int64_t)i;
        }
    }
    return -ENAMETOOLONG;
}
