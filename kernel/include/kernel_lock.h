/* The kernel lock: one spinlock that serializes all kernel code across CPUs (a "big kernel
 * lock"). A CPU takes it on every entry from user space (system call, fault, interrupt) and lets
 * it go when it returns to user space or sleeps in its idle WFI; interrupts taken in the kernel
 * (only ever in those idle windows, or at boot) run with it already held. So user code runs on
 * every CPU at once while kernel code runs on one at a time, and everything the kernel keeps
 * (threads, the run list, files, VM areas, page tables, the heap, lwIP) stays as safe as it was
 * on one CPU with interrupts masked. It is held across a context switch: the CPU holds it, not
 * the thread. Lock order: it is the only lock the kernel takes after boot (spinlock.h), so there
 * is no order to break. It is always taken with interrupts masked. */
#pragma once
#include <stdbool.h>

void kernel_lock(void);
/* From an interrupt handler that already acknowledged its interrupt: spins only. */
void kernel_lock_in_irq(void);
void kernel_unlock(void);
/* This CPU holds it (for assertions). */
bool kernel_lock_held(void);
