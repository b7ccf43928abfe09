/* ICMP errors about the datagrams we sent, reported to the UDP socket that sent them as Linux's
 * __udp4_lib_err / __udp6_lib_err report them (sk_err: SO_ERROR, POLLERR, the next send or
 * recv). lwIP's icmp_input counts a destination unreachable and tells no pcb, and lwIP is never
 * patched: a raw pcb per family sees every ICMP packet before icmp_input does, reads the quoted
 * IP and UDP headers, and lets the packet go on (echo requests are still answered by lwIP).
 * The error queue of IP_RECVERR stays empty (docs/kernel.md, known gaps). */
#include "kernel.h"
#include "net.h"
#include "socket.h"
#include "errno.h"
#include "lwip/raw.h"
#include "lwip/ip.h"
#include "lwip/inet_chksum.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/icmp6.h"
#include <string.h>

#define IP4_MAX_HLEN 60
#define IP6_HLEN_ 40
#define ICMP_HLEN_ 8
#define UDP_HLEN_ 8
#define QUOTE_MAX (2 * IP4_MAX_HLEN + ICMP_HLEN_ + UDP_HLEN_)

struct icmp_verdict {
    int err;
    bool hard;              /* reported even without IP_RECVERR, to a connected socket */
};

/* Linux's icmp_err_convert by ICMP_DEST_UNREACH code; FRAG_NEEDED (4) is EMSGSIZE and hard
 * under the default IP_PMTUDISC_WANT (__udp4_lib_err). */
static const struct icmp_verdict unreach4[16] = {
    {ENETUNREACH, false}, {EHOSTUNREACH, false}, {ENOPROTOOPT, true}, {ECONNREFUSED, true},
    {EMSGSIZE, true}, {EOPNOTSUPP, false}, {ENETUNREACH, true}, {EHOSTDOWN, true},
    {ENONET, true}, {ENETUNREACH, true}, {EHOSTUNREACH, true}, {ENETUNREACH, false},
    {EHOSTUNREACH, false}, {EHOSTUNREACH, true}, {EHOSTUNREACH, true}, {EHOSTUNREACH, true},
};

/* Linux's icmpv6_err_convert's tab_unreach, by ICMPV6_DEST_UNREACH code. */
static const struct icmp_verdict unreach6[7] = {
    {ENETUNREACH, false}, {EACCES, true}, {EHOSTUNREACH, false}, {EHOSTUNREACH, false},
    {ECONNREFUSED, true}, {EACCES, true}, {EACCES, true},
};

/* Whether the interface it came in on checks checksums (lwIP's loopback neither makes nor
 * checks them, as icmp_input knows). */
static bool checked(uint16_t flag)
{
    const struct netif *in = ip_current_input_netif();
    return !in || (in->chksum_flags & flag);
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* The socket that sent from (local, lport) to (remote, rport) takes the error when Linux's
 * rule lets it: always with IP_RECVERR (IPV6_RECVERR for ICMPv6), else only a hard error on a
 * connected socket. */
static void report(const ip_addr_t *local, uint16_t lport, const ip_addr_t *remote, uint16_t rport,
                   struct icmp_verdict v, bool v6)
{
    bool connected;
    struct socket *s = udp_socket_for_error(local, lport, remote, rport, &connected);
    if (!s || !((v6 ? s->recverr6 : s->recverr) || (v.hard && connected)))
        return;
    s->error = -v.err;
    socket_wake(s, POLLERR);
}

static bool icmp4_verdict(uint8_t type, uint8_t code, struct icmp_verdict *v)
{
    switch (type) {
    case ICMP_DUR:
        *v = code < 16 ? unreach4[code] : (struct icmp_verdict){EHOSTUNREACH, false};
        return true;
    case ICMP_TE:
        *v = (struct icmp_verdict){EHOSTUNREACH, false};
        return true;
    case ICMP_PP:
        *v = (struct icmp_verdict){EPROTO, true};
        return true;
    default:                       /* source quench, redirects: no error; the rest is no error */
        return false;
    }
}

static void icmp4_input(struct pbuf *p)
{
    uint8_t pkt[QUOTE_MAX];
    uint16_t n = pbuf_copy_partial(p, pkt, sizeof(pkt), 0);
    uint16_t hlen = (uint16_t)((pkt[0] & 0xf) * 4);
    struct icmp_verdict v;
    if (hlen < 20 || pkt[9] != IP_PROTO_ICMP || n < hlen + ICMP_HLEN_ + 20 ||
        !icmp4_verdict(pkt[hlen], pkt[hlen + 1], &v))
        return;
    const uint8_t *in = pkt + hlen + ICMP_HLEN_;   /* the quoted header of what we sent */
    uint16_t in_hlen = (uint16_t)((in[0] & 0xf) * 4);
    if ((in[0] >> 4) != 4 || in[9] != IP_PROTO_UDP || in_hlen < 20 || n < hlen + ICMP_HLEN_ + in_hlen + UDP_HLEN_)
        return;
    /* A corrupted ICMP message tells nothing (icmp_input drops it too). */
    if (pbuf_remove_header(p, hlen))
        return;
    bool bad = checked(NETIF_CHECKSUM_CHECK_ICMP) && inet_chksum_pbuf(p) != 0;
    pbuf_add_header_force(p, hlen);
    if (bad)
        return;
    ip_addr_t local, remote;
    ip4_addr_t a;
    memcpy(&a.addr, in + 12, 4);
    ip_addr_copy_from_ip4(local, a);
    memcpy(&a.addr, in + 16, 4);
    ip_addr_copy_from_ip4(remote, a);
    const uint8_t *udp = in + in_hlen;
    report(&local, be16(udp), &remote, be16(udp + 2), v, false);
}

static bool icmp6_verdict(uint8_t type, uint8_t code, struct icmp_verdict *v)
{
    switch (type) {
    case ICMP6_TYPE_DUR:
        *v = code < 7 ? unreach6[code] : (struct icmp_verdict){EPROTO, true};
        return true;
    case ICMP6_TYPE_PTB:           /* hard under the default IPV6_PMTUDISC_WANT */
        *v = (struct icmp_verdict){EMSGSIZE, true};
        return true;
    case ICMP6_TYPE_TE:
        *v = (struct icmp_verdict){EHOSTUNREACH, false};
        return true;
    case ICMP6_TYPE_PP:
        *v = (struct icmp_verdict){EPROTO, true};
        return true;
    default:                       /* informational messages (>= 128) */
        return false;
    }
}

static void ip6_from(const uint8_t *raw, ip_addr_t *out)
{
    ip6_addr_p_t packed;
    memcpy(&packed, raw, sizeof(packed));
    ip_addr_copy_from_ip6_packed(*out, packed);
}

static void icmp6_input(struct pbuf *p)
{
    uint8_t pkt[2 * IP6_HLEN_ + ICMP_HLEN_ + UDP_HLEN_];
    uint16_t n = pbuf_copy_partial(p, pkt, sizeof(pkt), 0);
    struct icmp_verdict v;
    /* Only an ICMPv6 message right after the fixed header, quoting a UDP datagram right after
     * its fixed header: extension headers on either side are not followed. */
    if (n < sizeof(pkt) || pkt[6] != IP6_NEXTH_ICMP6 || !icmp6_verdict(pkt[IP6_HLEN_], pkt[IP6_HLEN_ + 1], &v))
        return;
    const uint8_t *in = pkt + IP6_HLEN_ + ICMP_HLEN_;
    if ((in[0] >> 4) != 6 || in[6] != IP6_NEXTH_UDP)
        return;
    ip_addr_t src, dst, local, remote;
    ip6_from(pkt + 8, &src);
    ip6_from(pkt + 24, &dst);
    if (pbuf_remove_header(p, IP6_HLEN_))
        return;
    bool bad = checked(NETIF_CHECKSUM_CHECK_ICMP6) && ip6_chksum_pseudo(p, IP6_NEXTH_ICMP6, p->tot_len, ip_2_ip6(&src), ip_2_ip6(&dst)) != 0;
    pbuf_add_header_force(p, IP6_HLEN_);
    if (bad)
        return;
    ip6_from(in + 8, &local);
    ip6_from(in + 24, &remote);
    const uint8_t *udp = in + IP6_HLEN_;
    report(&local, be16(udp), &remote, be16(udp + 2), v, true);
}

/* raw_input's callback, p at the IP header: never takes the packet (0). */
static u8_t icmp_seen(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
    if (p->len && (*(const uint8_t *)p->payload >> 4) == 4)
        icmp4_input(p);
    else if (p->len)
        icmp6_input(p);
    return 0;
}

void icmp_error_init(void)
{
    struct raw_pcb *v4 = raw_new_ip_type(IPADDR_TYPE_ANY, IP_PROTO_ICMP);
    struct raw_pcb *v6 = raw_new_ip_type(IPADDR_TYPE_ANY, IP6_NEXTH_ICMP6);
    if (!v4 || !v6)
        panic("net: out of memory for the ICMP error listeners");
    raw_recv(v4, icmp_seen, NULL);
    raw_recv(v6, icmp_seen, NULL);
}
