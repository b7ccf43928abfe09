/* HWCAP bit numbers: arch/arm64/include/uapi/asm/hwcap.h. ID register fields: Arm ARM D19.2. */
#include "kernel.h"
#include "hwcap.h"
#include "sysreg.h"
#include "cpu.h"

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
    if (field(isar1, 48) >= 1) h2 |= 1UL << 15;   /* DGH (a hint: nothing to enable) */
    if (field(isar1, 52) >= 1) h2 |= 1UL << 13;   /* I8MM */
    if (field(pfr0, 48) >= 1) h |= 1UL << 24;     /* DIT */
    if (field(pfr1, 4) >= 1) h |= 1UL << 28;      /* SSBS */
    if (field(mmfr2, 32) >= 1) h |= 1UL << 25;    /* USCAT */
    *hwcap = h;
    *hwcap2 = h2;
}

/* Linux's arm64 feature names (arch/arm64/kernel/cpuinfo.c), by HWCAP and HWCAP2 bit. */
static const char *const hwcap_names[32] = {
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp", "asimdhp",
    "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4", "asimddp", "sha512",
    "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb", "paca", "pacg",
};
static const char *const hwcap2_names[17] = {
    [0] = "dcpodp", [7] = "flagm2", [8] = "frint", [13] = "i8mm", [14] = "bf16", [15] = "dgh", [16] = "rng",
};

/* /proc/cpuinfo as arm64 Linux writes it, one block per CPU: the features every CPU has (the
 * hwcaps, read on this one: the CPUs we run are alike in them), each CPU's own MIDR_EL1. */
size_t arch_cpuinfo(char *buf, size_t size, uint64_t cpu_mask, uint64_t counter_hz)
{
    uint64_t h, h2;
    arch_hwcaps(&h, &h2);
    size_t n = 0;
    for (int cpu = 0; cpu < 64 && n < size; cpu++) {
        if (!(cpu_mask & (1ULL << cpu)))
            continue;                  /* one that did not come up: online has a hole there too */
        uint64_t midr = cpus[cpu].ident;
        uint64_t bogo = counter_hz / 5000;   /* Linux: 2 * timer rate / 1e6, two decimals */
        n += (size_t)snprintf(buf + n, size - n, "processor\t: %d\nBogoMIPS\t: %lu.%02lu\nFeatures\t:", cpu,
                              bogo / 100, bogo % 100);
        for (int i = 0; i < 32 && n < size; i++)
            if (h & (1UL << i))
                n += (size_t)snprintf(buf + n, size - n, " %s", hwcap_names[i]);
        for (int i = 0; i < 17 && n < size; i++)
            if ((h2 & (1UL << i)) && hwcap2_names[i])
                n += (size_t)snprintf(buf + n, size - n, " %s", hwcap2_names[i]);
        if (n < size)
            n += (size_t)snprintf(buf + n, size - n,
                                  "\nCPU implementer\t: 0x%02lx\nCPU architecture: 8\nCPU variant\t: 0x%lx\n"
                                  "CPU part\t: 0x%03lx\nCPU revision\t: %lu\n\n",
                                  (midr >> 24) & 0xff, (midr >> 20) & 0xf, (midr >> 4) & 0xfff, midr & 0xf);
    }
    return n < size ? n : size;
}
