/* The checksum routine lwIP calls (LWIP_CHKSUM in lwipopts.h); kernel/net/chksum.c. */
#pragma once
#include <stdint.h>

/* The one's-complement sum of len bytes at data, folded to 16 bits and not inverted, in the
 * order the words lie in memory (lwIP's convention for LWIP_CHKSUM); any alignment. */
uint16_t net_chksum(const void *data, int len);
