/* Exception dispatch. Interrupts go to the interrupt layer; anything synchronous from the kernel
 * itself is a bug: dump the frame and power off with a failure status. */
#include "kernel.h"
#include "rseq.h"
#include "trap.h"
#include "irq.h"
#include "profile.h"
#include "timer.h"
#include "net.h"
#include "sysreg.h"
#include "syscall.h"
#include "process.h"
#include "vm.h"
#include "errno.h"
#include "signal.h"
#include "signal_arch.h"
#include "thread.h"
#include "seccomp.h"
#include "sched.h"
#include "kernel_lock.h"
#include "cputime.h"
#include "cpu.h"

static const char *exception_class(uint64_t ec)
{
    switch (ec) {
    case 0x00: return "unknown instruction";
    case 0x07: return "FP/SIMD access trapped";
    case 0x0e: return "illegal execution state";
    case 0x15: return "SVC (AArch64)";
    case 0x18: return "system register access";
    case 0x20: return "instruction abort from lower EL";
    case 0x21: return "instruction abort";
    case 0x22: return "PC alignment fault";
    case 0x24: return "data abort from lower EL";
    case 0x25: return "data abort";
    case 0x26: return "SP alignment fault";
    case 0x2f: return "SError";
    case 0x3c: return "BRK instruction";
    default:   return "other";
    }
}

static const char *const kind_names[] = { "synchronous", "IRQ", "FIQ", "SError" };

static void trap_dump(struct trap_frame *f, uint64_t kind, uint64_t from)
{
    uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
    kprintf("kernel: unexpected %s exception from %s: %s\n", kind_names[kind & 3],
            from >= FROM_EL0_64 ? "EL0" : "EL1", exception_class(esr >> 26));
    kprintf("  ESR %016lx  FAR %016lx\n  ELR %016lx  SPSR %016lx  SP_EL0 %016lx\n",
            esr, far, f->elr, f->spsr, f->sp_el0);
    for (int i = 0; i < 31; i += 3) {
        if (i + 2 < 31)
            kprintf("  x%-2d %016lx  x%-2d %016lx  x%-2d %016lx\n", i, f->x[i], i + 1, f->x[i + 1], i + 2, f->x[i + 2]);
        else
            kprintf("  x%-2d %016lx\n", i, f->x[i]);
    }
}

/* The program did something no signal handler can fix yet: say so, exit like a shell would
 * report it (128 + signal number). */
/* The trap frame of the system call in progress (rt_sigreturn, sigaltstack, clone): a trap
 * from user space always saves it at the top of the thread's kernel stack. */
struct trap_frame *arch_syscall_frame(void) { return current_thread()->frame; }

/* A fault the program caused: its handler runs, or the program dies as on Linux. */
static void fault_signal(struct trap_frame *f, int sig, int code, uint64_t addr, uint64_t esr, const char *what)
{
    struct ksiginfo info = { .signo = sig, .code = code, .addr = addr, .esr = esr };
    signal_fault(f, &info, what);
}

/* Synchronous exceptions from user space: system calls and page faults. */
static void user_sync(struct trap_frame *f)
{
    uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
    uint64_t ec = esr >> 26;
    switch (ec) {
    case 0x15:   /* SVC */
        signal_syscall_entry(f->x[0]);
        /* Linux takes the number as an int (el0_svc_common): the upper half of x8 is ignored.
         * seccomp sees the call first (elr: the instruction after the svc). */
        if (current_thread()->seccomp_mode && !seccomp_syscall_allowed(f, (uint32_t)f->x[8], f->x, f->elr))
            return;
        f->x[0] = syscall_dispatch((uint32_t)f->x[8], f->x);
        return;
    case 0x20:   /* instruction abort from EL0 */
    case 0x24: { /* data abort from EL0 */
        uint64_t fsc = esr & 0x3f;
        enum access access = ec == 0x20 ? ACCESS_EXEC :
                             ((esr & (1 << 6)) && !(esr & (1 << 8))) ? ACCESS_WRITE : ACCESS_READ;
        /* translation (0b0001xx), access flag (0b0010xx) and permission (0b0011xx) faults */
        uint64_t start = profile_enabled ? counter_now() : 0;
        struct vm *vm = current_process()->vm;
        int err = fsc >= 0x04 && fsc <= 0x0f ? vm_fault(vm, far, access) : -EFAULT;
        if (err == 0) {
            if (profile_enabled)
                profile_event(PROFILE_PAGE_FAULT, counter_now() - start);
            return;
        }
        if (err == -ENOMEM) {          /* Linux's OOM killer: SIGKILL, which no handler sees */
            kprintf("out of memory: killed at page fault %#lx pc %#lx\n", far, f->elr);
            process_die(SIGKILL);
        }
        if (err == -ENXIO)             /* past the end of a shared file mapping's file */
            fault_signal(f, SIGBUS, BUS_ADRERR, far, esr, "bus error (past the end of the file)");
        else if (fsc == 0x21)
            fault_signal(f, SIGBUS, BUS_ADRALN, far, esr, "bus error (alignment)");
        else   /* no mapping at all, or a mapping that forbids this access */
            fault_signal(f, SIGSEGV, vm_find(vm, far) ? SEGV_ACCERR : SEGV_MAPERR, far, esr, "segfault");
        return;
    }
    case 0x22:   /* PC alignment: FAR holds the pc */
        fault_signal(f, SIGBUS, BUS_ADRALN, far, esr, "bus error (misaligned pc)");
        return;
    case 0x26:
        fault_signal(f, SIGBUS, BUS_ADRALN, f->sp_el0, esr, "bus error (misaligned sp)");
        return;
    case 0x3c:
        fault_signal(f, SIGTRAP, TRAP_BRKPT, f->elr, esr, "breakpoint");
        return;
    default:     /* undefined instruction, trapped system register, illegal state, ... */
        fault_signal(f, SIGILL, ILL_ILLOPC, f->elr, esr, "illegal instruction");
        return;
    }
}

/* From user space the kernel lock is taken first and let go on the way back (kernel_lock.h);
 * a trap from the kernel itself mostly holds it already, except for an interrupt taken in an
 * idle window (the CPU let the lock go to sleep), whose handler takes it here. The thread may
 * move CPUs in between (a switch in sched_preempt): whichever CPU resumes it holds the lock. */
static void handle(struct trap_frame *f, uint64_t kind, uint64_t from)
{
    if (kind == TRAP_IRQ) {
        uint64_t start = profile_enabled ? counter_now() : 0;
        irq_handle();
        if (profile_enabled)
            profile_event(PROFILE_IRQ, counter_now() - start);
        /* User code was running, so lwIP is not mid-call: let it catch up. Only on the boot
         * CPU, which device interrupts go to (the others' ticks would only poll for nothing),
         * or where a send() left segments to build (net_output_owed). */
        if (from == FROM_EL0_64 && (this_cpu()->id == 0 || net_output_owed())) {
            start = profile_enabled ? counter_now() : 0;
            net_poll();
            if (profile_enabled)
                profile_event(PROFILE_NET_POLL, counter_now() - start);
        }
        if (from == FROM_EL0_64) {
            sched_preempt();            /* slice over, or a waiting thread can go on */
            signal_return_to_user(f);   /* e.g. SIGALRM from an interval timer */
            rseq_return_to_user(f);
        }
        return;
    }
    if (kind == TRAP_SYNC && from == FROM_EL0_64) {
        user_sync(f);
        signal_return_to_user(f);
        rseq_return_to_user(f);
        return;
    }
    kinfo_replay();
    trap_dump(f, kind, from);
    kernel_exit(1, EXIT_KERNEL_ERROR);
}

void trap_handle(struct trap_frame *f, uint64_t kind, uint64_t from)
{
    if (kind == TRAP_IRQ && from != FROM_EL0_64 && !kernel_lock_held()) {
        irq_handle_unlocked();
        return;
    }
    bool take = from == FROM_EL0_64 || !kernel_lock_held();
    uint64_t entered = from == FROM_EL0_64 ? counter_now() : 0;
    if (take)
        kernel_lock();
    /* An interrupt that lands in user code stays user time, as Linux's tick accounting charges
     * a tick to the mode it interrupted: a busy loop is user time however long a loaded host
     * makes the interrupt (and its wait for the lock held by another vCPU) take. Exceptions the
     * thread causes (system calls, faults) are its system time. */
    if (from == FROM_EL0_64 && kind != TRAP_IRQ)
        cputime_enter_kernel(entered);
    handle(f, kind, from);
    if (from == FROM_EL0_64)
        cputime_leave_kernel();        /* the thread that returns: handle may have switched */
    if (take)
        kernel_unlock();
}
