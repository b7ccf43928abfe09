/* Switching kernel stacks between threads. arch_context_switch(from, to) saves the callee-saved
 * registers and sp into *from and resumes *to where it last switched out (or, for a new thread,
 * at thread_entry with x19 holding its trap frame). Interrupts are masked throughout. */
    .text
    .global arch_context_switch
arch_context_switch:
    stp     x19, x20, [x0, #16 * 0]
    stp     x21, x22, [x0, #16 * 1]
    stp     x23, x24, [x0, #16 * 2]
    stp     x25, x26, [x0, #16 * 3]
    stp     x27, x28, [x0, #16 * 4]
    stp     x29, x30, [x0, #16 * 5]
    mov     x2, sp
    str     x2, [x0, #16 * 6]
    ldp     x19, x20, [x1, #16 * 0]
    ldp     x21, x22, [x1, #16 * 1]
    ldp     x23, x24, [x1, #16 * 2]
    ldp     x25, x26, [x1, #16 * 3]
    ldp     x27, x28, [x1, #16 * 4]
    ldp     x29, x30, [x1, #16 * 5]
    ldr     x2, [x1, #16 * 6]
    mov     sp, x2
    ret

/* A new thread's first run: finish the scheduler's bookkeeping, then drop to user space with
 * the trap frame clone prepared (x19). */
    .global arch_thread_entry
arch_thread_entry:
    bl      sched_thread_started
    mov     x0, x19
    b       enter_user
