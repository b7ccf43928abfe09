/* Freestanding string routines. memset also runs before the MMU is on (zeroing page tables),
 * where only aligned accesses work: its wide path is taken for aligned buffers only. memcpy
 * copies eight bytes at a time whenever the length allows; after boot every access is to normal
 * memory, where unaligned loads and stores are allowed (network payloads rarely are aligned).
 * Both move 32 or 64 bytes a loop turn where they can: under TCG each turn is one translated
 * block, and a page zeroed eight bytes a turn was 512 of them (websrv at ab -c 32 zeroes two or
 * three pages a request: glibc's heap shrinks with brk and grows back). */
#include <string.h>
#include <stdint.h>

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    for (; n >= 32; n -= 32, d += 32, s += 32) {
        uint64_t a = *(const unaligned_u64 *)s, b = *(const unaligned_u64 *)(s + 8);
        uint64_t c = *(const unaligned_u64 *)(s + 16), e = *(const unaligned_u64 *)(s + 24);
        *(unaligned_u64 *)d = a;
        *(unaligned_u64 *)(d + 8) = b;
        *(unaligned_u64 *)(d + 16) = c;
        *(unaligned_u64 *)(d + 24) = e;
    }
    for (; n >= 8; n -= 8, d += 8, s += 8)
        *(unaligned_u64 *)d = *(const unaligned_u64 *)s;
    while (n--)
        *d++ = *s++;
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

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    if (c == 0 && (((uintptr_t)d | n) & 7) == 0) {
        uint64_t *d8 = dst;
        size_t words = n / 8, i = 0;
        for (; i + 8 <= words; i += 8) {
            d8[i] = 0;
            d8[i + 1] = 0;
            d8[i + 2] = 0;
            d8[i + 3] = 0;
            d8[i + 4] = 0;
            d8[i + 5] = 0;
            d8[i + 6] = 0;
            d8[i + 7] = 0;
        }
        for (; i < words; i++)
            d8[i] = 0;
        return dst;
    }
    while (n--)
        *d++ = (unsigned char)c;
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
