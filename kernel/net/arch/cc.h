/* lwIP's platform header for the kernel: the compiler and libc facts lwIP would otherwise take
 * from a hosted C library, which the kernel does not have (no stdio, ctype, inttypes, unistd).
 * Diagnostics go to the console and a failed lwIP assertion is a kernel panic. */
#pragma once
#include <stdint.h>
#include <stddef.h>
#include <limits.h>
#include "kernel.h"

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_UNISTD_H   1

/* printf length modifiers for lwIP's debug formats (LP64: 32-bit values are int). */
#define X8_F  "02x"
#define U16_F "hu"
#define S16_F "hd"
#define X16_F "hx"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

/* aarch64 Linux's ssize_t, so a file that sees both lwIP and the syscall layer agrees on it. */
typedef long ssize_t;
#define SSIZE_MAX LONG_MAX

#define BYTE_ORDER LITTLE_ENDIAN
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#define LWIP_PLATFORM_DIAG(x) do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwip: assertion \"%s\" failed at %s:%d", x, __FILE__, __LINE__)

/* Randomness for initial TCP ports, DNS query ids and source ports. */
uint32_t lwip_port_rand(void);
#define LWIP_RAND() lwip_port_rand()

/* netif_find() parses the number in "en1"; nothing else in lwIP needs atoi. */
#include <stdlib.h>
#define atoi(s) ((int)strtoul((s), NULL, 10))
