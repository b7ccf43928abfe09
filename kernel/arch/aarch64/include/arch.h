/* What generic kernel code asks of the CPU architecture. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

static inline void arch_irq_enable(void) { __asm__ volatile("msr daifclr, #2" ::: "memory"); }
static inline void arch_irq_disable(void) { __asm__ volatile("msr daifset, #2" ::: "memory"); }
/* Mask interrupts and return the previous state, for code that may run with them either way. */
static inline uint64_t arch_irq_save(void)
{
    uint64_t daif;
    __asm__ volatile("mrs %0, daif\n msr daifset, #2" : "=r"(daif) : : "memory");
    return daif;
}
static inline void arch_irq_restore(uint64_t daif) { __asm__ volatile("msr daif, %0" : : "r"(daif) : "memory"); }
static inline void arch_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

/* The running CPU's struct cpu (cpu.h), kept in TPIDR_EL1: EL0 cannot read or change it. The
 * asm is volatile so the compiler never reuses a value across a context switch. */
struct cpu;
static inline struct cpu *arch_this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
    return c;
}
static inline void arch_set_this_cpu(struct cpu *c) { __asm__ volatile("msr tpidr_el1, %0" : : "r"(c) : "memory"); }

uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);
/* Fire the per-CPU timer interrupt when the counter reaches `counter` (one-shot, absolute);
 * UINT64_MAX: never (the timer is switched off). */
void arch_timer_arm_at(uint64_t counter);
void arch_timer_user_access(void);

/* After the MMU is on: drop the identity map, switch table access to the direct map. */
void arch_mmu_init(void);
/* The CPU's zeroing block in bytes (DC ZVA), 0 while it may not be used (zero_blocks.c), and
 * zeroing of n bytes at p, both multiples of it; whether the MMU is on, so every access is to
 * normal memory, where unaligned ones are allowed. */
#include <stddef.h>
extern size_t arch_zero_block;
extern bool arch_normal_memory;
void arch_zero_blocks_init(void);
void arch_zero_blocks(void *p, size_t n);
/* One line describing the CPU, and features user space may rely on. */
void arch_cpu_describe(char *buf, unsigned long size);
/* The exception level the kernel runs at now (CurrentEL; boot_info.entry_el says where it was entered). */
unsigned arch_current_el(void);
/* A hardware random number generator: whether there is one, and one value from it (false when
 * it had none to give this time). */
bool arch_has_rng(void);
bool arch_rng(uint64_t *out);

/* SMP (arch/aarch64/smp.c). Start the CPU with hardware id `hwid` at the secondary entry, where
 * it sets itself up and calls smp_secondary_main(c); false when the firmware refused. */
bool arch_cpu_start(struct cpu *c);
/* This CPU's hardware id (MPIDR_EL1's affinity fields), and what it says it is (MIDR_EL1:
 * implementer, variant, part, revision; /proc/cpuinfo shows each CPU's own). */
uint64_t arch_cpu_hwid(void);
uint64_t arch_cpu_ident(void);
/* Per-CPU architecture state a secondary needs before it runs anything (MMU registers as the
 * boot CPU left them, the timer's user access). */
void arch_cpu_init_secondary(void);
