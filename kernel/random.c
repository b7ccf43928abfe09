/* RNDR (FEAT_RNG) when ID_AA64ISAR0_EL1.RNDR says so, else SplitMix64 over a counter-seeded
 * state, re-mixed with the counter on every call so separate boots diverge. */
#include "kernel.h"
#include "random.h"
#include "arch.h"
#include "sysreg.h"
#include <string.h>

static bool have_rndr;
static uint64_t state;

void random_init(void)
{
    have_rndr = ((read_sysreg(id_aa64isar0_el1) >> 60) & 0xf) != 0;
    state = arch_counter() ^ 0x9e3779b97f4a7c15UL;
}

bool random_is_hardware(void) { return have_rndr; }

static bool rndr(uint64_t *out)
{
    uint64_t v, ok;
    /* RNDR is s3_3_c2_c4_0; NZCV.Z is set when no value was available. */
    __asm__ volatile("mrs %0, s3_3_c2_c4_0\n cset %1, ne" : "=r"(v), "=r"(ok) : : "cc");
    *out = v;
    return ok;
}

static uint64_t splitmix(void)
{
    uint64_t z = (state += 0x9e3779b97f4a7c15UL ^ arch_counter());
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    return z ^ (z >> 31);
}

void random_bytes(void *buf, size_t len)
{
    char *p = buf;
    while (len) {
        uint64_t v;
        if (!have_rndr || !rndr(&v))
            v = splitmix();
        size_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}
