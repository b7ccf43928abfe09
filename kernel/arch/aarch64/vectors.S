/* EL1 exception vectors. Every entry saves a full trap frame (x0-x30, sp_el0, elr, spsr) so the
 * C handler can print it or, later, return to user space with it. */
#define FRAME_SIZE (34 * 8)

.macro save_frame
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #16 * 0]
    stp     x2, x3, [sp, #16 * 1]
    stp     x4, x5, [sp, #16 * 2]
    stp     x6, x7, [sp, #16 * 3]
    stp     x8, x9, [sp, #16 * 4]
    stp     x10, x11, [sp, #16 * 5]
    stp     x12, x13, [sp, #16 * 6]
    stp     x14, x15, [sp, #16 * 7]
    stp     x16, x17, [sp, #16 * 8]
    stp     x18, x19, [sp, #16 * 9]
    stp     x20, x21, [sp, #16 * 10]
    stp     x22, x23, [sp, #16 * 11]
    stp     x24, x25, [sp, #16 * 12]
    stp     x26, x27, [sp, #16 * 13]
    stp     x28, x29, [sp, #16 * 14]
    mrs     x21, sp_el0
    stp     x30, x21, [sp, #16 * 15]
    mrs     x22, elr_el1
    mrs     x23, spsr_el1
    stp     x22, x23, [sp, #16 * 16]
.endm

.macro restore_frame
    ldp     x22, x23, [sp, #16 * 16]
    msr     elr_el1, x22
    msr     spsr_el1, x23
    ldp     x30, x21, [sp, #16 * 15]
    msr     sp_el0, x21
    ldp     x0, x1, [sp, #16 * 0]
    ldp     x2, x3, [sp, #16 * 1]
    ldp     x4, x5, [sp, #16 * 2]
    ldp     x6, x7, [sp, #16 * 3]
    ldp     x8, x9, [sp, #16 * 4]
    ldp     x10, x11, [sp, #16 * 5]
    ldp     x12, x13, [sp, #16 * 6]
    ldp     x14, x15, [sp, #16 * 7]
    ldp     x16, x17, [sp, #16 * 8]
    ldp     x18, x19, [sp, #16 * 9]
    ldp     x20, x21, [sp, #16 * 10]
    ldp     x22, x23, [sp, #16 * 11]
    ldp     x24, x25, [sp, #16 * 12]
    ldp     x26, x27, [sp, #16 * 13]
    ldp     x28, x29, [sp, #16 * 14]
    add     sp, sp, #FRAME_SIZE
.endm

/* kind: 0 sync, 1 irq, 2 fiq, 3 serror; from: 0 EL1 SP_EL0, 1 EL1 SP_ELx, 2 EL0 64-bit, 3 EL0 32-bit */
.macro vector kind, from
    .balign 128
    save_frame
    mov     x0, sp
    mov     x1, #\kind
    mov     x2, #\from
    b       trap_common
.endm

    .text
    .balign 2048
    .global vectors_el1
vectors_el1:
    vector 0, 0
    vector 1, 0
    vector 2, 0
    vector 3, 0
    vector 0, 1
    vector 1, 1
    vector 2, 1
    vector 3, 1
    vector 0, 2
    vector 1, 2
    vector 2, 2
    vector 3, 2
    vector 0, 3
    vector 1, 3
    vector 2, 3
    vector 3, 3

/* First entry to user space: x0 points at a prepared trap frame at the top of the kernel stack
 * the thread will trap onto from now on. Interrupts are masked first: an IRQ taken between
 * writing ELR/SPSR and the eret would overwrite them (the eret then unmasks via the SPSR). The
 * kernel lock is let go here, as on every return to user space, and the thread's CPU time
 * counts as user time from here (cputime.h). */
    .global enter_user
enter_user:
    msr     daifset, #0xf
    mov     x19, x0
    bl      cputime_leave_kernel
    bl      kernel_unlock
    mov     sp, x19
    restore_frame
    eret

/* Handlers may have unmasked interrupts (to wait); an IRQ between writing ELR/SPSR and the eret
 * would overwrite them, so the return path always runs masked. */
trap_common:
    bl      trap_handle
    msr     daifset, #0xf
    restore_frame
    eret
