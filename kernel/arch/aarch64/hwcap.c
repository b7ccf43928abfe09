/* HWCAP bit numbers: arch/arm64/include/uapi/asm/hwcap.h. ID register fields: Arm ARM D19.2. */
#include "kernel.h"
#include "hwcap.h"
#include "sysreg.h"

static unsigned field(uint64_t reg, int shift) { return (reg >> shift) & 0xf; }

void arch_hwcaps(uint64_t *hwcap, uint64_t *hwcap2)
{
    uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1), pfr1 = read_sysreg(id_aa64pfr1_el1);
    uint64_t isar0 = read_sysreg(id_aa64isar0_el1), isar1 = read_sysreg(id_aa64isar1_el1);
    uint64_t mmfr2 = read_sysreg(id_aa64mmfr2_el1);
    uint64_t h = 0, h2 = 0;

    unsigned fp = field(pfr0, 16), simd = field(pfr0, 20);   /* 0xf = not implemented */
    if (fp != 0xf) h |= 1UL << 0;                 /* FP */
    if (simd != 0xf) h |= 1UL << 1;               /* ASIMD */
    if (fp == 1) h |= 1UL << 9;                   /* FPHP */
    if (simd == 1) h |= 1UL << 10;                /* ASIMDHP */
    if (field(isar0, 4) >= 1) h |= 1UL << 3;      /* AES */
    if (field(isar0, 4) >= 2) h |= 1UL << 4;      /* PMULL */
    if (field(isar0, 8) >= 1) h |= 1UL << 5;      /* SHA1 */
    if (field(isar0, 12) >= 1) h |= 1UL << 6;     /* SHA2 */
    if (field(isar0, 12) >= 2) h |= 1UL << 21;    /* SHA512 */
    if (field(isar0, 16) >= 1) h |= 1UL << 7;     /* CRC32 */
    if (field(isar0, 20) >= 2) h |= 1UL << 8;     /* ATOMICS (LSE) */
    if (field(isar0, 28) >= 1) h |= 1UL << 12;    /* ASIMDRDM */
    if (field(isar0, 32) >= 1) h |= 1UL << 17;    /* SHA3 */
    if (field(isar0, 36) >= 1) h |= 1UL << 18;    /* SM3 */
    if (field(isar0, 40) >= 1) h |= 1UL << 19;    /* SM4 */
    if (field(isar0, 44) >= 1) h |= 1UL << 20;    /* ASIMDDP */
    if (field(isar0, 48) >= 1) h |= 1UL << 23;    /* ASIMDFHM */
    if (field(isar0, 52) >= 1) h |= 1UL << 27;    /* FLAGM */
    if (field(isar0, 52) >= 2) h2 |= 1UL << 7;    /* FLAGM2 */
    if (field(isar0, 60) >= 1) h2 |= 1UL << 16;   /* RNG */
    if (field(isar1, 0) >= 1) h |= 1UL << 16;     /* DCPOP */
    if (field(isar1, 0) >= 2) h2 |= 1UL << 0;     /* DCPODP */
    if (field(isar1, 12) >= 1) h |= 1UL << 13;    /* JSCVT */
    if (field(isar1, 16) >= 1) h |= 1UL << 14;    /* FCMA */
    if (field(isar1, 20) >= 1) h |= 1UL << 15;    /* LRCPC */
    if (field(isar1, 20) >= 2) h |= 1UL << 26;    /* ILRCPC */
    if (field(isar1, 32) >= 1) h2 |= 1UL << 8;    /* FRINT */
    if (field(isar1, 36) >= 1) h |= 1UL << 29;    /* SB */
    if (field(isar1, 44) >= 1) h2 |= 1UL << 14;   /* BF16 */
    if (field(isar1, 52) >= 1) h2 |= 1UL << 13;   /* I8MM */
    if (field(pfr0, 48) >= 1) h |= 1UL << 24;     /* DIT */
    if (field(pfr1, 4) >= 1) h |= 1UL << 28;      /* SSBS */
    if (field(mmfr2, 32) >= 1) h |= 1UL << 25;    /* USCAT */
    *hwcap = h;
    *hwcap2 = h2;
}
