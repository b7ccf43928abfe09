/* Where UEFI firmware enters the kernel (the PE header's AddressOfEntryPoint), as an EFI
 * application: x0 = image handle, x1 = system table, MMU on with an identity map, at EL2 or EL1,
 * running from wherever the firmware loaded us. efi_stub_main (kernel/efi/efi_stub.c) does the
 * talking to the firmware and leaves a copy of the image at a 2 MiB-aligned address, cleaned to
 * the point of coherency with the device tree it prepared; here we leave the firmware's world
 * as Linux's stub does (arch/arm64/kernel/efi-entry.S): interrupts masked, MMU and data cache
 * off at the current EL, then primary_entry of the copy with x0 = the device tree, the normal
 * boot path (head.S). Only PC-relative addressing: we are linked high and run low. */

    /* Kept by the linker script: only the PE header refers to it, which --gc-sections ignores. */
    .section .text.efi_entry, "ax"
    .global efi_pe_entry
efi_pe_entry:
    stp     x29, x30, [sp, #-32]!
    mov     x29, sp
    add     x2, sp, #16             /* struct efi_handoff { kernel_pa, fdt_pa } on our stack */
    bl      efi_stub_main
    cbnz    x0, 9f                  /* an EFI status: give it back to the firmware */
    ldp     x19, x20, [sp, #16]

    msr     daifset, #0xf
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    1f
    mrs     x0, sctlr_el2
    bic     x0, x0, #(1 << 0)       /* M */
    bic     x0, x0, #(1 << 2)       /* C */
    msr     sctlr_el2, x0
    isb
    b       2f
1:  mrs     x0, sctlr_el1
    bic     x0, x0, #(1 << 0)
    bic     x0, x0, #(1 << 2)
    msr     sctlr_el1, x0
    isb
2:  ic      iallu                   /* the copy's code must not come from stale I-cache lines */
    dsb     nsh
    isb
    adrp    x1, primary_entry
    add     x1, x1, :lo12:primary_entry
    adrp    x2, _head
    add     x2, x2, :lo12:_head
    sub     x1, x1, x2
    add     x1, x1, x19             /* primary_entry in the copy */
    mov     x0, x20
    br      x1

9:  ldp     x29, x30, [sp], #32
    ret

/* Clean and invalidate [x0, x0 + x1) to the point of coherency (by VA; identity-mapped here),
 * so what we wrote with the caches on is in memory for the kernel's MMU-off start. */
    .global efi_dcache_clean_poc
efi_dcache_clean_poc:
    add     x1, x0, x1
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4
    mov     x2, #4
    lsl     x2, x2, x3
    sub     x3, x2, #1
    bic     x0, x0, x3
1:  dc      civac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    1b
    dsb     sy
    ret
