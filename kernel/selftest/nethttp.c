/* Bench-only: `nettest=http` makes the kernel answer HTTP on port 8080 itself, in lwIP's receive
 * path, before any program runs: the cheapest per-request work a guest of this kernel can do
 * (no system call, no scheduler, no socket buffer; one lwIP callback per segment). bench/
 * net_floor.py puts it beside websrv and qemu-user under ab, so the cost of the path through
 * QEMU, passt and virtio-net alone can be read off (bench/speed.md, "The floor").
 *
 * The answer is byte for byte websrv's answer to `GET /` (same headers, same 104-byte page), so
 * the frames are the same size; with `Connection: Keep-Alive` in the request (ab -k) the
 * connection stays open, as websrv keeps it, otherwise the answer goes out with the FIN (the
 * 3 frames websrv sends: SYN-ACK, data+FIN, the ACK of the client's FIN). A request is assumed
 * to arrive in one segment (ab's do). The loop is bounded: after NETHTTP_MAX_CONNECTIONS
 * connections boot goes on; the bench stops the guest long before. */
#include "kernel.h"
#include "net.h"
#include "lwip/tcp.h"
#include <string.h>

#define NETHTTP_PORT 8080
#define NETHTTP_MAX_CONNECTIONS 1000000

#define BODY "<!DOCTYPE html>\n<html><head><title>websrv</title></head>\n" \
             "<body><h1>Hello from websrv</h1></body></html>\n"
#define HEAD(connection) "HTTP/1.1 200 OK\r\nServer: websrv\r\nContent-Type: text/html\r\n" \
                         "Content-Length: 104\r\nConnection: " connection "\r\n\r\n"
static const char answer_close[] = HEAD("close") BODY;
static const char answer_keep[] = HEAD("keep-alive") BODY;
_Static_assert(sizeof(BODY) - 1 == 104, "the body is websrv's 104-byte page");

static uint64_t connections, answered;

/* Does the request's head ask to keep the connection (ab -k: "Connection: Keep-Alive")? Looked
 * for in the first pbuf (the request is one segment) with memchr, not pbuf_memfind, whose
 * byte-by-byte compare was a sixth of this floor's instructions. */
static bool keep_alive(const struct pbuf *p)
{
    static const char token[] = "Keep-Alive";
    const char *at = p->payload, *end = at + p->len;
    while ((at = memchr(at, 'K', (size_t)(end - at))) && (size_t)(end - at) >= sizeof(token) - 1) {
        if (!memcmp(at, token, sizeof(token) - 1))
            return true;
        at++;
    }
    return false;
}

static void forget(struct tcp_pcb *pcb)
{
    tcp_recv(pcb, NULL);
    tcp_err(pcb, NULL);
}

static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (!p) {                                    /* the client closed: close too */
        forget(pcb);
        if (tcp_close(pcb) != ERR_OK) {
            tcp_abort(pcb);
            return ERR_ABRT;
        }
        return ERR_OK;
    }
    tcp_recved(pcb, p->tot_len);
    bool keep = keep_alive(p);
    pbuf_free(p);
    const char *a = keep ? answer_keep : answer_close;
    u16_t n = (u16_t)(keep ? sizeof(answer_keep) : sizeof(answer_close)) - 1;
    if (tcp_write(pcb, a, n, 0) != ERR_OK) {     /* static data: referenced, not copied */
        forget(pcb);
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    answered++;
    if (keep) {
        tcp_output(pcb);
        return ERR_OK;
    }
    forget(pcb);
    if (tcp_close(pcb) != ERR_OK) {              /* the FIN on the answer's segment, sent */
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    return ERR_OK;
}

static void http_err(void *arg, err_t err)
{
    /* lwIP already freed the pcb: nothing of ours refers to it */
}

static err_t http_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    connections++;
    tcp_nagle_disable(pcb);
    tcp_recv(pcb, http_recv);
    tcp_err(pcb, http_err);
    return ERR_OK;
}

void selftest_net_http(void)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
    if (!pcb || tcp_bind(pcb, IP_ANY_TYPE, NETHTTP_PORT) != ERR_OK)
        panic("nettest: cannot bind TCP port %d", NETHTTP_PORT);
    struct tcp_pcb *listener = tcp_listen_with_backlog(pcb, 128);
    if (!listener)
        panic("nettest: tcp_listen failed");
    tcp_accept(listener, http_accept);
    kprintf("nettest: http listening on port %d\n", NETHTTP_PORT);
    while (connections < NETHTTP_MAX_CONNECTIONS)
        net_wait_event();
    tcp_close(listener);
    kprintf("nettest: http answered %lu requests on %lu connections\n", answered, connections);
}
