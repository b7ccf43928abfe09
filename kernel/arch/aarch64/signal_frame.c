/* The arm64 signal frame, laid out byte for byte as Linux's (arch/arm64/kernel/signal.c): glibc's
 * ucontext_t, debuggers and runtimes that inspect or edit uc_mcontext (Go, the JVM) read it.
 *
 *   sp_top  -> frame record {x29, x30}      (x29 points here: unwinders walk through handlers)
 *              rt_sigframe { siginfo (128 bytes); ucontext { ... sigcontext { ... __reserved } } }
 *   sp      -> start of rt_sigframe, 16-byte aligned
 *
 * sigcontext.__reserved holds tagged records: fpsimd_context always, esr_context for a fault,
 * then a zero terminator. No SVE state: we do not advertise SVE (AT_HWCAP), so none is live. */
#include "kernel.h"
#include "signal_arch.h"
#include "trap.h"
#include "context.h"
#include "sysreg.h"
#include "uaccess.h"
#include "vm.h"
#include "uvm.h"
#include "mm.h"
#include "errno.h"
#include "linux_abi.h"
#include <stddef.h>
#include <string.h>

#define FPSIMD_MAGIC 0x46508001u
#define ESR_MAGIC    0x45535201u

#define PSR_NZCV     0xf0000000UL
#define PSR_BTYPE    (3UL << 10)
#define PSR_BAD      (0xfUL | (1UL << 4) | (0xfUL << 6))   /* mode not EL0t, AArch32, D/A/I/F masked */

struct user_stack {
    uint64_t ss_sp;
    int32_t ss_flags;
    int32_t pad;
    uint64_t ss_size;
};

struct sigcontext {
    uint64_t fault_address;
    uint64_t regs[31];
    uint64_t sp, pc, pstate;
    uint8_t reserved[4096] __attribute__((aligned(16)));
};

struct ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    struct user_stack uc_stack;
    uint64_t uc_sigmask;
    uint8_t unused[1024 / 8 - 8];      /* glibc's sigset_t is 1024 bits */
    struct sigcontext uc_mcontext;
};

struct siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    union {
        struct { int32_t pid; uint32_t uid; uint64_t value; } kill;
        struct { uint64_t addr; } fault;
        struct { uint64_t call_addr; int32_t syscall; uint32_t arch; } sys;   /* SIGSYS */
        struct { int64_t band; int32_t fd; } poll;                           /* F_SETSIG */
        uint8_t bytes[112];
    };
};

struct rt_sigframe {
    struct siginfo info;
    struct ucontext uc;
};

struct ctx_head {
    uint32_t magic, size;
};

struct fpsimd_context {
    struct ctx_head head;
    uint32_t fpsr, fpcr;
    uint64_t vregs[64];                /* 32 x 128 bits */
};

struct esr_context {
    struct ctx_head head;
    uint64_t esr;
};

struct frame_record {
    uint64_t fp, lr;
};


_Static_assert(sizeof(struct siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(offsetof(struct ucontext, uc_mcontext) == 176, "uc_mcontext offset as in glibc");
_Static_assert(offsetof(struct sigcontext, reserved) == 288, "__reserved offset");
_Static_assert(sizeof(struct rt_sigframe) == 4688, "rt_sigframe size as on Linux arm64");
_Static_assert(sizeof(struct fpsimd_context) == 528, "fpsimd_context size");

uint64_t arch_user_sp(const struct trap_frame *f) { return f->sp_el0; }
uint64_t arch_user_pc(const struct trap_frame *f) { return f->elr; }
void arch_set_user_pc(struct trap_frame *f, uint64_t pc) { f->elr = pc; }
void arch_set_user_sp(struct trap_frame *f, uint64_t sp) { f->sp_el0 = sp; }
uint64_t arch_current_tls(void) { return read_sysreg(tpidr_el0); }
int64_t arch_syscall_result(const struct trap_frame *f) { return (int64_t)f->x[0]; }
void arch_set_syscall_result(struct trap_frame *f, int64_t value) { f->x[0] = (uint64_t)value; }

void arch_restart_syscall(struct trap_frame *f, uint64_t orig_arg0)
{
    f->x[0] = orig_arg0;
    f->elr -= 4;                       /* back onto the svc */
}

/* Linux's signal_minsigstksz: the frame, its frame record, and alignment slack. */
uint64_t arch_signal_min_stack(void)
{
    return sizeof(struct rt_sigframe) + sizeof(struct frame_record) + 16;
}

/* Which union member Linux fills depends on the code: a fault's address for the fault signals'
 * positive codes, nothing more for SI_KERNEL, the sender (and value) for the rest. */
static void fill_siginfo(struct siginfo *si, const struct ksiginfo *info)
{
    int sig = info->signo;
    bool fault_signal = sig == SIGILL || sig == SIGTRAP || sig == SIGBUS || sig == SIGFPE || sig == SIGSEGV;
    si->si_signo = sig;
    si->si_code = info->code;
    si->si_errno = info->errno_value;
    if (info->poll) {
        si->poll.band = info->band;
        si->poll.fd = info->fd;
    } else if (sig == SIGSYS && info->code > 0) {
        si->sys.call_addr = info->addr;
        si->sys.syscall = info->syscall;
        si->sys.arch = info->arch;
    } else if (fault_signal && info->code > 0 && info->code != SI_KERNEL) {
        si->fault.addr = info->addr;
    } else if (info->code != SI_KERNEL) {
        si->kill.pid = info->pid;
        si->kill.uid = info->uid;
        si->kill.value = info->value;
    }
}

int arch_siginfo_to_user(uint64_t uaddr, const struct ksiginfo *info)
{
    struct siginfo si;
    memset(&si, 0, sizeof(si));
    fill_siginfo(&si, info);
    return copy_to_user(uaddr, &si, sizeof(si)) ? -EFAULT : 0;
}

int arch_signal_push_frame(struct trap_frame *f, uint64_t sp, const struct ksiginfo *info,
                           const struct kernel_sigaction *act, uint64_t trampoline,
                           uint64_t saved_blocked, const struct altstack *stack)
{
    uint64_t record_at = ALIGN_DOWN(sp - sizeof(struct frame_record), 16);
    uint64_t frame_at = record_at - sizeof(struct rt_sigframe);
    if (frame_at > sp || frame_at < PAGE_SIZE)
        return -EFAULT;
    struct rt_sigframe *fr = kzalloc(sizeof(*fr));
    if (!fr)
        return -EFAULT;

    if (act->flags & SA_SIGINFO)
        fill_siginfo(&fr->info, info);
    struct user_stack *us = &fr->uc.uc_stack;
    us->ss_sp = stack->sp;
    us->ss_size = stack->size;
    /* Linux's __save_altstack saves the flags as sigaltstack was given them (not whether the
     * interrupted code ran on the stack); never set, or disarmed, reads SS_DISABLE. */
    us->ss_flags = (int32_t)(stack->size ? stack->flags : (stack->flags & SS_AUTODISARM) | SS_DISABLE);
    fr->uc.uc_sigmask = saved_blocked;

    struct sigcontext *sc = &fr->uc.uc_mcontext;
    memcpy(sc->regs, f->x, sizeof(sc->regs));
    sc->sp = f->sp_el0;
    sc->pc = f->elr;
    sc->pstate = f->spsr;
    sc->fault_address = info->code > 0 && info->signo != SIGTRAP ? info->addr : 0;

    struct fpsimd_regs regs;
    fpsimd_save(&regs);
    struct fpsimd_context *fp = (struct fpsimd_context *)sc->reserved;
    fp->head = (struct ctx_head){ FPSIMD_MAGIC, sizeof(*fp) };
    fp->fpsr = regs.fpsr;
    fp->fpcr = regs.fpcr;
    memcpy(fp->vregs, regs.vregs, sizeof(fp->vregs));
    size_t used = sizeof(*fp);
    if (info->esr) {
        struct esr_context *e = (struct esr_context *)(sc->reserved + used);
        e->head = (struct ctx_head){ ESR_MAGIC, sizeof(*e) };
        e->esr = info->esr;
        used += sizeof(*e);
    }
    /* The terminator is the zeroed record that follows. */

    struct frame_record rec = { f->x[29], f->x[30] };
    int err = copy_to_user(frame_at, fr, sizeof(*fr)) || copy_to_user(record_at, &rec, sizeof(rec)) ? -EFAULT : 0;
    kfree(fr);
    if (err)
        return err;

    f->x[0] = (uint64_t)info->signo;
    if (act->flags & SA_SIGINFO) {
        f->x[1] = frame_at + offsetof(struct rt_sigframe, info);
        f->x[2] = frame_at + offsetof(struct rt_sigframe, uc);
    }
    f->sp_el0 = frame_at;
    f->x[29] = record_at;
    f->x[30] = act->flags & SA_RESTORER ? act->restorer : trampoline;
    f->elr = act->handler;
    f->spsr &= ~PSR_BTYPE;
    return 0;
}

/* The records in __reserved: exactly one fpsimd_context, an optional esr_context (ignored on
 * the way back, as Linux does), then the terminator. Anything else is a forged frame. */
static const struct fpsimd_context *find_fpsimd(const struct sigcontext *sc)
{
    const struct fpsimd_context *fp = NULL;
    size_t off = 0;
    while (off + sizeof(struct ctx_head) <= sizeof(sc->reserved)) {
        const struct ctx_head *h = (const struct ctx_head *)(sc->reserved + off);
        if (h->magic == 0)
            return h->size == 0 ? fp : NULL;
        if (h->size < sizeof(*h) || h->size % 16 || h->size > sizeof(sc->reserved) - off)
            return NULL;
        if (h->magic == FPSIMD_MAGIC) {
            if (fp || h->size != sizeof(struct fpsimd_context))
                return NULL;
            fp = (const struct fpsimd_context *)h;
        } else if (h->magic != ESR_MAGIC) {
            return NULL;
        }
        off += h->size;
    }
    return NULL;
}

int arch_signal_pop_frame(struct trap_frame *f, uint64_t *blocked, struct altstack *stack)
{
    uint64_t frame_at = f->sp_el0;
    if (frame_at & 15)
        return -EFAULT;
    struct rt_sigframe *fr = kmalloc(sizeof(*fr));
    if (!fr)
        return -EFAULT;
    int err = -EFAULT;
    const struct fpsimd_context *fp;
    if (copy_from_user(fr, frame_at, sizeof(*fr)) || !(fp = find_fpsimd(&fr->uc.uc_mcontext)))
        goto out;
    const struct sigcontext *sc = &fr->uc.uc_mcontext;
    memcpy(f->x, sc->regs, sizeof(f->x));
    f->sp_el0 = sc->sp;
    f->elr = sc->pc;
    /* Linux's valid_user_regs: anything but a plain EL0t state keeps only the condition flags,
     * and the frame is bad (rt_sigreturn then raises SIGSEGV with the registers as restored). */
    bool forged = sc->pstate & PSR_BAD;
    f->spsr = forged ? sc->pstate & PSR_NZCV : sc->pstate;
    if (forged)
        goto out;
    struct fpsimd_regs regs;
    memcpy(regs.vregs, fp->vregs, sizeof(regs.vregs));
    regs.fpsr = fp->fpsr;
    regs.fpcr = fp->fpcr;
    fpsimd_load(&regs);
    *blocked = fr->uc.uc_sigmask;
    stack->sp = fr->uc.uc_stack.ss_sp;
    stack->size = fr->uc.uc_stack.ss_size;
    stack->flags = (uint32_t)fr->uc.uc_stack.ss_flags;
    err = 0;
out:
    kfree(fr);
    return err;
}

/* movz x8, #139 (rt_sigreturn); svc #0 */
static const uint32_t sigreturn_code[] = { 0xd2801168u, 0xd4000001u };

uint64_t arch_map_sigreturn_page(struct vm *vm)
{
    uint64_t at = vm_find_free(vm, PAGE_SIZE), pa;
    if (!at || vm_map_fixed(vm, at, PAGE_SIZE, PROT_READ | PROT_EXEC, NULL, 0, 0, "[sigpage]"))
        return 0;
    if (!(pa = page_alloc(1)))
        return 0;
    memset(phys_to_virt(pa), 0, PAGE_SIZE);
    memcpy(phys_to_virt(pa), sigreturn_code, sizeof(sigreturn_code));
    if (uvm_map_page(vm->root, at, pa, PROT_READ | PROT_EXEC)) {
        page_free(pa, 1);
        return 0;
    }
    vm->pages++;
    return at;
}
