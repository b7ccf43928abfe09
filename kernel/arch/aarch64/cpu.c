/* What CPU this is (MIDR_EL1 and the ID registers), the exception level we run at, and the
 * CPU's random number instruction (RNDR, FEAT_RNG). */
#include "kernel.h"
#include "arch.h"
#include "sysreg.h"
#include "hwcap.h"

static const char *part_name(uint32_t implementer, uint32_t part)
{
    if (implementer == 0x41) {
        switch (part) {
        case 0xd03: return "Cortex-A53";
        case 0xd07: return "Cortex-A57";
        case 0xd08: return "Cortex-A72";
        case 0xd0b: return "Cortex-A76";
        case 0xd0c: return "Neoverse-N1";
        case 0xd40: return "Neoverse-V1";
        case 0xd49: return "Neoverse-N2";
        case 0xd4f: return "Neoverse-V2";
        }
    }
    if (implementer == 0x00 && part == 0x051)
        return "QEMU max";
    return NULL;
}

void arch_cpu_describe(char *buf, unsigned long size)
{
    uint64_t midr = read_sysreg(midr_el1);
    uint64_t isar0 = read_sysreg(id_aa64isar0_el1);
    uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
    uint32_t implementer = (midr >> 24) & 0xff, part = (midr >> 4) & 0xfff;
    const char *name = part_name(implementer, part);
    static const int pa_bits[] = { 32, 36, 40, 42, 44, 48, 52 };
    unsigned parange = mmfr0 & 0xf;
    char unknown[32];
    if (!name) {
        snprintf(unknown, sizeof(unknown), "implementer %#x part %#x", implementer, part);
        name = unknown;
    }
    snprintf(buf, size, "%s, %d-bit PA, atomics %s, rndr %s", name,
             parange < ARRAY_SIZE(pa_bits) ? pa_bits[parange] : 0,
             ((isar0 >> 20) & 0xf) >= 2 ? "lse" : "ll/sc",
             ((isar0 >> 60) & 0xf) ? "yes" : "no");
}

unsigned arch_current_el(void)
{
    return (unsigned)((read_sysreg(CurrentEL) >> 2) & 3);
}

bool arch_has_rng(void)
{
    return ((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf) != 0;   /* ID_AA64ISAR0_EL1.RNDR */
}

bool arch_rng(uint64_t *out)
{
    uint64_t v, ok;
    /* RNDR is s3_3_c2_c4_0; NZCV.Z is set when no value was available. */
    __asm__ volatile("mrs %0, s3_3_c2_c4_0\n cset %1, ne" : "=r"(v), "=r"(ok) : : "cc");
    *out = v;
    return ok;
}

/* AT_HWCAP's bits by number, as Linux's arm64 cpuinfo names them. */
static const char *const hwcap_names[] = {
    "fp", "asimd", "evtstrm", "aes", "pmull", "sha1", "sha2", "crc32", "atomics", "fphp",
    "asimdhp", "cpuid", "asimdrdm", "jscvt", "fcma", "lrcpc", "dcpop", "sha3", "sm3", "sm4",
    "asimddp", "sha512", "sve", "asimdfhm", "dit", "uscat", "ilrcpc", "flagm", "ssbs", "sb",
    "paca", "pacg",
};

void arch_cpuinfo(char *buf, unsigned long size)
{
    uint64_t midr = read_sysreg(midr_el1), hwcap, hwcap2;
    uint64_t freq = read_sysreg(cntfrq_el0);
    unsigned long n;
    arch_hwcaps(&hwcap, &hwcap2);
    /* Linux computes BogoMIPS from the timer: 2 * frequency / 10^6. */
    n = snprintf(buf, size, "BogoMIPS\t: %lu.%02lu\nFeatures\t:", freq / 500000, (freq / 5000) % 100);
    for (unsigned i = 0; i < ARRAY_SIZE(hwcap_names) && n < size; i++)
        if (hwcap & (1UL << i))
            n += snprintf(buf + n, size - n, " %s", hwcap_names[i]);
    if (n < size)
        snprintf(buf + n, size - n, "\nCPU implementer\t: %#lx\nCPU architecture: 8\nCPU variant\t: %#lx\n"
                 "CPU part\t: %#05lx\nCPU revision\t: %lu\n", (midr >> 24) & 0xff, (midr >> 20) & 0xf,
                 (midr >> 4) & 0xfff, midr & 0xf);
}
