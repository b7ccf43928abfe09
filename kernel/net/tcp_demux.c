/* Finding a received segment's connection before lwIP looks for it.
 *
 * lwIP finds a segment's pcb by walking its lists in turn, active connections, then TIME-WAIT,
 * then listeners, comparing the four-tuple field by field: four or five translated blocks per pcb
 * under TCG. A server with 32 connections in flight holds ~50 active pcbs and 128 in TIME-WAIT, so
 * each segment walked ~25 pcbs and each SYN walked all 180 of them before reaching the listener:
 * ~1,300 blocks a request, a sixth of all the guest did (bench/speed.md, net4).
 *
 * So the glue looks first, once, in one branch-free block per pcb (conditional selects: a loop
 * that branches inside costs two blocks a turn), comparing only the port pair:
 *   - a segment whose port pair an active pcb has: that pcb goes to the head of the list, where
 *     lwIP finds it at once. lwIP moves every pcb it finds to the head itself, so the order is a
 *     hint lwIP already rewrites at will; a port pair shared with another address moves the wrong
 *     pcb, which costs lwIP's usual walk and nothing else.
 *   - a SYN no active or TIME-WAIT pcb has the port pair of (TIME-WAIT reuse, net/timewait.c,
 *     runs first) can only reach a listener, or nothing: lwIP is given both lists empty for that
 *     one segment, and what it added to them meanwhile (the new connection) is put back in front.
 *     lwIP's input of a SYN reaches those lists only to register the new pcb and, when the heap
 *     is exhausted, to pick a victim to abort (tcp_alloc); with the lists empty it finds none, so
 *     nothing hidden is removed behind our back and the SYN is dropped as a full heap drops it.
 * Anything else (a segment of a TIME-WAIT connection, a stray) takes lwIP's walk unchanged.
 * lwIP's sources stay untouched. */
#include "kernel.h"
#include "net_tcp_demux.h"
#include "net_timewait.h"
#include "net_frame.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Whether a pcb on *list has the port pair; if so, the (last such) one now heads the list. */
static bool to_front(struct tcp_pcb **list, uint32_t ports)
{
    struct tcp_pcb *match = NULL, *before_match = NULL, *before = NULL;
    for (struct tcp_pcb *pcb = *list; pcb; before = pcb, pcb = pcb->next) {
        bool hit = ((uint32_t)pcb->local_port << 16 | pcb->remote_port) == ports;
        before_match = hit ? before : before_match;
        match = hit ? pcb : match;
    }
    if (match && before_match) {
        before_match->next = match->next;
        match->next = *list;
        *list = match;
    }
    return match != NULL;
}

/* Puts back a list lwIP did not see, behind what lwIP added while it was hidden. */
static void put_back(struct tcp_pcb **list, struct tcp_pcb *hidden)
{
    struct tcp_pcb **end = list;
    while (*end)
        end = &(*end)->next;
    *end = hidden;
}

void tcp_demux_before(const void *frame, size_t len, struct tcp_demux *d)
{
    d->hidden = false;
    struct tcp_frame t;
    if (!tcp_frame_parse(frame, len, len, &t))
        return;
    uint16_t sport = be16(t.tcp), dport = be16(t.tcp + 2);
    uint32_t ports = (uint32_t)dport << 16 | sport;   /* as a pcb holds them: local, remote */
    bool syn = (t.flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN;
    bool time_wait_has_ports = syn && tcp_timewait_reuse(&t);
    if (to_front(&tcp_active_pcbs, ports) || !syn || time_wait_has_ports)
        return;
    d->active = tcp_active_pcbs;
    d->time_wait = tcp_tw_pcbs;
    tcp_active_pcbs = NULL;
    tcp_tw_pcbs = NULL;
    d->hidden = true;
}

void tcp_demux_after(const struct tcp_demux *d)
{
    if (!d->hidden)
        return;
    put_back(&tcp_active_pcbs, d->active);
    put_back(&tcp_tw_pcbs, d->time_wait);
}
