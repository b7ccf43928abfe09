/* The CPU's random number instruction when it has one (arch_rng), else SplitMix64 over a
 * counter-seeded state, re-mixed with the counter on every call so separate boots diverge. */
#include "kernel.h"
#include "random.h"
#include "arch.h"
#include <string.h>

static bool have_rndr;
static uint64_t state;

void random_init(void)
{
    have_rndr = arch_has_rng();
    state = arch_counter() ^ 0x9e3779b97f4a7c15UL;
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
        if (!have_rndr || !arch_rng(&v))
            v = splitmix();
        size_t n = len < 8 ? len : 8;
        memcpy(p, &v, n);
        p += n;
        len -= n;
    }
}
