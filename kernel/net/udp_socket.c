/* UDP sockets on lwIP's raw API. Datagrams wait in the socket's queue with their sender until
 * read; like Linux, a datagram that would take the queue past SO_RCVBUF is dropped (UDP has no
 * flow control), so memory stays bounded. */
#include "kernel.h"
#include "socket.h"
#include "file.h"
#include "mm.h"
#include "errno.h"
#include "lwip/udp.h"
#include "lwip/prot/udp.h"
#include "lwip/pbuf.h"
#include "lwip/ip.h"
#include "lwip/ip6_addr.h"
#include "lwip/prot/ip6.h"
#include "lwip/netif.h"
#include <string.h>

#define UDP_MAX_PAYLOAD 65507      /* IPv4: 65535 - IP header - UDP header */
#define UDP6_MAX_PAYLOAD 65527

enum { US_OPEN, US_CONNECTED };

static struct udp_pcb *pcb_of(struct socket *s) { return s->pcb; }

/* Linux's sock_error: the pending error (an ICMP error, net/icmp_error.c), reported once. */
static int take_error(struct socket *s)
{
    int err = s->error;
    s->error = 0;
    return err;
}

/* UDP-Lite (RFC 3828): lwIP matches datagrams to pcbs by port whatever the protocol, so a
 * socket takes only its own protocol's, as Linux's separate udp and udplite tables give them.
 * With UDPLITE_RECV_CSCOV set, a datagram whose checksum covers less than asked is dropped
 * (Linux's udp_queue_rcv_one_skb); a coverage of 0 in the header means all of it. */
static bool wanted(struct udp_pcb *pcb, struct pbuf *p)
{
    bool lite = ip_current_header_proto() == IP_PROTO_UDPLITE;
    if (lite != ((pcb->flags & UDP_FLAGS_UDPLITE) != 0))
        return false;
    if (!lite || !pcb->chksum_len_rx)
        return true;
    /* lwIP moved the payload past the UDP header, which is still just before it */
    const struct udp_hdr *h = (const struct udp_hdr *)((const u8_t *)p->payload - UDP_HLEN);
    u16_t cov = lwip_ntohs(h->len);
    return cov == 0 || cov >= p->tot_len + UDP_HLEN || cov >= pcb->chksum_len_rx;
}

static void on_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    struct socket *s = arg;
    if (s->rd_shut || s->rx_bytes + p->tot_len > (uint32_t)s->rcvbuf || !wanted(pcb, p)) {
        pbuf_free(p);
        return;
    }
    struct rx_entry *e = socket_rx_push(s, p, addr, port);
    if (e && ip_current_is_v6()) {     /* for IPV6_RECVHOPLIMIT and IPV6_RECVTCLASS */
        e->ip6 = true;
        e->hoplimit = IP6H_HOPLIM(ip6_current_header());
        e->tclass = IP6H_TC(ip6_current_header());
    }
}

int udp_socket_init(struct socket *s)
{
    struct udp_pcb *pcb = udp_new_ip_type(s->domain == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
    if (!pcb)
        return -ENOMEM;
    s->pcb = pcb;
    if (s->protocol == IPPROTO_UDPLITE)
        udp_setflags(pcb, udp_flags(pcb) | UDP_FLAGS_UDPLITE);
    udp_recv(pcb, on_recv, s);
    return 0;
}

/* UDPLITE_SEND_CSCOV / UDPLITE_RECV_CSCOV as Linux's udp_lib_setsockopt bounds them: 0 (all
 * of the datagram) or 8 (the header) up to 65535. ENOPROTOOPT on a plain UDP socket. */
int udplite_set_coverage(struct socket *s, int name, int v)
{
    struct udp_pcb *pcb = pcb_of(s);
    if (s->protocol != IPPROTO_UDPLITE || !pcb)
        return -ENOPROTOOPT;
    if (v != 0 && v < UDP_HLEN)
        v = UDP_HLEN;
    else if (v > 0xffff)
        v = 0xffff;
    if (name == UDPLITE_SEND_CSCOV)
        pcb->chksum_len_tx = (u16_t)v;
    else
        pcb->chksum_len_rx = (u16_t)v;
    return 0;
}

/* Reading them works on plain UDP too (0: the whole datagram), as Linux's udp_lib_getsockopt. */
int udplite_get_coverage(struct socket *s, int name, int *v)
{
    struct udp_pcb *pcb = pcb_of(s);
    *v = 0;
    if (s->protocol != IPPROTO_UDPLITE || !pcb)
        return 0;
    *v = name == UDPLITE_SEND_CSCOV ? pcb->chksum_len_tx : pcb->chksum_len_rx;
    return 0;
}

static int udp_bind_(struct socket *s, const struct sock_addr *a)
{
    if (s->bound)
        return -EINVAL;
    if (!socket_local_address(&a->ip))
        return -EADDRNOTAVAIL;
    if (s->reuseaddr || s->reuseport)
        ip_set_option(pcb_of(s), SOF_REUSEADDR);
    int err = socket_errno(udp_bind(pcb_of(s), &a->ip, a->port));
    if (!err) {
        s->bound = true;
        s->port_locked = a->port != 0;
    }
    return err;
}

static int udp_listen_(struct socket *s, int backlog) { return -EOPNOTSUPP; }
static int udp_accept_(struct socket *s, struct socket **out) { return -EOPNOTSUPP; }

/* AF_UNSPEC (given as port 0 and no address type by the syscall layer) dissolves the
 * association. */
/* The source address Linux's route lookup gives a connect to dst: the outgoing interface's
 * address (IPv6: by RFC 6724 source selection). False when no route leads there. */
static bool source_for(const ip_addr_t *dst, ip_addr_t *src)
{
    if (IP_IS_V4(dst)) {
        struct netif *n = ip4_route(ip_2_ip4(dst));
        if (!n)
            return false;
        ip_addr_copy_from_ip4(*src, *netif_ip4_addr(n));
        return true;
    }
    struct netif *n = ip6_route(IP6_ADDR_ANY6, ip_2_ip6(dst));   /* src: any (it must not be NULL) */
    const ip_addr_t *a = n ? ip6_select_source_address(n, ip_2_ip6(dst)) : NULL;
    if (!a)
        return false;
    ip_addr_copy(*src, *a);
    return true;
}

/* A connected UDP socket gets its source address now, as Linux's ip4_datagram_connect does:
 * getsockname shows it (programs learn their outgoing address this way, and glibc's
 * getaddrinfo orders results by it), and no route is ENETUNREACH. */
static int udp_connect_(struct socket *s, const struct sock_addr *a)
{
    struct udp_pcb *pcb = pcb_of(s);
    if (!a) {
        udp_disconnect(pcb);
        if (s->auto_source) {          /* back to "any", as the socket was created */
            if (s->domain == AF_INET6)
                ip_addr_copy(pcb->local_ip, *IP_ANY_TYPE);
            else
                ip_addr_set_zero_ip4(&pcb->local_ip);
            s->auto_source = false;
        }
        if (!s->port_locked) {         /* Linux's udp_disconnect unhashes an ephemeral port */
            pcb->local_port = 0;       /* lwIP binds again at the next send */
            s->bound = false;
        }
        s->state = US_OPEN;
        return 0;
    }
    if (s->domain == AF_INET && !IP_IS_V4(&a->ip))
        return -EAFNOSUPPORT;
    ip_addr_t src;
    bool choose = ip_addr_isany(&pcb->local_ip);
    if (choose && !source_for(&a->ip, &src))
        return -ENETUNREACH;
    int err = socket_errno(udp_connect(pcb, &a->ip, a->port));
    if (err)
        return err;
    if (choose) {
        ip_addr_copy(pcb->local_ip, src);
        s->auto_source = true;
    }
    s->bound = true;
    s->state = US_CONNECTED;
    return 0;
}

static int64_t udp_send_(struct socket *s, const void *kbuf, uint64_t len, int flags, const struct sock_addr *to)
{
    struct udp_pcb *pcb = pcb_of(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    if (s->wr_shut) {
        if (!(flags & MSG_NOSIGNAL))
            raise_sigpipe();
        return -EPIPE;
    }
    if (!to && s->state != US_CONNECTED)
        return -EDESTADDRREQ;
    if (to && s->domain == AF_INET && !IP_IS_V4(&to->ip))
        return -EAFNOSUPPORT;
    const ip_addr_t *ip = to ? &to->ip : &pcb->remote_ip;
    if (len > (IP_IS_V6(ip) ? UDP6_MAX_PAYLOAD : UDP_MAX_PAYLOAD))
        return -EMSGSIZE;
    socket_pump();                     /* an ICMP error to our last datagram arrives first */
    if (s->error)                      /* where Linux's sock_alloc_send_skb looks */
        return take_error(s);
    struct pbuf *p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p)
        return -ENOBUFS;
    pbuf_take(p, kbuf, (u16_t)len);
    /* sendmsg's IPV6_HOPLIMIT and IPV6_TCLASS are this datagram's only (ip6_datagram_send_ctl) */
    u8_t ttl = pcb->ttl, tos = pcb->tos;
    if (s->send_hoplimit >= 0)
        pcb->ttl = (u8_t)s->send_hoplimit;
    if (s->send_tclass >= 0)
        pcb->tos = (u8_t)s->send_tclass;
    err_t err = to ? udp_sendto(pcb, p, &to->ip, to->port) : udp_send(pcb, p);
    pcb->ttl = ttl;
    pcb->tos = tos;
    pbuf_free(p);
    if (err != ERR_OK)
        return err == ERR_RTE ? -ENETUNREACH : socket_errno(err);
    s->bound = true;
    return len;
}

static bool has_datagram(void *arg)
{
    struct socket *s = arg;
    return s->rx_head || s->rd_shut || s->error;
}

static int64_t udp_recv_(struct socket *s, void *kbuf, uint64_t len, int flags, struct sock_addr *from,
                         bool *truncated)
{
    socket_pump();
    /* Linux's __skb_recv_udp: a pending error comes before any queued datagram. */
    int err = s->error ? 0 : socket_wait(s, socket_nonblock(s, flags), s->rcvtimeo_ns, has_datagram);
    if (err)
        return err;
    if (s->error)
        return take_error(s);
    struct rx_entry *e = s->rx_head;
    if (!e)
        return 0;                      /* shut down for reading */
    uint16_t size = e->p->tot_len;
    uint16_t n = len < size ? (uint16_t)len : size;
    pbuf_copy_partial(e->p, kbuf, n, 0);
    *truncated = n < size;
    s->recv_ip6 = e->ip6;
    s->recv_hoplimit = e->hoplimit;
    s->recv_tclass = e->tclass;
    if (from) {
        memset(from, 0, sizeof(*from));
        ip_addr_copy(from->ip, e->from_ip);
        from->port = e->from_port;
    }
    if (!(flags & MSG_PEEK)) {
        s->rx_head = e->next;
        if (!s->rx_head)
            s->rx_tail = NULL;
        s->rx_bytes -= size;
        pbuf_free(e->p);
        kfree(e);
    }
    return (flags & MSG_TRUNC) ? size : n;
}

/* Linux's inet_shutdown on an unconnected datagram socket: ENOTCONN, but the shutdown stands. */
static int udp_shutdown_(struct socket *s, int how)
{
    if (how == SHUT_RD || how == SHUT_RDWR)
        s->rd_shut = true;
    if (how == SHUT_WR || how == SHUT_RDWR)
        s->wr_shut = true;
    socket_wake(s, POLLIN | POLLOUT | POLLHUP);
    return s->state == US_CONNECTED ? 0 : -ENOTCONN;
}

/* Linux's datagram_poll. */
static uint32_t udp_poll_(struct socket *s)
{
    uint32_t mask = POLLOUT | POLLWRNORM;
    if (s->rx_head)
        mask |= POLLIN | POLLRDNORM;
    if (s->rd_shut)
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (s->rd_shut && s->wr_shut)
        mask |= POLLHUP;
    if (s->error || s->errq_head)
        mask |= POLLERR;
    return mask;
}

static int udp_name_(struct socket *s, bool peer, struct sock_addr *a)
{
    struct udp_pcb *pcb = pcb_of(s);
    if (peer && s->state != US_CONNECTED)
        return -ENOTCONN;
    if (peer) {
        ip_addr_copy(a->ip, pcb->remote_ip);
        a->port = pcb->remote_port;
    } else {
        ip_addr_copy(a->ip, pcb->local_ip);
        a->port = pcb->local_port;
    }
    return 0;
}

static void udp_apply_options_(struct socket *s) { }

static void udp_release_(struct socket *s)
{
    if (s->pcb)
        udp_remove(pcb_of(s));
    s->pcb = NULL;
}

const struct proto_ops udp_proto = {
    .bind = udp_bind_,
    .listen = udp_listen_,
    .accept = udp_accept_,
    .connect = udp_connect_,
    .send = udp_send_,
    .recv = udp_recv_,
    .shutdown = udp_shutdown_,
    .poll = udp_poll_,
    .name = udp_name_,
    .apply_options = udp_apply_options_,
    .release = udp_release_,
};

/* The socket Linux's __udp4_lib_lookup would pick for a reply from (remote, rport) to
 * (local, lport): a connected socket with exactly that peer first, then one bound to the
 * address, then one bound to any address; lwIP's own pcbs (DNS, DHCP) are not sockets. */
struct socket *udp_socket_for_error(const ip_addr_t *local, uint16_t lport, const ip_addr_t *remote,
                                    uint16_t rport, bool *connected)
{
    struct socket *best = NULL;
    int best_score = -1;
    for (struct udp_pcb *pcb = udp_pcbs; pcb; pcb = pcb->next) {
        if (pcb->recv != on_recv || pcb->local_port != lport || !IP_ADDR_PCB_VERSION_MATCH(pcb, local))
            continue;
        bool specific = !ip_addr_isany(&pcb->local_ip);
        if (specific && !ip_addr_cmp_zoneless(&pcb->local_ip, local))
            continue;
        bool conn = pcb->flags & UDP_FLAGS_CONNECTED;
        if (conn && (pcb->remote_port != rport || !ip_addr_cmp_zoneless(&pcb->remote_ip, remote)))
            continue;
        int score = 2 * conn + specific;
        if (score > best_score) {
            best_score = score;
            best = pcb->recv_arg;
            *connected = conn;
        }
    }
    return best;
}
