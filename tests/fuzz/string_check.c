/* Host check of the kernel's memcpy and memset (kernel/lib/string.c, built here under other names
 * with ASan/UBSan): every length up to 1,100 bytes at start offsets 0-17 and around 32 and 64, with zeroing
 * blocks of 64 and 512 bytes and none, and the early (MMU off) path, against a byte-by-byte copy
 * or fill written here; the bytes around the range must stay as they were. Prints "ok" or the
 * first difference and exits 1 (tests/unit/test_kernel_string.py). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "arch.h"

void *kernel_memcpy(void *dst, const void *src, size_t n);
void *kernel_memset(void *dst, int c, size_t n);

size_t arch_zero_block;
bool arch_normal_memory;

/* What DC ZVA would do, and a check that string.c only asks for whole, aligned blocks. */
void arch_zero_blocks(void *p, size_t n)
{
    if (!arch_zero_block || ((uintptr_t)p | n) & (arch_zero_block - 1)) {
        printf("arch_zero_blocks(%p, %zu) with block %zu\n", p, n, arch_zero_block);
        exit(1);
    }
    for (unsigned char *c = p; n--; c++)
        *c = 0;
}

#define SIZE 4096
static _Alignas(4096) unsigned char buf[SIZE], src[SIZE], want[SIZE];

static void reset(void)
{
    for (int i = 0; i < SIZE; i++) {
        buf[i] = want[i] = (unsigned char)(i * 7 + 1);
        src[i] = (unsigned char)(i * 13 + 5);
    }
}

static int compare(const char *what, size_t off, size_t n, int c)
{
    for (int i = 0; i < SIZE; i++)
        if (buf[i] != want[i]) {
            printf("%s: offset %zu, %zu bytes, value %d, block %zu: byte %d is %d, not %d\n", what, off, n, c,
                   arch_zero_block, i, buf[i], want[i]);
            return 1;
        }
    return 0;
}

int main(void)
{
    static const struct { size_t block; bool normal; } modes[] = { { 0, false }, { 0, true }, { 64, true }, { 512, true } };
    for (unsigned m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
        arch_zero_block = modes[m].block;
        arch_normal_memory = modes[m].normal;
        static const size_t offsets[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 31, 32, 33, 63, 64, 65 };
        for (unsigned o = 0; o < sizeof(offsets) / sizeof(offsets[0]); o++)
            for (size_t off = offsets[o], n = 0; n <= 1100; n++) {
                for (int c = 0; c < 256; c += 0xab) {
                    reset();
                    for (size_t i = 0; i < n; i++)
                        want[off + i] = (unsigned char)c;
                    if (kernel_memset(buf + off, c, n) != buf + off || compare("memset", off, n, c))
                        return 1;
                }
                if (!modes[m].normal)
                    continue;            /* memcpy is not used before the MMU is on */
                reset();
                size_t from = (off * 3) % 64;
                for (size_t i = 0; i < n; i++)
                    want[off + i] = src[from + i];
                if (kernel_memcpy(buf + off, src + from, n) != buf + off || compare("memcpy", off, n, -1))
                    return 1;
            }
    }
    puts("ok");
    return 0;
}
