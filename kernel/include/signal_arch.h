/* What the generic signal code asks of the architecture: the handler's frame on the user stack
 * (Linux's rt_sigframe for this architecture), and the few registers a system call's restart
 * touches. */
#pragma once
#include <stdint.h>
#include "signal.h"

struct trap_frame;
struct vm;

/* Build the frame at or below sp and point the registers at the handler. `saved_blocked` is the
 * mask rt_sigreturn puts back, `stack` the alternate-stack settings it restores. Returns 0, or
 * -EFAULT when the frame does not fit writable memory. */
int arch_signal_push_frame(struct trap_frame *f, uint64_t sp, const struct ksiginfo *info,
                           const struct kernel_sigaction *act, uint64_t trampoline,
                           uint64_t saved_blocked, const struct altstack *stack);
/* Take down the frame at the user stack pointer (rt_sigreturn): registers, FP/SIMD state, and
 * the mask and alternate stack to restore. Returns 0 or -EFAULT for a missing or forged frame. */
int arch_signal_pop_frame(struct trap_frame *f, uint64_t *blocked, struct altstack *stack);
/* The smallest alternate stack a handler frame fits on (AT_MINSIGSTKSZ, and sigaltstack's check). */
uint64_t arch_signal_min_stack(void);
/* Map a page whose code calls rt_sigreturn ([sigpage]), for handlers installed without
 * SA_RESTORER in a program without the vDSO (whose __kernel_rt_sigreturn is the trampoline
 * otherwise, as on Linux). Returns its user address, 0 if out of memory. */
uint64_t arch_map_sigreturn_page(struct vm *vm);

/* The trap frame of the system call being handled (rt_sigreturn and sigaltstack need it). */
struct trap_frame *arch_syscall_frame(void);
/* Write a 128-byte Linux siginfo for info to user memory (rt_sigtimedwait). */
int arch_siginfo_to_user(uint64_t uaddr, const struct ksiginfo *info);

uint64_t arch_user_sp(const struct trap_frame *f);
void arch_set_user_sp(struct trap_frame *f, uint64_t sp);
/* The TLS register (TPIDR_EL0) as the running thread has it. */
uint64_t arch_current_tls(void);
uint64_t arch_user_pc(const struct trap_frame *f);
void arch_set_user_pc(struct trap_frame *f, uint64_t pc);
int64_t arch_syscall_result(const struct trap_frame *f);
void arch_set_syscall_result(struct trap_frame *f, int64_t value);
/* Make the svc run again with its first argument as it came in. */
void arch_restart_syscall(struct trap_frame *f, uint64_t orig_arg0);
