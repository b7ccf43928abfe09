/* Test-only: `nettest=echo` makes the kernel serve TCP echo on port 7 (IPv4 and IPv6) for one
 * connection, then boot goes on (and powers off when no program runs). The host test reaches
 * it through a QEMU host forward, which exercises the whole path: virtio-net receive and
 * transmit, ARP, IP, TCP in lwIP. It drives lwIP's raw API itself (the one caller of lwIP outside
 * net/, on purpose): the test is of the stack and the driver, not of the socket layer above. */
#include "kernel.h"
#include "net.h"
#include "timer.h"
#include "lwip/tcp.h"

#define ECHO_PORT 7

static struct tcp_pcb *listener;
static struct pbuf *pending;       /* received, not yet taken by the send buffer */
static bool peer_closed, finished;
static uint64_t echoed;

/* Close once everything echoed has been acknowledged, so powering off right after cannot cut
 * the data short; a close lwIP cannot queue yet is retried from the next sent callback. */
static void close_when_done(struct tcp_pcb *pcb)
{
    if (!peer_closed || pending || pcb->unsent || pcb->unacked)
        return;
    if (tcp_close(pcb) != ERR_OK)
        return;
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
    finished = true;
}

/* Move as much pending data as the send buffer and queue take. The receive window reopens only
 * for what was taken, so a fast sender is held back by TCP itself rather than by dropped data. */
static void push(struct tcp_pcb *pcb)
{
    while (pending) {
        u16_t n = LWIP_MIN(pending->len, tcp_sndbuf(pcb));
        if (n == 0 || tcp_write(pcb, pending->payload, n, TCP_WRITE_FLAG_COPY) != ERR_OK)
            break;                 /* full: the sent callback calls again */
        tcp_recved(pcb, n);
        echoed += n;
        pending = pbuf_free_header(pending, n);
    }
    tcp_output(pcb);
    close_when_done(pcb);
}

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (!p)
        peer_closed = true;
    else if (pending)
        pbuf_cat(pending, p);
    else
        pending = p;
    push(pcb);
    return ERR_OK;
}

static err_t echo_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    push(pcb);
    return ERR_OK;
}

static void echo_err(void *arg, err_t err)
{
    finished = true;               /* lwIP already freed the pcb */
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    tcp_recv(pcb, echo_recv);
    tcp_sent(pcb, echo_sent);
    tcp_err(pcb, echo_err);
    tcp_close(listener);           /* one connection only */
    listener = NULL;
    return ERR_OK;
}

void selftest_net_echo(void)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
    if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, ECHO_PORT) != ERR_OK)
        panic("nettest: cannot bind TCP port %d", ECHO_PORT);
    listener = tcp_listen(pcb);
    if (!listener)
        panic("nettest: tcp_listen failed");
    tcp_accept(listener, echo_accept);
    kprintf("nettest: echo listening on port %d\n", ECHO_PORT);
    while (!finished)
        net_wait_event();
    /* Linger a moment so our FIN and the peer's last ACK are exchanged before boot goes on. */
    uint64_t start = counter_now();
    while (counter_now() - start < counter_freq() / 10)
        net_wait_event();
    kprintf("nettest: echoed %lu bytes\n", echoed);
}
