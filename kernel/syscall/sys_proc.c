/* Process lifetime and the signal bookkeeping glibc does at start-up. Signals are recorded, not
 * yet delivered (the signals issue adds delivery). */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "uaccess.h"
#include "signal.h"
#include "vfs.h"
#include "mm.h"
#include "errno.h"
#include "idle.h"
#include "profile.h"
#include "irq.h"
#include "timer.h"
#include <string.h>

#define SIGKILL 9
#define SIGSTOP 19
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* With the memstats kernel option, the kernel's memory use at exit (a soak test compares it with
 * an idle run to prove buffers are released) and how busy the CPU was (a benchmark's split
 * between our code path and time spent outside the guest). */
static void report_memory(void)
{
    const struct boot_manifest *m = vfs_root() ? vfs_manifest() : NULL;
    uint64_t bytes, blocks;
    if (!m || !m->memstats)
        return;
    heap_stats(&bytes, &blocks);
    kprintf("memstats: heap %lu bytes in %lu blocks, %lu of %lu pages free\n", bytes, blocks,
            page_free_count(), page_total_count());
    uint64_t up_ms = counter_to_ns(counter_now()) / 1000000, idle_ms = cpu_idle_ns() / 1000000;
    kprintf("memstats: cpu busy %lu ms, idle %lu ms; %lu interrupts\n", up_ms - idle_ms, idle_ms,
            irq_handled_count());
}

void process_exit(int status)
{
    profile_report();
    report_memory();
    kernel_exit(status & 0xff, EXIT_NORMAL);
}

SYSCALL(exit) { process_exit((int)a0); }
SYSCALL(exit_group) { process_exit((int)a0); }

SYSCALL(set_tid_address)
{
    current_process()->clear_child_tid = a0;
    return current_process()->pid;
}

SYSCALL(set_robust_list)
{
    if (a1 != 24)   /* sizeof(struct robust_list_head) on 64-bit */
        return -EINVAL;
    current_process()->robust_list = a0;
    current_process()->robust_list_len = a1;
    return 0;
}

struct kernel_sigaction {
    uint64_t handler, flags, restorer, mask;
};

SYSCALL(rt_sigaction)
{
    int sig = (int)a0;
    struct process *p = current_process();
    if (a3 != 8 || sig < 1 || sig > 64)
        return -EINVAL;
    if (a1 && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    struct kernel_sigaction old;
    memcpy(&old, &p->sigactions[sig - 1], sizeof(old));
    if (a1) {
        struct kernel_sigaction act;
        if (copy_from_user(&act, a1, sizeof(act)))
            return -EFAULT;
        memcpy(&p->sigactions[sig - 1], &act, sizeof(act));
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    signals_deliver(p);   /* a pending signal may now be ignored (dropped) or fatal */
    return 0;
}

SYSCALL(rt_sigprocmask)
{
    struct process *p = current_process();
    uint64_t set, old = p->sigmask;
    if (a3 != 8)
        return -EINVAL;
    if (a1) {
        if (copy_from_user(&set, a1, sizeof(set)))
            return -EFAULT;
        set &= ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1)));
        switch ((int)a0) {
        case SIG_BLOCK: p->sigmask |= set; break;
        case SIG_UNBLOCK: p->sigmask &= ~set; break;
        case SIG_SETMASK: p->sigmask = set; break;
        default: return -EINVAL;
        }
    }
    if (a2 && copy_to_user(a2, &old, sizeof(old)))
        return -EFAULT;
    signals_deliver(p);   /* unblocking may release a pending signal */
    return 0;
}
