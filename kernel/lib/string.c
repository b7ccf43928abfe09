/* Freestanding string routines. memset also runs before the MMU is on (zeroing page tables),
 * where only aligned accesses work: until arch_normal_memory says the MMU is on, it takes its
 * aligned path only. memcpy is not used that early; after boot every access is to normal memory,
 * where unaligned loads and stores are allowed (network payloads rarely are aligned).
 * Under TCG each loop turn is one translated block, so both move 32 bytes a turn and finish
 * any length with a few overlapping 8-, 4-, 2- or 1-byte moves instead of a loop turn a byte (the
 * byte tails of ~20 copies a request were 70 blocks of websrv's at ab -c 32); a page zeroed eight
 * bytes a turn was 512 blocks (websrv at ab -c 32 zeroes two or three pages a request: glibc's
 * heap shrinks with brk and grows back), so a zero fill of at least two of the CPU's zeroing
 * blocks clears its aligned middle with those (arch_zero_blocks). */
#include <string.h>
#include <stdint.h>
#include "arch.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;
typedef uint32_t __attribute__((may_alias, aligned(1))) unaligned_u32;
typedef uint16_t __attribute__((may_alias, aligned(1))) unaligned_u16;

/* Fewer than 8 bytes: two overlapping moves of the widest size that fits (all loads first). */
static inline __attribute__((always_inline)) void copy_short(unsigned char *d, const unsigned char *s, size_t n)
{
    if (n >= 4) {
        uint32_t a = *(const unaligned_u32 *)s, b = *(const unaligned_u32 *)(s + n - 4);
        *(unaligned_u32 *)d = a;
        *(unaligned_u32 *)(d + n - 4) = b;
    } else if (n >= 2) {
        uint16_t a = *(const unaligned_u16 *)s, b = *(const unaligned_u16 *)(s + n - 2);
        *(unaligned_u16 *)d = a;
        *(unaligned_u16 *)(d + n - 2) = b;
    } else if (n) {
        *d = *s;
    }
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (n < 8) {
        copy_short(d, s, n);
        return dst;
    }
    unsigned char *end = d + n;
    const unsigned char *s_end = s + n;
    for (; n >= 32; n -= 32, d += 32, s += 32) {
        uint64_t a = *(const unaligned_u64 *)s, b = *(const unaligned_u64 *)(s + 8);
        uint64_t c = *(const unaligned_u64 *)(s + 16), e = *(const unaligned_u64 *)(s + 24);
        *(unaligned_u64 *)d = a;
        *(unaligned_u64 *)(d + 8) = b;
        *(unaligned_u64 *)(d + 16) = c;
        *(unaligned_u64 *)(d + 24) = e;
    }
    /* n < 32 left, and at least 8 bytes lie before end: the last moves may overlap done ones */
    if (n > 16) {
        uint64_t a = *(const unaligned_u64 *)s, b = *(const unaligned_u64 *)(s + 8);
        uint64_t c = *(const unaligned_u64 *)(s_end - 16), e = *(const unaligned_u64 *)(s_end - 8);
        *(unaligned_u64 *)d = a;
        *(unaligned_u64 *)(d + 8) = b;
        *(unaligned_u64 *)(end - 16) = c;
        *(unaligned_u64 *)(end - 8) = e;
    } else if (n > 8) {
        uint64_t a = *(const unaligned_u64 *)s, e = *(const unaligned_u64 *)(s_end - 8);
        *(unaligned_u64 *)d = a;
        *(unaligned_u64 *)(end - 8) = e;
    } else if (n) {
        *(unaligned_u64 *)(end - 8) = *(const unaligned_u64 *)(s_end - 8);
    }
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    while (n--)
        d[n] = s[n];
    return dst;
}

/* n >= 8 bytes of v's pattern from d, unaligned stores allowed: 32 bytes a turn, then at most
 * four overlapping stores. */
static void fill(unsigned char *d, uint64_t v, size_t n)
{
    unsigned char *end = d + n;
    for (; n >= 32; n -= 32, d += 32) {
        *(unaligned_u64 *)d = v;
        *(unaligned_u64 *)(d + 8) = v;
        *(unaligned_u64 *)(d + 16) = v;
        *(unaligned_u64 *)(d + 24) = v;
    }
    if (n > 16) {
        *(unaligned_u64 *)d = v;
        *(unaligned_u64 *)(d + 8) = v;
        *(unaligned_u64 *)(end - 16) = v;
        *(unaligned_u64 *)(end - 8) = v;
    } else if (n > 8) {
        *(unaligned_u64 *)d = v;
        *(unaligned_u64 *)(end - 8) = v;
    } else if (n) {
        *(unaligned_u64 *)(end - 8) = v;
    }
}

/* Before the MMU is on: aligned words, or bytes. */
static void *memset_early(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (c == 0 && (((uintptr_t)d | n) & 7) == 0) {
        for (uint64_t *d8 = dst, *end = d8 + n / 8; d8 < end; d8++)
            *d8 = 0;
        return dst;
    }
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (!arch_normal_memory)
        return memset_early(dst, c, n);
    if (n < 8) {
        unsigned char pattern[8] = { [0 ... 7] = (unsigned char)c };
        copy_short(d, pattern, n);
        return dst;
    }
    uint64_t v = 0x0101010101010101ull * (unsigned char)c;
    size_t block = arch_zero_block;
    if (c == 0 && block && n >= 2 * block) {
        /* the aligned middle by blocks; the ends (at least 8 bytes each, overlapping the middle
         * where they are shorter: zeros over zeros) by stores */
        unsigned char *end = d + n;
        unsigned char *mid = (unsigned char *)(((uintptr_t)d + block - 1) & ~(uintptr_t)(block - 1));
        unsigned char *mid_end = (unsigned char *)((uintptr_t)end & ~(uintptr_t)(block - 1));
        arch_zero_blocks(mid, (size_t)(mid_end - mid));
        if (mid > d)
            fill(d, 0, mid - d >= 8 ? (size_t)(mid - d) : 8);
        if (end > mid_end)
            fill(end - 8 < mid_end ? end - 8 : mid_end, 0, end - mid_end >= 8 ? (size_t)(end - mid_end) : 8);
        return dst;
    }
    fill(d, v, n);
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)p;
    return NULL;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}
