/* A thread's CPU state while it is switched out: the kernel registers a C function call may not
 * clobber (x19-x30, sp) and the user state the kernel never touches on its own (TPIDR_EL0, the
 * FP/SIMD registers), which therefore stays live in the CPU until another thread runs. */
#pragma once
#include <stdint.h>

struct fpsimd_regs {
    uint64_t vregs[64];        /* v0-v31, 128 bits each */
    uint32_t fpsr, fpcr;
} __attribute__((aligned(16)));

struct arch_context {
    uint64_t x19_to_x28[10];
    uint64_t fp, lr, sp;       /* x29, x30, the kernel stack pointer */
    uint64_t tpidr_el0;
    struct fpsimd_regs fpsimd;
};

void fpsimd_save(struct fpsimd_regs *r);
void fpsimd_load(const struct fpsimd_regs *r);

#include "sysreg.h"

/* The outgoing thread's user-only registers into its context, the incoming thread's out of it
 * (a CPU's idle loop has none: switching to it only saves, from it only loads). */
static inline void arch_save_user_state(struct arch_context *c)
{
    c->tpidr_el0 = read_sysreg(tpidr_el0);
    fpsimd_save(&c->fpsimd);
}

static inline void arch_load_user_state(const struct arch_context *c)
{
    write_sysreg(tpidr_el0, c->tpidr_el0);
    fpsimd_load(&c->fpsimd);
}

void arch_context_switch(struct arch_context *from, struct arch_context *to);
void arch_thread_entry(void);

/* A new thread's context: its first switch-in starts at arch_thread_entry, which enters user
 * space with `frame` (the trap frame at the top of its kernel stack). */
static inline void arch_context_init(struct arch_context *c, void *frame)
{
    c->x19_to_x28[0] = (uint64_t)frame;
    c->sp = (uint64_t)frame;
    c->lr = (uint64_t)arch_thread_entry;
    c->fp = 0;
}

/* A context whose first switch-in calls fn (which never returns) on the stack ending at
 * stack_top: a CPU's idle loop. */
static inline void arch_context_init_call(struct arch_context *c, uint64_t stack_top, void (*fn)(void))
{
    c->sp = stack_top;
    c->lr = (uint64_t)fn;
    c->fp = 0;
}
