/* Exception dispatch. Interrupts go to the interrupt layer; anything synchronous from the kernel
 * itself is a bug: dump the frame and power off with a failure status. */
#include "kernel.h"
#include "trap.h"
#include "irq.h"
#include "sysreg.h"

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

void trap_dump(struct trap_frame *f, uint64_t kind, uint64_t from)
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

void trap_handle(struct trap_frame *f, uint64_t kind, uint64_t from)
{
    if (kind == TRAP_IRQ) {
        irq_handle();
        return;
    }
    kinfo_replay();
    trap_dump(f, kind, from);
    kernel_exit(1, EXIT_KERNEL_ERROR);
}
