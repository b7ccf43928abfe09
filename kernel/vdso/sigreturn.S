/* __kernel_rt_sigreturn: where a signal handler installed without SA_RESTORER returns (the
 * kernel puts its address in the handler's x30), as Linux's arm64 vDSO has it
 * (arch/arm64/kernel/vdso/sigreturn.S). Unwinders recognise the signal frame two ways, both kept:
 * the exact two instructions (GDB, libgcc's fallback, libunwind look for them at the PC), and
 * the CFI below, which finds the frame record the kernel pushed ({x29, x30} of the interrupted
 * code, which x29 points at). */
    .text

    .cfi_startproc
    .cfi_signal_frame
    .cfi_def_cfa x29, 0
    .cfi_offset x29, 0 * 8
    .cfi_offset x30, 1 * 8
    /* Unwinders that take one from the return address to find the caller land here, inside
     * this CFI's range, not in whatever came before. */
    nop

    .globl __kernel_rt_sigreturn
    .type __kernel_rt_sigreturn, %function
__kernel_rt_sigreturn:
    mov x8, #139                /* __NR_rt_sigreturn */
    svc #0
    .cfi_endproc
    .size __kernel_rt_sigreturn, . - __kernel_rt_sigreturn
