/* The vDSO's bytes in the kernel image, page-aligned, between vdso_image_start and
 * vdso_image_end (exec/vdso.c maps a copy into every program). VDSO_SO is the path make built. */
    .section .rodata.vdso, "a"
    .balign 4096
    .globl vdso_image_start
vdso_image_start:
    .incbin VDSO_SO
    .balign 4096
    .globl vdso_image_end
vdso_image_end:
