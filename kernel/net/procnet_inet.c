/* /proc/net/{tcp,tcp6,udp,udp6}: the sockets lwIP's pcb lists hold, one line each in Linux 6.1's
 * columns (net/ipv4/tcp_ipv4.c get_tcp4_sock and get_timewait4_sock, net/ipv6/tcp_ipv6.c,
 * net/ipv4/udp.c udp4_format_sock, net/ipv6/datagram.c ip6_dgram_sock_seq_show). A socket is
 * listed by its family, as Linux lists it: an AF_INET6 socket in the *6 file (its IPv4 peers as
 * ::ffff:a.b.c.d), an AF_INET one in the other; a pcb without a socket any more (closed, or in
 * TIME-WAIT) by its addresses. Listed, as on Linux: listening, connecting, connected, closing
 * and TIME-WAIT TCP sockets, and bound UDP ones (a socket merely bound for TCP is not hashed).
 * What lwIP does not keep is shown as Linux shows "nothing": the pointer as kptr_restrict=2
 * prints it (zeros), the reference count 1 (there is none), no ATO or quick-ack, UDP drops 0
 * (not counted). Queues are bytes: TCP's unacknowledged and unread bytes, UDP's unread
 * datagram bytes (Linux counts UDP's buffer memory, truesize). Timers: 1 (retransmit) with the
 * time left while data is unacknowledged, else 0. */
#include "kernel.h"
#include "procnet.h"
#include "socket.h"
#include "kfile.h"
#include "linux_abi.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"
#include "lwip/priv/tcp_priv.h"
#include <string.h>

#define TCP4_WIDTH 149                 /* TMPSZ - 1: tcp4_seq_show pads every line to it */
#define UDP4_WIDTH 127
#define CLOCK_T_PER_SLOW_TICK (TCP_SLOW_INTERVAL / 10)   /* USER_HZ 100: 10 ms per clock_t */

/* lwIP's enum tcp_state as Linux's TCP_* numbers. */
static const uint8_t linux_state[] = {
    [CLOSED] = 7, [LISTEN] = 10, [SYN_SENT] = 2, [SYN_RCVD] = 3, [ESTABLISHED] = 1, [FIN_WAIT_1] = 4,
    [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8, [CLOSING] = 11, [LAST_ACK] = 9, [TIME_WAIT] = 6,
};

static void put_addr4(struct procnet_text *x, const ip_addr_t *a, uint16_t port)
{
    procnet_printf(x, "%08X:%04X", IP_IS_V4(a) ? ip_2_ip4(a)->addr : 0, port);
}

/* In the *6 files: an IPv4 address (a dual-stack socket's) as ::ffff:a.b.c.d, any as ::. */
static void put_addr6(struct procnet_text *x, const ip_addr_t *a, uint16_t port)
{
    uint32_t w[4] = { 0, 0, 0, 0 };
    if (IP_IS_V6(a))
        memcpy(w, ip_2_ip6(a)->addr, sizeof(w));
    else if (!ip4_addr_isany_val(*ip_2_ip4(a))) {
        w[2] = PP_HTONL(0xffff);
        w[3] = ip_2_ip4(a)->addr;
    }
    procnet_printf(x, "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3], port);
}

/* Whether a pcb belongs in the *6 file: by its socket's family, else by its own addresses. */
static bool in_v6_file(const struct socket *s, const ip_addr_t *local)
{
    return s ? s->domain == AF_INET6 : IP_IS_V6(local) || IP_IS_ANY_TYPE_VAL(*local);
}

struct tcp_row {
    const struct tcp_pcb *pcb;
    const struct socket *s;            /* NULL: orphaned or TIME-WAIT */
    bool listening;
};

static void tcp_line(struct procnet_text *x, int sl, const struct tcp_row *r, bool v6)
{
    const struct tcp_pcb *pcb = r->pcb;
    const struct socket *s = r->s;
    size_t start = x->len;
    procnet_printf(x, "%4d: ", sl);
    void (*put)(struct procnet_text *, const ip_addr_t *, uint16_t) = v6 ? put_addr6 : put_addr4;
    put(x, &pcb->local_ip, pcb->local_port);
    procnet_printf(x, " ");
    static const ip_addr_t none;       /* a listening pcb (tcp_pcb_listen) has no remote end */
    put(x, r->listening ? &none : &pcb->remote_ip, r->listening ? 0 : pcb->remote_port);
    uint8_t st = linux_state[pcb->state];
    if (pcb->state == TIME_WAIT) {     /* get_timewait4_sock: the time left of TIME-WAIT */
        uint32_t elapsed = tcp_ticks - pcb->tmr, total = 2 * TCP_MSL / TCP_SLOW_INTERVAL;
        uint32_t left = elapsed < total ? (total - elapsed) * CLOCK_T_PER_SLOW_TICK : 0;
        procnet_printf(x, " %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %016X", st, 0, 0, 3, left, 0, 0, 0, 0, 1, 0);
    } else {
        uint32_t txq = 0, rxq = 0, tr = 0, when = 0;
        if (r->listening) {
            rxq = s ? (uint32_t)s->accept_count : 0;
        } else {
            txq = pcb->snd_lbb - pcb->lastack;
            rxq = s ? s->rx_bytes : 0;
            if (pcb->unacked && pcb->rtime >= 0) {
                tr = 1;
                when = pcb->rto > pcb->rtime ? (uint32_t)(pcb->rto - pcb->rtime) * CLOCK_T_PER_SLOW_TICK : 0;
            }
        }
        /* A listening pcb is a struct tcp_pcb_listen: none of the fields below TCP_PCB_COMMON. */
        uint32_t mss = r->listening || !pcb->mss ? 536 : pcb->mss;
        int ssthresh = r->listening ? 0 : pcb->ssthresh >= TCP_SND_BUF ? -1 : (int)(pcb->ssthresh / mss);
        procnet_printf(x, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016X %u %u %u %u %d", st, txq, rxq, tr,
                       when, r->listening ? 0 : pcb->nrtx, s ? s->uid : 0, r->listening ? 0 : pcb->persist_probe,
                       s ? s->ino : 0UL, 1, 0, r->listening ? 0 : (unsigned)pcb->rto * CLOCK_T_PER_SLOW_TICK, 0, 0,
                       r->listening ? 10 : (unsigned)(pcb->cwnd / mss), ssthresh);
    }
    if (v6)
        procnet_printf(x, "\n");
    else
        procnet_pad(x, start, TCP4_WIDTH);
}

static struct file *tcp_open(const char *path, int flags)
{
    bool v6 = path[strlen(path) - 1] == '6';
    struct procnet_text x = { 0 };
    if (v6)
        procnet_printf(&x, "  sl  local_address                         remote_address                        st "
                           "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n");
    else {
        procnet_printf(&x, "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                           "timeout inode");
        procnet_pad(&x, 0, TCP4_WIDTH);
    }
    socket_pump();
    int sl = 0;
    /* Linux's order: the listening hash, then the established one (TIME-WAIT among them). */
    for (struct tcp_pcb_listen *l = tcp_listen_pcbs.listen_pcbs; l; l = l->next) {
        struct tcp_row r = { (const struct tcp_pcb *)l, l->callback_arg, true };
        if (in_v6_file(r.s, &l->local_ip) == v6)
            tcp_line(&x, sl++, &r, v6);
    }
    struct tcp_pcb *lists[] = { tcp_active_pcbs, tcp_tw_pcbs };
    for (int i = 0; i < 2; i++)
        for (struct tcp_pcb *p = lists[i]; p; p = p->next) {
            /* A SYN_RCVD pcb carries its listener's arg until accepted: a request sock, no socket. */
            bool no_socket = p->state == TIME_WAIT || p->state == SYN_RCVD;
            struct tcp_row r = { p, no_socket ? NULL : p->callback_arg, false };
            if (in_v6_file(r.s, &p->local_ip) == v6)
                tcp_line(&x, sl++, &r, v6);
        }
    return procnet_file(&x, flags);
}

static void udp_line(struct procnet_text *x, int sl, const struct udp_pcb *pcb, bool v6)
{
    const struct socket *s = pcb->recv_arg;
    bool connected = pcb->flags & UDP_FLAGS_CONNECTED;
    size_t start = x->len;
    procnet_printf(x, "%5d: ", sl);
    void (*put)(struct procnet_text *, const ip_addr_t *, uint16_t) = v6 ? put_addr6 : put_addr4;
    put(x, &pcb->local_ip, pcb->local_port);
    procnet_printf(x, " ");
    put(x, &pcb->remote_ip, connected ? pcb->remote_port : 0);
    procnet_printf(x, " %02X %08X:%08X %02X:%08X %08X %5u %8d %lu %d %016X %u", connected ? 1 : 7, 0,
                   s ? s->rx_bytes : 0, 0, 0, 0, s ? s->uid : 0, 0, s ? s->ino : 0UL, 1, 0, 0);
    if (v6)
        procnet_printf(x, "\n");
    else
        procnet_pad(x, start, UDP4_WIDTH);
}

static struct file *udp_open(const char *path, int flags)
{
    bool v6 = path[strlen(path) - 1] == '6';
    struct procnet_text x = { 0 };
    if (v6)
        procnet_printf(&x, "  sl  local_address                         remote_address                        st "
                           "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n");
    else {
        procnet_printf(&x, "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
                           "timeout inode ref pointer drops");
        procnet_pad(&x, 0, UDP4_WIDTH);
    }
    socket_pump();
    int sl = 0;
    for (struct udp_pcb *p = udp_pcbs; p; p = p->next) {
        const struct socket *s = p->recv_arg;
        if (!s)                        /* the kernel's own DHCP client, as Linux's ipconfig: no socket */
            continue;
        if (in_v6_file(s, &p->local_ip) == v6)
            udp_line(&x, sl++, p, v6);
    }
    return procnet_file(&x, flags);
}

void procnet_inet_init(void)
{
    procnet_register("tcp", tcp_open);
    procnet_register("tcp6", tcp_open);
    procnet_register("udp", udp_open);
    procnet_register("udp6", udp_open);
}
