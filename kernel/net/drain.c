/* Nothing lost at exit. A program whose last act is writing a reply and exiting has handed the
 * bytes to lwIP, which sends them as the peer's window allows; powering off at once drops what
 * is still queued. Linux closes the process's files at exit and keeps sending: the data, then
 * the FIN. So does this, before the exit status is reported: every socket is closed (a graceful
 * close, or a reset where close(2) would reset), and the network runs until every connection's
 * data and FIN are acknowledged, bounded by DRAIN_NS (a peer that stopped reading or vanished
 * cannot hold the exit forever). */
#include "kernel.h"
#include "net.h"
#include "file.h"
#include "process.h"
#include "timer.h"
#include "lwip/tcp.h"
#include "lwip/priv/tcp_priv.h"

#define DRAIN_NS (2ULL * 1000000000)

/* A connection still owes the peer data or a FIN (or waits for their ACK). Half-open
 * handshakes owe nothing: the program never had them. */
static bool owes(const struct tcp_pcb *pcb)
{
    switch (pcb->state) {
    case SYN_SENT:
    case SYN_RCVD:
    case FIN_WAIT_2:
    case TIME_WAIT:
    case CLOSED:
    case LISTEN:
        return false;
    default:
        return true;               /* ESTABLISHED/CLOSE_WAIT with a pending close, FIN_WAIT_1, CLOSING, LAST_ACK */
    }
}

static bool anything_owed(void)
{
    for (struct tcp_pcb *pcb = tcp_active_pcbs; pcb; pcb = pcb->next)
        if (owes(pcb))
            return true;
    return false;
}

void net_drain_at_exit(struct process *p)
{
    if (!net_started())
        return;
    for (int fd = 0; fd < fd_table_end(p); fd++) {
        struct file *f = fd_get(p, fd);
        if (f && f->ops->kind == FILE_SOCKET)
            fd_close(p, fd);
    }
    uint64_t start = counter_now();
    net_poll();
    while (anything_owed() && counter_to_ns(counter_now() - start) < DRAIN_NS)
        net_wait_event();
}
