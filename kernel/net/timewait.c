/* TIME-WAIT reuse and its bound, as Linux does them. A server that closes first keeps each finished connection
 * in TIME-WAIT; a client that reuses its ports quickly (ab on loopback cycles through them after
 * ~3,000 connections) then sends a SYN on a port pair lwIP still remembers. Linux accepts such a
 * SYN when its sequence number lies beyond the old connection's (tcp_timewait_state_process,
 * RFC 6191); lwIP answers it with an ACK and the client sees a reset. So before a frame reaches
 * lwIP, a TIME-WAIT pcb that such a SYN would reuse is retired and the SYN finds the listener.
 * lwIP's own sources stay untouched. */
#include "kernel.h"
#include "net_timewait.h"
#include "net_frame.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

/* How many connections may wait in TIME-WAIT. lwIP takes pcbs from our heap (MEMP_MEM_MALLOC),
 * so nothing else bounds them: at a few hundred connections a second, 60 s of TIME-WAIT would
 * hold tens of thousands. Linux bounds them too (tcp_max_tw_buckets) and drops the oldest. Kept
 * small because lwIP walks the TIME-WAIT list for every incoming segment (measured: 1,024 costs
 * ~15 % of ab -c 1 throughput against 128); with SYN reuse above, a short list loses little. */
#define TIME_WAIT_MAX 128

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

static bool same_peer(const struct tcp_pcb *pcb, const ip_addr_t *src)
{
    return IP_IS_V6_VAL(pcb->remote_ip) == IP_IS_V6_VAL(*src) &&
           (IP_IS_V6_VAL(*src) ? ip6_addr_cmp_zoneless(ip_2_ip6(&pcb->remote_ip), ip_2_ip6(src))
                               : ip4_addr_cmp(ip_2_ip4(&pcb->remote_ip), ip_2_ip4(src)));
}

/* The pcb in TIME-WAIT that a SYN from src:sport to dport with sequence number seq may take
 * over (RFC 6191), or NULL. */
static struct tcp_pcb *reusable(uint16_t sport, uint16_t dport, uint32_t seq, const ip_addr_t *src)
{
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
        if (pcb->local_port == dport && pcb->remote_port == sport && same_peer(pcb, src) &&
            TCP_SEQ_GT(seq, pcb->rcv_nxt))
            return pcb;
    return NULL;
}

/* lwIP's removal of a pcb (TCP_RMV) walks its list to it; at the head that walk ends at once. */
static void to_head(struct tcp_pcb *pcb, struct tcp_pcb *before)
{
    if (!before)
        return;
    before->next = pcb->next;
    pcb->next = tcp_tw_pcbs;
    tcp_tw_pcbs = pcb;
}

/* Every SYN walks the TIME-WAIT list once (a new connection is what makes it grow, so the bound
 * is kept here); lwIP walks it again only when this says a pcb there has the SYN's port pair
 * (net/tcp_demux.c). Under TCG each loop iteration that branches is two translated blocks, so the
 * walk is kept to one block a pcb, without branches (conditional selects): count, find the oldest
 * (the last of those whose timer is oldest: pcbs enter at the head, so the one that has waited
 * longest) and the pcb before it, and count the pcbs with the SYN's port pair; only then look
 * closer. */
bool tcp_timewait_reuse(const struct tcp_frame *t)
{
    uint16_t sport = be16(t->tcp), dport = be16(t->tcp + 2);
    uint32_t ports = (uint32_t)dport << 16 | sport;
    unsigned n = 0, port_pair_seen = 0;
    struct tcp_pcb *oldest = NULL, *before_oldest = NULL, *before = NULL;
    u32_t oldest_age = 0;
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; before = pcb, pcb = pcb->next) {
        n++;
        u32_t age = (u32_t)(tcp_ticks - pcb->tmr);
        bool older = age >= oldest_age;          /* true for the first: oldest_age starts at 0 */
        oldest_age = older ? age : oldest_age;
        before_oldest = older ? before : before_oldest;
        oldest = older ? pcb : oldest;
        port_pair_seen += ((uint32_t)pcb->local_port << 16 | pcb->remote_port) == ports;
    }
    struct tcp_pcb *reused = port_pair_seen ? reusable(sport, dport, be32(t->tcp + 4), &t->src) : NULL;
    if (n > TIME_WAIT_MAX && oldest != reused) {
        port_pair_seen -= ((uint32_t)oldest->local_port << 16 | oldest->remote_port) == ports;
        to_head(oldest, before_oldest);
        tcp_abort(oldest);
    }
    if (reused) {
        port_pair_seen--;
        tcp_abort(reused);   /* for a TIME-WAIT pcb: removed and freed, nothing sent */
    }
    return port_pair_seen != 0;
}

bool tcp_timewait_blocks_reuse(const ip_addr_t *ip, uint16_t port)
{
    for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next)
        if (pcb->local_port == port && !ip_get_option(pcb, SOF_REUSEADDR) &&
            (ip_addr_isany(ip) || ip_addr_isany(&pcb->local_ip) || ip_addr_cmp(ip, &pcb->local_ip)))
            return true;
    return false;
}
