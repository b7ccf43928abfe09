/* Host driver for kernel/net/chksum.c: each input line is "OFFSET HEX"; the bytes are placed
 * OFFSET bytes into an aligned buffer (to reach every alignment) and the line printed is
 * net_chksum's 16-bit result as the kernel stores it, in hex (tests/unit/test_net_chksum.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net_chksum.h"

int main(void)
{
    static char line[1 << 18];     /* "OFFSET " and 64 KiB in hex */
    static _Alignas(16) unsigned char buf[(1 << 16) + 16];
    while (fgets(line, sizeof(line), stdin)) {
        char *hex = strchr(line, ' ');
        if (!hex)
            return 1;
        int off = atoi(line), n = 0;
        for (hex++; hex[0] && hex[0] != '\n' && hex[1]; hex += 2) {
            unsigned v;
            if (sscanf(hex, "%2x", &v) != 1 || off + n >= (int)sizeof(buf))
                return 1;
            buf[off + n++] = (unsigned char)v;
        }
        unsigned short s = net_chksum(buf + off, n);
        unsigned char *b = (unsigned char *)&s;
        printf("%02x%02x\n", b[0], b[1]);
    }
    return 0;
}
