/* Host driver for kernel/lib/siphash.c: each input line is "KEYHEX DATAHEX" (a 16-byte key, then
 * the message; "-" for an empty one); the line printed is the 64-bit hash in hex
 * (tests/unit/test_siphash.py compares it with the reference vectors). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "siphash.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    unsigned v;
    while (n < cap && hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

int main(void)
{
    char key_hex[64], data_hex[4096];
    while (scanf("%63s %4095s", key_hex, data_hex) == 2) {
        uint8_t key_bytes[16], data[2048];
        if (unhex(key_hex, key_bytes, sizeof(key_bytes)) != 16)
            return 1;
        uint64_t key[2];
        memcpy(key, key_bytes, 16);    /* the key's two words, little-endian as on the kernel's CPU */
        size_t n = strcmp(data_hex, "-") ? unhex(data_hex, data, sizeof(data)) : 0;
        printf("%016llx\n", (unsigned long long)siphash24(key, data, n));
    }
    return 0;
}
