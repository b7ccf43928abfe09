/* TIME-WAIT reuse and its bound, as Linux does them. A server that closes first keeps each finished connection
 * in TIME-WAIT; a client that reuses its ports quickly (ab on loopback cycles through them after
 * ~3,000 connections) then sends a SYN on a port pair lwIP still remembers. Linux accepts such a
 * SYN when its sequence number lies beyond the old connection's (tcp_timewait_state_process,
 * RFC 6191); lwIP answers it with an ACK and the client sees a reset. So before a frame reaches
 * lwIP, a TIME-WAIT pcb that such a SYN would reuse is retired and the SYN finds the listener.
 * lwIP's own sources stay untouched. */
#include "kernel.h"
#include "net_timewait.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

#define ETH_HEADER   14
#define ETHERTYPE_V4 0x0800
#define ETHERTYPE_V6 0x86dd
#define IPPROTO_TCP  6
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_ACK 0x10

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

/* The TCP header of an unfragmented IPv4 or IPv6 (no extension headers) frame, or NULL; the
 * source address goes to *src. */
static const uint8_t *tcp_header(const uint8_t *frame, size_t len, ip_addr_t *src)
{
    if (len < ETH_HEADER + 20)
        return NULL;
    const uint8_t *ip = frame + ETH_HEADER;
    size_t left = len - ETH_HEADER;
    switch (be16(frame + 12)) {
    case ETHERTYPE_V4: {
        size_t ihl = (size_t)(ip[0] & 0xf) * 4;
        if ((ip[0] >> 4) != 4 || ihl < 20 || left < ihl + 20 || ip[9] != IPPROTO_TCP ||
            (be16(ip + 6) & 0x3fff))   /* a fragment: lwIP reassembles it, we leave it alone */
            return NULL;
        IP_ADDR4(src, ip[12], ip[13], ip[14], ip[15]);
        return ip + ihl;
    }
#if LWIP_IPV6
    case ETHERTYPE_V6:
        if (left < 40 + 20 || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP)
            return NULL;
        IP_ADDR6(src, PP_HTONL(be32(ip + 8)), PP_HTONL(be32(ip + 12)), PP_HTONL(be32(ip + 16)),
                 PP_HTONL(be32(ip + 20)));
        return ip + 40;
#endif
    default:
        return NULL;
    }
}

/* How many connections may wait in TIME-WAIT. lwIP takes pcbs from our heap (MEMP_MEM_MALLOC),
 * so nothing else bounds them: at a few hundred connections a second, 60 s of TIME-WAIT would
 * hold tens of thousands. Linux bounds them too (tcp_max_tw_buckets) and drops the oldest. Kept
 * small because lwIP walks the TIME-WAIT list for every incoming segment (measured: 1,024 costs
 * ~15 % of ab -c 1 throughput against 128); with SYN reuse above, a short list loses little. */
#define TIME_WAIT_MAX 128

static void bound_time_wait(void)
{
    unsigned n = 0;
    struct tcp_pcb *oldest = NULL;
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
        n++;
        if (!oldest || (u32_t)(tcp_ticks - pcb->tmr) > (u32_t)(tcp_ticks - oldest->tmr))
            oldest = pcb;
    }
    if (n > TIME_WAIT_MAX)
        tcp_abort(oldest);
}

void tcp_timewait_reuse(const void *frame, size_t len)
{
    ip_addr_t src = { 0 };
    const uint8_t *tcp = tcp_header(frame, len, &src);
    if (!tcp || (tcp[13] & (TCP_FLAG_SYN | TCP_FLAG_ACK)) != TCP_FLAG_SYN)
        return;
    bound_time_wait();   /* a new connection is what makes TIME-WAIT grow */
    uint16_t sport = be16(tcp), dport = be16(tcp + 2);
    uint32_t seq = be32(tcp + 4);
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
        if (pcb->local_port != dport || pcb->remote_port != sport)
            continue;
        bool same = IP_IS_V6_VAL(pcb->remote_ip) == IP_IS_V6_VAL(src) &&
                    (IP_IS_V6_VAL(src) ? ip6_addr_cmp_zoneless(ip_2_ip6(&pcb->remote_ip), ip_2_ip6(&src))
                                       : ip4_addr_cmp(ip_2_ip4(&pcb->remote_ip), ip_2_ip4(&src)));
        if (same && TCP_SEQ_GT(seq, pcb->rcv_nxt)) {
            tcp_abort(pcb);   /* for a TIME-WAIT pcb: removed and freed, nothing sent */
            return;
        }
    }
}
