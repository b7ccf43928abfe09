/* TCP_INFO (and the SIOCOUTQ queue sizes): Linux's struct tcp_info filled from what lwIP's pcb
 * knows (state, timers, segment sizes, windows, congestion window, queues) and what the glue
 * counts (bytes each way, data segments in, a microsecond RTT estimate: tcp_info_*). What
 * neither keeps stays 0, as on a fresh Linux socket: the SACK/reordering/loss counters (lwIP
 * has no SACK), segments out and in counted by the stack, delivery rate and the chrono times,
 * last_ack_sent (Linux leaves it 0 too) and total_retrans. The structure is Linux 6.1's (232 bytes): a shorter
 * buffer gets its start, as getsockopt always does. */
#include "errno.h"
#include "socket.h"
#include "timer.h"
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
    uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
    uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
    uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
    uint32_t delivered, delivered_ce;
    uint64_t bytes_sent, bytes_retrans;
    uint32_t dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
};
_Static_assert(sizeof(struct linux_tcp_info) == 232, "Linux 6.1's struct tcp_info");

#define TCPI_OPT_WSCALE 4
#define TCP_DUPACK_THRESHOLD 3         /* lwIP's fast retransmit, Linux's tcp_reordering */

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

void tcp_info_sending(struct socket *s, uint32_t seq_end)
{
    s->tcpc.last_data_sent = counter_now();
    if (s->tcpc.rtt_start)
        return;                        /* one byte timed at a time, as Linux without timestamps */
    s->tcpc.rtt_seq = seq_end;
    s->tcpc.rtt_start = counter_now() | 1;
}

/* Linux's tcp_rtt_estimator: the first sample is the estimate (its variance half of it), later
 * ones move it by 1/8 and the variance by 1/4 of the difference. */
void tcp_info_acked(struct socket *s, uint32_t lastack, uint16_t len)
{
    struct tcp_counters *c = &s->tcpc;
    c->bytes_acked += len;
    c->last_ack_recv = counter_now();
    if (!c->rtt_start || TCP_SEQ_LT(lastack, c->rtt_seq))
        return;
    uint64_t us = counter_to_ns(counter_now() - c->rtt_start) / 1000;
    uint32_t m = us ? (us > UINT32_MAX ? UINT32_MAX : (uint32_t)us) : 1;
    c->rtt_start = 0;
    if (!c->srtt_us) {
        c->srtt_us = m;
        c->rttvar_us = m / 2;
    } else {
        int64_t delta = (int64_t)m - c->srtt_us;
        c->srtt_us = (uint32_t)((int64_t)c->srtt_us + delta / 8);
        c->rttvar_us = (uint32_t)((int64_t)c->rttvar_us + ((delta < 0 ? -delta : delta) - (int64_t)c->rttvar_us) / 4);
    }
    if (!c->min_rtt_us || m < c->min_rtt_us)
        c->min_rtt_us = m;
}

void tcp_info_received(struct socket *s, uint32_t len)
{
    s->tcpc.bytes_received += len;
    s->tcpc.data_segs_in++;
    s->tcpc.last_data_recv = counter_now();
}

/* Linux's tcp_update_pacing_rate: twice the window per RTT in slow start, 1.2 times after. */
static uint64_t pacing_rate(const struct tcp_pcb *pcb, uint32_t srtt_us)
{
    if (!srtt_us)
        return 0;
    uint64_t per_rtt = (uint64_t)pcb->cwnd * (pcb->cwnd < pcb->ssthresh / 2 ? 200 : 120) / 100;
    return per_rtt * 1000000 / srtt_us;
}

/* Linux's last_* fields: milliseconds since (jiffies_to_msecs(now - then)); 0 when it never
 * happened (Linux counts from the connection's start then). */
static uint32_t ms_since(uint64_t then)
{
    return then ? (uint32_t)(counter_to_ns(counter_now() - then) / 1000000) : 0;
}

static uint32_t segments(const struct tcp_seg *seg)
{
    uint32_t n = 0;
    for (; seg; seg = seg->next)
        n++;
    return n;
}

size_t tcp_socket_info(struct socket *s, void *out, size_t size)
{
    struct linux_tcp_info ti;
    memset(&ti, 0, sizeof(ti));
    struct tcp_pcb *pcb = s->pcb;
    const struct tcp_counters *c = &s->tcpc;
    const uint32_t tick_us = TCP_SLOW_INTERVAL * 1000;
    ti.state = pcb ? linux_state(pcb->state) : 7;
    ti.max_pacing_rate = UINT64_MAX;   /* SO_MAX_PACING_RATE's default: unlimited */
    if (pcb && pcb->state != LISTEN) {
        ti.rto = (uint32_t)pcb->rto * tick_us;
        ti.ato = TCP_TMR_INTERVAL * 1000;          /* a delayed ACK leaves at the next fast timer */
        ti.snd_mss = ti.rcv_mss = ti.advmss = pcb->mss;
        ti.pmtu = pcb->mss + (IP_IS_V6(&pcb->remote_ip) ? 60 : 40);   /* the MTU the MSS came from */
#if LWIP_WND_SCALE
        if (pcb->flags & TF_WND_SCALE) {
            ti.options |= TCPI_OPT_WSCALE;
            ti.wscale = (uint8_t)(pcb->snd_scale | pcb->rcv_scale << 4);
        }
#endif
        ti.unacked = segments(pcb->unacked);
        ti.rtt = c->srtt_us;
        ti.rttvar = c->rttvar_us;
        ti.min_rtt = c->min_rtt_us;
        ti.snd_ssthresh = pcb->mss ? pcb->ssthresh / pcb->mss : 0;
        ti.snd_cwnd = pcb->mss ? pcb->cwnd / pcb->mss : 0;
        ti.reordering = TCP_DUPACK_THRESHOLD;
        ti.rcv_ssthresh = pcb->rcv_ann_wnd;
        ti.rcv_space = pcb->rcv_wnd;
        ti.snd_wnd = pcb->snd_wnd;
        ti.retransmits = ti.total_retrans = pcb->nrtx;
        ti.pacing_rate = pacing_rate(pcb, c->srtt_us);
        ti.bytes_acked = c->bytes_acked;
        ti.bytes_received = c->bytes_received;
        ti.data_segs_in = c->data_segs_in;
        int notsent = tcp_socket_outq(s, true);
        ti.notsent_bytes = notsent > 0 ? (uint32_t)notsent : 0;
        ti.bytes_sent = c->bytes_acked + (uint32_t)(pcb->snd_nxt - pcb->lastack);
        ti.last_data_sent = ms_since(c->last_data_sent);
        ti.last_data_recv = ms_since(c->last_data_recv);
        ti.last_ack_recv = ms_since(c->last_ack_recv);
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
