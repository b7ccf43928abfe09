/* aarch64 system-register helpers and the bit values the kernel relies on. */
#pragma once

#ifdef __ASSEMBLY__
#define _UL(x) x
#else
#define _UL(x) x##UL
#endif

#define SCTLR_EL1_RES1   ((_UL(3) << 28) | (_UL(3) << 22) | (_UL(1) << 20) | (_UL(1) << 11))
#define SCTLR_M          (_UL(1) << 0)
#define SCTLR_C          (_UL(1) << 2)
#define SCTLR_SA         (_UL(1) << 3)
#define SCTLR_I          (_UL(1) << 12)
/* What user space may do without trapping, as on Linux: stack alignment checks (SA0), DC ZVA
 * (DZE, so glibc's memset may use it), read CTR_EL0 (UCT), WFI/WFE (nTWI/nTWE), and cache
 * maintenance by VA (UCI, for JITs and __clear_cache). */
#define SCTLR_EL0_BITS   ((_UL(1) << 4) | (_UL(1) << 14) | (_UL(1) << 15) | (_UL(1) << 16) | \
                          (_UL(1) << 18) | (_UL(1) << 26))

/* MAIR_EL1 attribute indexes used in page-table entries. */
#define MT_DEVICE_nGnRnE 0
#define MT_NORMAL        1
#define MT_NORMAL_NC     2
#define MT_DEVICE_nGnRE  3
#define MAIR_VALUE       ((_UL(0x00) << (8 * MT_DEVICE_nGnRnE)) | (_UL(0xff) << (8 * MT_NORMAL)) | \
                          (_UL(0x44) << (8 * MT_NORMAL_NC)) | (_UL(0x04) << (8 * MT_DEVICE_nGnRE)))

/* TCR_EL1: 48-bit VA in both halves (T0SZ = T1SZ = 16), 4 KiB granules, write-back inner-shareable
 * walks. IPS is filled in at boot from ID_AA64MMFR0_EL1.PARange (capped at 48 bits). */
#define TCR_T0SZ(n)      (_UL(n) << 0)
#define TCR_T1SZ(n)      (_UL(n) << 16)
#define TCR_EPD0         (_UL(1) << 7)
#define TCR_IRGN0_WBWA   (_UL(1) << 8)
#define TCR_ORGN0_WBWA   (_UL(1) << 10)
#define TCR_SH0_INNER    (_UL(3) << 12)
#define TCR_TG0_4K       (_UL(0) << 14)
#define TCR_IRGN1_WBWA   (_UL(1) << 24)
#define TCR_ORGN1_WBWA   (_UL(1) << 26)
#define TCR_SH1_INNER    (_UL(3) << 28)
#define TCR_TG1_4K       (_UL(2) << 30)
#define TCR_IPS_SHIFT    32
#define TCR_TBI0         (_UL(1) << 37)   /* top byte ignored for user addresses, as on Linux */
#define TCR_BASE         (TCR_T0SZ(16) | TCR_T1SZ(16) | TCR_IRGN0_WBWA | TCR_ORGN0_WBWA | TCR_SH0_INNER | \
                          TCR_TG0_4K | TCR_IRGN1_WBWA | TCR_ORGN1_WBWA | TCR_SH1_INNER | TCR_TG1_4K | TCR_TBI0)

#ifndef __ASSEMBLY__
#define read_sysreg(r) ({ unsigned long __v; __asm__ volatile("mrs %0, " #r : "=r"(__v)); __v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((unsigned long)(v)))
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#endif
