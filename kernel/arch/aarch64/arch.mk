# aarch64: what every aarch64 platform shares.
# -march=armv8-a: the kernel must run on a Raspberry Pi 4's Cortex-A72 (no LSE atomics).
# -mgeneral-regs-only: the kernel never touches FP/SIMD registers, so user FP state survives traps.
ARCH_CFLAGS   := -march=armv8-a -mcmodel=small -mgeneral-regs-only
# Code that runs with the MMU off (every access is Device memory, where an unaligned access
# faults) is compiled with -mstrict-align: early_map and what it calls (page-table building and
# libfdt). Everything else may use unaligned accesses, which normal memory allows (SCTLR_EL1.A=0).
EARLY_CFLAGS  := -mstrict-align
ARCH_LDSCRIPT := kernel.ld
ARCH_SRCS     := $(addprefix kernel/arch/aarch64/,head.S efi_header.S efi_entry.S vectors.S early_map.c pagetable.c mmu.c zero_blocks.c trap.c \
                 timer.c psci.c cpu.c gicv2.c gicv3.c gicv2m.c gicv3_its.c cache.c uvm.c uvm_walk.c hwcap.c signal_frame.c fpsimd.S context.S \
                 smp.c spinlock.c)
