/* Kernel entry. QEMU (-kernel) or a boot loader jumps to _head with the MMU off, x0 = physical
 * address of the device tree, at EL2 or EL1, at a 2 MiB-aligned address we must not assume.
 * Everything before the branch to the high address is position-independent. */
#include "sysreg.h"

    .section .head.text, "ax"
    .global _head_entry
/* Linux arm64 Image header (Documentation/arch/arm64/booting.rst): lets qemu -kernel and real
 * boot loaders load us like a Linux kernel, and (its first bytes "MZ", its last word the offset
 * of efi_header.S's PE header) UEFI firmware like an EFI application. */
_head_entry:
    .long   0x91005a4d              /* code0: add x13, x18, #0x16 ("MZ"), harmless */
    b       primary_entry           /* code1 */
    .quad   0                       /* text_offset: with flags bit 3 any 2 MiB-aligned base works */
    .quad   _image_size             /* image_size, including bss */
    .quad   0xa                     /* flags: little-endian, 4 KiB pages, placement anywhere */
    .quad   0, 0, 0                 /* reserved */
    .ascii  "ARM\x64"               /* magic */
    .long   _pe_header_offset       /* the PE/COFF header (efi_header.S) */

/* Invalidate the data cache lines of [\start, \end) to the point of coherency, by VA (= PA with
 * the MMU off). Clobbers x0-x3. */
    .macro dcache_inval_poc start, end
    adrp    x0, \start
    add     x0, x0, :lo12:\start
    adrp    x1, \end
    add     x1, x1, :lo12:\end
    mrs     x3, ctr_el0
    ubfx    x3, x3, #16, #4         /* DminLine: log2 of words in the smallest line */
    mov     x2, #4
    lsl     x2, x2, x3
    sub     x3, x2, #1
    bic     x0, x0, x3
9:  dc      ivac, x0
    add     x0, x0, x2
    cmp     x0, x1
    b.lo    9b
    dsb     sy
    .endm

/* Entered at EL2 (x21 = the exception level, from CurrentEL): leave for EL1 at \target, set up
 * as a guest kernel expects. Clobbers x0, x1. Every CPU runs it: these registers are per CPU. */
    .macro drop_to_el1 target
    cmp     x21, #2
    b.ne    \target
    /* EL2 → EL1: AArch64 EL1, EL1 may use the physical counter and timer, no virtual offset,
     * no FP traps, GICv3 system registers usable from EL1 (when the CPU has them). */
    mov     x0, #(1 << 31)
    msr     hcr_el2, x0
    mrs     x0, cnthctl_el2
    orr     x0, x0, #3
    msr     cnthctl_el2, x0
    msr     cntvoff_el2, xzr
    mov     x0, #0x33ff
    msr     cptr_el2, x0
    msr     hstr_el2, xzr
    msr     vttbr_el2, xzr
    mrs     x0, midr_el1
    msr     vpidr_el2, x0
    mrs     x0, mpidr_el1
    msr     vmpidr_el2, x0
    mrs     x0, id_aa64pfr0_el1
    ubfx    x0, x0, #24, #4         /* GIC field: non-zero → ICC system registers exist */
    cbz     x0, 8f
    mrs     x0, s3_4_c12_c9_5       /* ICC_SRE_EL2 */
    mov     x1, #0x9                /* SRE | Enable (EL1 may use ICC_SRE_EL1) */
    orr     x0, x0, x1
    msr     s3_4_c12_c9_5, x0
    isb
8:  ldr     x0, =SCTLR_EL1_RES1
    msr     sctlr_el1, x0
    mov     x0, #0x3c5              /* EL1h, DAIF masked */
    msr     spsr_el2, x0
    adr     x0, \target
    msr     elr_el2, x0
    eret

    .endm

/* MMU on with the boot tables (early_ttbr0: the identity map these instructions run from,
 * early_ttbr1: the kernel and the direct map), caches on, the I-cache clean. Runs with the MMU
 * off, so early_ttbr0/1 must be in memory (early_map stored them with the MMU off). Clobbers
 * x0-x2. */
    .macro enable_mmu
    ldr     x0, =MAIR_VALUE
    msr     mair_el1, x0
    ldr     x0, =TCR_BASE
    mrs     x1, id_aa64mmfr0_el1
    and     x1, x1, #0xf            /* PARange */
    cmp     x1, #5
    mov     x2, #5                  /* cap at 48-bit PA: 4 KiB granule without LPA2 */
    csel    x1, x1, x2, ls
    orr     x0, x0, x1, lsl #TCR_IPS_SHIFT
    msr     tcr_el1, x0
    adrp    x0, early_ttbr0
    ldr     x0, [x0, :lo12:early_ttbr0]
    msr     ttbr0_el1, x0
    adrp    x0, early_ttbr1
    ldr     x0, [x0, :lo12:early_ttbr1]
    msr     ttbr1_el1, x0
    isb
    tlbi    vmalle1
    dsb     nsh
    isb
    mrs     x0, sctlr_el1
    ldr     x1, =(SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_SA | SCTLR_EL0_BITS)
    orr     x0, x0, x1
    msr     sctlr_el1, x0
    isb
    /* Instructions fetched before the I-cache was on may sit in it from before the image was
     * loaded (a boot loader's code at these addresses): start the I-side clean. */
    ic      iallu
    dsb     nsh
    isb
    .endm

    .section .text.boot, "ax"
    .global primary_entry
primary_entry:
    mov     x19, x0                 /* x19 = DTB physical address for the whole early path */
    isb
    mrs     x20, cntvct_el0         /* x20 = counter at entry, for the boot-time figure */
    mrs     x21, CurrentEL
    lsr     x21, x21, #2            /* x21 = exception level we were entered at */

    drop_to_el1 at_el1

at_el1:
    ldr     x0, =SCTLR_EL1_RES1     /* MMU and caches off, alignment checks off: a known state */
    msr     sctlr_el1, x0
    isb
    mov     x0, #(3 << 20)          /* CPACR_EL1.FPEN: user space may use FP/SIMD */
    msr     cpacr_el1, x0

    adrp    x0, boot_stack_top      /* physical while the MMU is off (PC-relative) */
    add     x0, x0, :lo12:boot_stack_top
    mov     sp, x0

    /* With the MMU off our stores go to memory around the caches, and whoever had this RAM
     * before us (a boot loader, the host's cacheable alias of guest RAM under KVM) may have
     * left lines for it there: a dirty one, written back later, would undo our stores. So the
     * lines go first (under a hypervisor DC IVAC cleans as well: harmless, they are not ours). */
    dcache_inval_poc __bss_start, __bss_end

    /* .bss (~480 KiB) is zeroed 64 bytes a turn, the 16-byte rest (the linker aligns both ends
     * to 16) one pair a turn: under TCG each turn is a block executed, and 16 bytes a turn
     * were 30k of them. DC ZVA is not an option: with the MMU off memory is Device memory. */
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
2:  sub     x2, x1, x0
    cmp     x2, #64
    b.lo    4f
    stp     xzr, xzr, [x0]
    stp     xzr, xzr, [x0, #16]
    stp     xzr, xzr, [x0, #32]
    stp     xzr, xzr, [x0, #48]
    add     x0, x0, #64
    b       2b
4:  cmp     x0, x1
    b.hs    3f
    stp     xzr, xzr, [x0], #16
    b       4b
3:
    adr     x1, _head_entry         /* where we were loaded */
    mov     x0, x19
    mov     x2, x20
    mov     x3, x21
    bl      early_map               /* C, MMU off: page tables for the kernel, direct map, idmap */

    /* Everything stored with the MMU off (.bss zeroed, boot_info, early_ttbr*, the page tables
     * in pt_pool) is in memory but will be read through the caches: drop any line that may
     * have been fetched meanwhile (speculation through another, cacheable alias), so the walker
     * and kmain see memory. .data is included: the loader cleaned it, early code may store. */
    dmb     sy
    dcache_inval_poc _erodata, _end

    enable_mmu
    ldr     x0, =high_entry         /* absolute link-time (high) address */
    br      x0

high_entry:
    ldr     x0, =boot_stack_top
    mov     sp, x0
    ldr     x0, =vectors_el1
    msr     vbar_el1, x0
    isb
    mov     x0, x19
    bl      kmain
4:  wfi
    b       4b

/* A secondary CPU, started by PSCI CPU_ON (smp.c) with the MMU off and x0 = its index in cpus[].
 * Same path as the boot CPU's minus what only happens once (.bss, the tables): to EL1, MMU on
 * with the boot CPU's tables, then to the stack smp.c allocated for it (secondary_stack_top,
 * read once the MMU is on: the boot CPU wrote it through its cache). */
    .section .text.boot, "ax"
    .global secondary_entry
secondary_entry:
    mov     x19, x0
    mrs     x21, CurrentEL
    lsr     x21, x21, #2
    drop_to_el1 secondary_el1
secondary_el1:
    ldr     x0, =SCTLR_EL1_RES1
    msr     sctlr_el1, x0
    isb
    mov     x0, #(3 << 20)          /* CPACR_EL1.FPEN, as on the boot CPU */
    msr     cpacr_el1, x0
    enable_mmu
    ldr     x0, =secondary_high
    br      x0

    .text
secondary_high:
    ldr     x0, =secondary_stack_top
    ldr     x0, [x0]
    mov     sp, x0
    ldr     x0, =vectors_el1
    msr     vbar_el1, x0
    isb
    mov     x0, x19
    bl      smp_secondary_start
5:  wfi
    b       5b

    .section .bss
    .balign 16
    .global boot_stack_top
boot_stack:
    .space  16384
boot_stack_top:
