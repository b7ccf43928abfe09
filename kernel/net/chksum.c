/* lwIP's LWIP_CHKSUM (lwipopts.h): the Internet checksum's one's-complement sum of a buffer, not
 * inverted, as lwIP's own lwip_standard_chksum returns it (the sum of the buffer's 16-bit words
 * as they load in memory order, folded to 16 bits: one's-complement addition commutes with the
 * byte swap, so the caller stores it as is). The same sum eight bytes a load instead of two:
 * under TCG every loop iteration is a translated block, and lwIP sums every frame each way
 * (headers, pseudo-header, payload), 1,500 instructions per websrv request with its version.
 * Unaligned loads are fine here: the network runs with the MMU on, on normal memory (see
 * lib/string.c). Also built for the host (tests/fuzz/chksum_dump.c), where the unit test compares
 * it with Python's sum over odd lengths and offsets. */
#include <stdint.h>
#include "net_chksum.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) unaligned_u64;
typedef uint32_t __attribute__((may_alias, aligned(1))) unaligned_u32;
typedef uint16_t __attribute__((may_alias, aligned(1))) unaligned_u16;

/* Each 64-bit word goes in as two 32-bit halves, so the 64-bit accumulator cannot overflow for
 * any length lwIP passes (an int); folding the carries back in at the end is the end-around carry. */
uint16_t net_chksum(const void *data, int len)
{
    const uint8_t *p = data;
    uint64_t sum = 0;
    for (; len >= 32; len -= 32, p += 32) {
        uint64_t a = *(const unaligned_u64 *)p, b = *(const unaligned_u64 *)(p + 8);
        uint64_t c = *(const unaligned_u64 *)(p + 16), d = *(const unaligned_u64 *)(p + 24);
        sum += (a & 0xffffffff) + (a >> 32) + (b & 0xffffffff) + (b >> 32) +
               (c & 0xffffffff) + (c >> 32) + (d & 0xffffffff) + (d >> 32);
    }
    for (; len >= 8; len -= 8, p += 8) {
        uint64_t a = *(const unaligned_u64 *)p;
        sum += (a & 0xffffffff) + (a >> 32);
    }
    if (len >= 4) {
        sum += *(const unaligned_u32 *)p;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        sum += *(const unaligned_u16 *)p;
        p += 2;
        len -= 2;
    }
    if (len > 0)
        sum += *p;                 /* the last byte is the first of its 16-bit word: little-endian */
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}
