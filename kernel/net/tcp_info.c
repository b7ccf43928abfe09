/* TCP_INFO (and the SIOCOUTQ queue sizes): Linux's struct tcp_info filled from what lwIP's pcb knows (state, timers, segment
 * sizes, congestion window, retransmissions). Counters lwIP does not keep stay 0, as on a
 * fresh Linux socket. The structure is Linux 6.1's (232 bytes): a shorter buffer gets its
 * start, as getsockopt always does. */
#include "errno.h"
#include "socket.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"
#include <string.h>

struct linux_tcp_info {
    uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, app_limited;
    uint32_t rto, ato, snd_mss, rcv_mss;
    uint32_t unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
    uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt, rcv_space, total_retrans;
    uint8_t rest[232 - 104];            /* pacing, byte and segment counters: not kept */
};
_Static_assert(sizeof(struct linux_tcp_info) == 232, "Linux 6.1's struct tcp_info");

/* lwIP's enum tcp_state in Linux's numbering (include/net/tcp_states.h). */
static uint8_t linux_state(enum tcp_state st)
{
    static const uint8_t map[] = {
        [CLOSED] = 7, [LISTEN] = 10, [SYN_SENT] = 2, [SYN_RCVD] = 3, [ESTABLISHED] = 1,
        [FIN_WAIT_1] = 4, [FIN_WAIT_2] = 5, [CLOSE_WAIT] = 8, [CLOSING] = 11, [LAST_ACK] = 9,
        [TIME_WAIT] = 6,
    };
    return st < sizeof(map) ? map[st] : 7;
}

size_t tcp_socket_info(struct socket *s, void *out, size_t size)
{
    struct linux_tcp_info ti;
    memset(&ti, 0, sizeof(ti));
    struct tcp_pcb *pcb = s->pcb;
    const uint32_t tick_us = TCP_SLOW_INTERVAL * 1000;
    ti.state = pcb ? linux_state(pcb->state) : 7;
    if (pcb && pcb->state != LISTEN) {
        ti.rto = (uint32_t)pcb->rto * tick_us;
        ti.snd_mss = ti.rcv_mss = ti.advmss = pcb->mss;
        ti.rtt = (uint32_t)(pcb->sa >> 3) * tick_us;     /* lwIP keeps 8 x srtt, 4 x rttvar */
        ti.rttvar = (uint32_t)(pcb->sv >> 2) * tick_us;
        ti.snd_ssthresh = pcb->mss ? pcb->ssthresh / pcb->mss : 0;
        ti.snd_cwnd = pcb->mss ? pcb->cwnd / pcb->mss : 0;
        ti.rcv_space = pcb->rcv_wnd;
        ti.retransmits = ti.total_retrans = pcb->nrtx;
    }
    if (size > sizeof(ti))
        size = sizeof(ti);
    memcpy(out, &ti, size);
    return size;
}

/* Linux counts from write_seq (the next byte a write would take, its FIN included) back to
 * snd_una or snd_nxt; lwIP's snd_lbb, lastack and snd_nxt are the same sequence points. A
 * connection still being set up has nothing queued yet. */
int tcp_socket_outq(struct socket *s, bool unsent_only)
{
    struct tcp_pcb *pcb = s->pcb;
    if (!pcb)
        return 0;
    if (pcb->state == LISTEN)
        return -EINVAL;
    if (pcb->state == SYN_SENT || pcb->state == SYN_RCVD || pcb->state == CLOSED)
        return 0;
    return (int)(pcb->snd_lbb - (unsent_only ? pcb->snd_nxt : pcb->lastack));
}
