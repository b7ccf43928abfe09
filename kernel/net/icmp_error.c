/* ICMP errors about the datagrams we sent, reported to the UDP socket that sent them as Linux's
 * __udp4_lib_err / __udp6_lib_err report them (sk_err: SO_ERROR, POLLERR, the next send or
 * recv). lwIP's icmp_input counts a destination unreachable and tells no pcb, and lwIP is never
 * patched: a raw pcb per family sees every ICMP packet before icmp_input does, reads the quoted
 * IP and UDP headers, and lets the packet go on (echo requests are still answered by lwIP).
 * With IP_RECVERR the error also joins the socket's error queue (net/sock_errqueue.c). */
#include "kernel.h"
#include "net.h"
#include "socket.h"
#include "errno.h"
#include "lwip/raw.h"
#include "lwip/ip.h"
#include "lwip/inet_chksum.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/icmp6.h"
#include "lwip/icmp.h"
#include <string.h>

#define IP4_MAX_HLEN 60
#define IP6_HLEN_ 40
#define ICMP_HLEN_ 8
#define UDP_HLEN_ 8
#define QUOTE_MAX (2 * IP4_MAX_HLEN + ICMP_HLEN_ + UDP_HLEN_)
#define ERRQUEUE_PAYLOAD_MAX 576       /* what an ICMP error may quote (RFC 1812's bound) */

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

/* What one ICMP error says: the quoted datagram's addresses and ports, the verdict, and where
 * in the packet the quoted payload starts. */
struct icmp_report {
    ip_addr_t local, remote, offender;
    uint16_t lport, rport;
    struct icmp_verdict v;
    uint8_t type, code;
    uint32_t info;
    uint16_t payload_at;
};

/* The socket that sent from (local, lport) to (remote, rport) takes the error when Linux's
 * rule lets it: always with IP_RECVERR (IPV6_RECVERR for ICMPv6), which also queues it, else
 * only a hard error on a connected socket. */
static void report(const struct icmp_report *r, struct pbuf *p, bool v6)
{
    bool connected;
    struct socket *s = udp_socket_for_error(&r->local, r->lport, &r->remote, r->rport, &connected);
    bool recverr = s && (v6 ? s->recverr6 : s->recverr);
    if (!s || !(recverr || (r->v.hard && connected)))
        return;
    if (recverr) {
        struct sock_err e = { .err = r->v.err, .origin = v6 ? SO_EE_ORIGIN_ICMP6 : SO_EE_ORIGIN_ICMP,
                              .type = r->type, .code = r->code, .info = r->info };
        ip_addr_copy(e.offender, r->offender);
        memset(&e.dst, 0, sizeof(e.dst));
        ip_addr_copy(e.dst.ip, r->remote);
        e.dst.port = r->rport;
        uint16_t len = p->tot_len > r->payload_at ? (uint16_t)(p->tot_len - r->payload_at) : 0;
        sock_errqueue_push(s, &e, p, r->payload_at, len < ERRQUEUE_PAYLOAD_MAX ? len : ERRQUEUE_PAYLOAD_MAX);
    }
    s->error = -r->v.err;
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

static void icmp4_error_seen(struct pbuf *p)
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
    struct icmp_report r = { .v = v, .type = pkt[hlen], .code = pkt[hlen + 1],
                             .payload_at = (uint16_t)(hlen + ICMP_HLEN_ + in_hlen + UDP_HLEN_) };
    if (r.type == ICMP_DUR && r.code == ICMP_DUR_FRAG)
        r.info = be16(pkt + hlen + 6);             /* the next hop's MTU (icmp_unreach) */
    else if (r.type == ICMP_PP)
        r.info = pkt[hlen + 4];                    /* the pointer to the bad byte */
    ip4_addr_t a;
    memcpy(&a.addr, in + 12, 4);
    ip_addr_copy_from_ip4(r.local, a);
    memcpy(&a.addr, in + 16, 4);
    ip_addr_copy_from_ip4(r.remote, a);
    memcpy(&a.addr, pkt + 12, 4);
    ip_addr_copy_from_ip4(r.offender, a);
    const uint8_t *udp = in + in_hlen;
    r.lport = be16(udp);
    r.rport = be16(udp + 2);
    report(&r, p, false);
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

static void icmp6_error_seen(struct pbuf *p)
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
    ip_addr_t src, dst;
    ip6_from(pkt + 8, &src);
    ip6_from(pkt + 24, &dst);
    if (pbuf_remove_header(p, IP6_HLEN_))
        return;
    bool bad = checked(NETIF_CHECKSUM_CHECK_ICMP6) && ip6_chksum_pseudo(p, IP6_NEXTH_ICMP6, p->tot_len, ip_2_ip6(&src), ip_2_ip6(&dst)) != 0;
    pbuf_add_header_force(p, IP6_HLEN_);
    if (bad)
        return;
    struct icmp_report r = { .v = v, .type = pkt[IP6_HLEN_], .code = pkt[IP6_HLEN_ + 1],
                             .payload_at = 2 * IP6_HLEN_ + ICMP_HLEN_ + UDP_HLEN_ };
    r.info = (uint32_t)be16(pkt + IP6_HLEN_ + 4) << 16 | be16(pkt + IP6_HLEN_ + 6);   /* MTU, pointer */
    ip6_from(in + 8, &r.local);
    ip6_from(in + 24, &r.remote);
    ip_addr_copy(r.offender, src);
    const uint8_t *udp = in + IP6_HLEN_;
    r.lport = be16(udp);
    r.rport = be16(udp + 2);
    report(&r, p, true);
}

/* raw_input's callback, p at the IP header: never takes the packet (0). */
static u8_t icmp_seen(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *from)
{
    if (p->len && (*(const uint8_t *)p->payload >> 4) == 4)
        icmp4_error_seen(p);
    else if (p->len)
        icmp6_error_seen(p);
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
