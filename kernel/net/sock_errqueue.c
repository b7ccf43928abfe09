/* The error queue of IP_RECVERR / IPV6_RECVERR (Linux's sk_error_queue): each ICMP error a
 * socket takes with the option on waits here, bounded by SO_RCVBUF with the data, until
 * recvmsg(MSG_ERRQUEUE) reads it (kernel/syscall/sys_socket_io.c formats it as Linux's
 * ip_recv_error / ipv6_recv_error do). */
#include "kernel.h"
#include "socket.h"
#include "mm.h"
#include "lwip/pbuf.h"
#include <string.h>

void sock_errqueue_push(struct socket *s, const struct sock_err *e, struct pbuf *p, uint16_t offset, uint16_t len)
{
    if (s->rx_bytes + s->errq_bytes + len >= (uint32_t)s->rcvbuf)
        return;                        /* sock_queue_err_skb's bound: the error is still pending */
    struct sock_err *q = kmalloc(sizeof(*q) + len);
    if (!q)
        return;
    *q = *e;
    q->next = NULL;
    q->len = len;
    pbuf_copy_partial(p, q->payload, len, offset);
    if (s->errq_tail)
        s->errq_tail->next = q;
    else
        s->errq_head = q;
    s->errq_tail = q;
    s->errq_bytes += len;
}

/* Linux's sock_dequeue_err_skb: the pending error becomes the next queued one's, or none once
 * the queue is empty. */
struct sock_err *sock_errqueue_pop(struct socket *s)
{
    struct sock_err *q = s->errq_head;
    if (!q)
        return NULL;
    s->errq_head = q->next;
    if (!s->errq_head)
        s->errq_tail = NULL;
    s->errq_bytes -= q->len;
    s->error = s->errq_head ? -s->errq_head->err : 0;
    return q;
}

void sock_errqueue_free(struct socket *s)
{
    while (s->errq_head)
        kfree(sock_errqueue_pop(s));
}
