/* TCP initial sequence numbers as RFC 6528 and Linux's secure_tcp_seq choose them: a keyed hash
 * of the connection's four-tuple (SipHash-2-4 under a key drawn at the first connection) plus the
 * clock in 64 ns steps. An off-path host cannot guess a connection's numbers (lwIP's own choice
 * is 6510 plus its tick count: every boot's first connections start alike), while a new
 * incarnation of the same four-tuple still starts above the last one's numbers. */
#include "kernel.h"
#include "random.h"
#include "siphash.h"
#include "timer.h"
#include "lwip/ip_addr.h"
#include <string.h>

/* An address's own bytes: 16 for IPv6, 4 for IPv4 (the rest of the union is not the address). */
static size_t address_bytes(const ip_addr_t *ip, uint8_t *out)
{
    if (IP_IS_V6(ip)) {
        memcpy(out, ip_2_ip6(ip)->addr, 16);
        return 16;
    }
    memcpy(out, &ip_2_ip4(ip)->addr, 4);
    return 4;
}

uint32_t net_tcp_isn(const struct ip_addr *local, uint16_t local_port, const struct ip_addr *remote,
                     uint16_t remote_port)
{
    static uint64_t key[2];
    static bool keyed;
    if (!keyed) {
        random_bytes(key, sizeof(key));
        keyed = true;
    }
    uint8_t tuple[36];
    size_t n = address_bytes(local, tuple);
    n += address_bytes(remote, tuple + n);
    memcpy(tuple + n, &local_port, 2);
    memcpy(tuple + n + 2, &remote_port, 2);
    uint32_t hash = (uint32_t)siphash24(key, tuple, n + 4);
    return hash + (uint32_t)(counter_to_ns(counter_now()) >> 6);
}
