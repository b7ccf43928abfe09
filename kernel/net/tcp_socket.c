/* TCP sockets on lwIP's raw API. lwIP calls back (recv, sent, err, accept, connected) from
 * net_poll; the callbacks only queue data and record state, then wake the socket's file. The
 * receive window reopens (tcp_recved) only as the program reads, so queued data is bounded by
 * TCP_WND per connection and nothing accepted is ever dropped. */
#include "kernel.h"
#include "socket.h"
#include "file.h"
#include "mm.h"
#include "errno.h"
#include "lwip/tcp.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "net_timewait.h"
#include "sysctl_limits.h"
#include <string.h>

enum { TS_CLOSED, TS_LISTEN = SOCKET_LISTENING, TS_CONNECTING, TS_CONNECTED };

static struct tcp_pcb *pcb_of(struct socket *s) { return s->pcb; }
static void tcp_apply_options_(struct socket *s);

/* No more callbacks into a socket that is going away (a listening pcb has only accept). */
static void detach(struct tcp_pcb *pcb)
{
    tcp_arg(pcb, NULL);
    if (pcb->state == LISTEN) {
        tcp_accept(pcb, NULL);
        return;
    }
    tcp_recv(pcb, NULL);
    tcp_sent(pcb, NULL);
    tcp_err(pcb, NULL);
}

/* lwIP already freed the pcb. A reset while connecting is a refusal, an abort a time-out. */
static void on_err(void *arg, err_t err)
{
    struct socket *s = arg;
    if (!s)
        return;
    s->pcb = NULL;
    if (s->state == TS_CONNECTING)
        s->error = err == ERR_RST ? -ECONNREFUSED : -ETIMEDOUT;
    else
        s->error = err == ERR_RST ? -ECONNRESET : socket_errno(err);
    s->rd_shut = s->wr_shut = true;
    s->state = TS_CLOSED;
    socket_wake(s, POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDHUP);
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct socket *s = arg;
    if (!p) {                          /* FIN: the peer sends no more */
        /* lwIP acknowledges a FIN at once; Linux delays that ACK (pingpong mode, tcp_fin), so
         * the program's close() in answer sends FIN+ACK as one segment. lwIP's delayed-ACK
         * timer (tcp_fasttmr) still sends it alone if the program does not close. */
        if (pcb->state == CLOSE_WAIT && (pcb->flags & TF_ACK_NOW) && !pcb->unsent) {
            tcp_clear_flags(pcb, TF_ACK_NOW);
            tcp_set_flags(pcb, TF_ACK_DELAY);
        }
        s->rd_shut = true;
        socket_wake(s, POLLIN | POLLRDNORM | POLLRDHUP);
        return ERR_OK;
    }
    tcp_info_received(s, p->tot_len);
    socket_rx_push(s, p, NULL, 0);     /* tcp_recved comes when the program reads it */
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    tcp_info_acked(arg, pcb->lastack, len);
    socket_wake(arg, POLLOUT | POLLWRNORM);
    return ERR_OK;
}

static void attach(struct socket *s, struct tcp_pcb *pcb)
{
    s->pcb = pcb;
    tcp_arg(pcb, s);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

int tcp_socket_init(struct socket *s)
{
    struct tcp_pcb *pcb = tcp_new_ip_type(s->domain == AF_INET6 ? IPADDR_TYPE_ANY : IPADDR_TYPE_V4);
    if (!pcb)
        return -ENOMEM;
    attach(s, pcb);
    return 0;
}

/* A fresh pcb after lwIP dropped the old one (failed connect), so the socket can be used again
 * as on Linux. */
static int ensure_pcb(struct socket *s)
{
    if (s->pcb)
        return 0;
    s->error = 0;
    s->rd_shut = s->wr_shut = false;
    s->bound = false;
    return tcp_socket_init(s);
}

static int tcp_bind_(struct socket *s, const struct sock_addr *a)
{
    int err = ensure_pcb(s);
    if (err)
        return err;
    if (s->bound || s->state != TS_CLOSED)
        return -EINVAL;
    if (!socket_local_address(&a->ip))
        return -EADDRNOTAVAIL;
    if (s->reuseaddr) {                /* lwIP's tcp_bind then skips TIME-WAIT altogether */
        if (a->port && tcp_timewait_blocks_reuse(&a->ip, a->port))
            return -EADDRINUSE;
        ip_set_option(pcb_of(s), SOF_REUSEADDR);
    }
    err = socket_errno(tcp_bind(pcb_of(s), &a->ip, a->port));
    if (!err)
        s->bound = true;
    return err == -EINVAL ? -EINVAL : err;
}

/* A full accept queue is never a reset: lwIP counts each connection against the listener's
 * limit from its SYN until accept() takes it (tcp_backlog_delayed here, _accepted in
 * tcp_accept_), and drops a SYN that finds the count at the limit, as Linux drops it when
 * sk_acceptq_is_full; the client retransmits. The limit is lwIP's largest, not the program's
 * backlog + 1: lwIP counts half-open connections in it too, and passt, the usual peer of a
 * forwarded port, resets a connection whose SYN the guest dropped instead of retrying, so a
 * Linux-sized queue would turn Python http.server's backlog of 5 into resets under load. */
static err_t on_accept(void *arg, struct tcp_pcb *newpcb, err_t err)
{
    struct socket *l = arg;
    if (err != ERR_OK || !newpcb)
        return ERR_VAL;
    struct socket *s = socket_alloc(l->domain, SOCK_STREAM, l->protocol, &tcp_proto);
    if (!s)
        return ERR_MEM;
    s->rcvbuf = l->rcvbuf;
    s->rcvbuf_set = l->rcvbuf_set;
    s->rcvlowat = l->rcvlowat;
    s->passcred = l->passcred;
    s->sndbuf = l->sndbuf;
    s->nodelay = l->nodelay;
    s->cork = l->cork;
    s->reuseaddr = l->reuseaddr;       /* Linux's sk_clone_lock copies the listener's options */
    s->reuseport = l->reuseport;
    s->keepalive = l->keepalive;
    s->oobinline = l->oobinline;
    s->keepidle = l->keepidle;
    s->keepintvl = l->keepintvl;
    s->keepcnt = l->keepcnt;
    s->linger = l->linger;
    s->linger_sec = l->linger_sec;
    s->state = TS_CONNECTED;
    s->bound = true;
    attach(s, newpcb);
    tcp_apply_options_(s);
    tcp_backlog_delayed(newpcb);
    socket_accept_push(l, s);
    return ERR_OK;
}

/* See on_accept: whatever the backlog, the most lwIP can count (a byte). */
#define LWIP_BACKLOG 255

static int tcp_listen_(struct socket *s, int backlog)
{
    int err = ensure_pcb(s);
    if (err)
        return err;
    if (backlog > SOMAXCONN)
        backlog = SOMAXCONN;
    if (backlog < 0)
        backlog = 0;
    if (s->state == TS_LISTEN) {
        s->backlog = backlog;
        return 0;
    }
    if (s->state != TS_CLOSED)
        return -EINVAL;
    if (!s->bound) {
        if (s->reuseaddr)
            ip_set_option(pcb_of(s), SOF_REUSEADDR);
        err = socket_errno(tcp_bind(pcb_of(s), s->domain == AF_INET6 ? IP_ANY_TYPE : IP4_ADDR_ANY, 0));
        if (err)
            return err;
        s->bound = true;
    }
    err_t lerr;
    struct tcp_pcb *l = tcp_listen_with_backlog_and_err(pcb_of(s), LWIP_BACKLOG, &lerr);
    if (!l)
        return lerr == ERR_USE ? -EADDRINUSE : socket_errno(lerr);
    s->pcb = l;
    s->backlog = backlog;
    s->state = TS_LISTEN;
    tcp_arg(l, s);
    tcp_accept(l, on_accept);
    return 0;
}

static int tcp_accept_(struct socket *s, struct socket **out)
{
    socket_pump();
    if (s->state != TS_LISTEN)
        return -EINVAL;
    int err = socket_accept_pop(s, out);
    if (!err && pcb_of(*out))
        tcp_backlog_accepted(pcb_of(*out));   /* its place in the queue is free again */
    return err;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct socket *s = arg;
    s->state = TS_CONNECTED;
    tcp_info_acked(s, pcb->lastack, 0);   /* the SYN's round trip */
    socket_wake(s, POLLOUT | POLLWRNORM);
    return ERR_OK;
}

static bool connect_done(void *arg)
{
    struct socket *s = arg;
    return s->state != TS_CONNECTING;
}

/* Linux's inet_stream_connect: EISCONN when connected (or listening), EALREADY while a
 * non-blocking connect is still going, the pending error once it failed. */
static int tcp_connect_(struct socket *s, const struct sock_addr *a)
{
    socket_pump();
    if (s->state == TS_CONNECTED && s->nb_connect) {
        s->nb_connect = false;         /* the first call after it completed reports success */
        return 0;
    }
    if (s->state == TS_CONNECTED || s->state == TS_LISTEN)
        return -EISCONN;
    if (s->state == TS_CLOSED && s->nb_connect) {
        s->nb_connect = false;         /* ... or its failure, once */
        int e = s->error ? s->error : -ECONNABORTED;
        s->error = 0;
        return e;
    }
    if (s->state == TS_CONNECTING) {
        if (socket_nonblock(s, 0))
            return -EALREADY;
    } else {
        int err = ensure_pcb(s);
        if (err)
            return err;
        if (s->domain == AF_INET && !IP_IS_V4(&a->ip))
            return -EAFNOSUPPORT;
        err = socket_errno(tcp_connect(pcb_of(s), &a->ip, a->port, on_connected));
        if (err)
            return err;
        tcp_info_sending(s, pcb_of(s)->snd_lbb);   /* time the SYN */
        s->bound = true;
        s->state = TS_CONNECTING;
        if (socket_nonblock(s, 0)) {
            s->nb_connect = true;
            return -EINPROGRESS;
        }
    }
    int err = socket_wait(s, false, s->sndtimeo_ns, connect_done);
    if (err == -EAGAIN)
        return -EINPROGRESS;           /* SO_SNDTIMEO ran out: Linux says EINPROGRESS */
    if (err)
        return err;                    /* a signal: the connection goes on in the background */
    s->nb_connect = false;
    if (s->state == TS_CONNECTED)
        return 0;
    err = s->error;
    s->error = 0;
    return err ? err : -ECONNREFUSED;
}

static bool can_send(void *arg)
{
    struct socket *s = arg;
    struct tcp_pcb *pcb = s->pcb;
    return !pcb || s->wr_shut || s->state != TS_CONNECTED ||
           (tcp_sndbuf(pcb) > 0 && tcp_sndqueuelen(pcb) < TCP_SND_QUEUELEN);
}

/* Both ends are ours (loopback, or our own address). Their output is not deferred: no
 * doorbell is saved, and lwIP delivers loopback segments inside one netif_poll, where two
 * connection ends that each built a deferred burst into the other's full window were seen to
 * answer each other's out-of-window segments forever (tests/boot/guest/sock.c memory). */
static bool talks_to_itself(const struct tcp_pcb *pcb)
{
    return ip_addr_isloopback(&pcb->remote_ip) || ip_addr_cmp(&pcb->local_ip, &pcb->remote_ip);
}

static int64_t tcp_send_(struct socket *s, const void *kbuf, uint64_t len, int flags, const struct sock_addr *to)
{
    uint64_t done = 0, most = 0xffff;   /* bytes one tcp_write may take */
    bool nonblock = socket_nonblock(s, flags);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;            /* lwIP's raw API cannot send urgent data */
    socket_pump();
    while (done < len || len == 0) {
        if (s->error) {
            int e = s->error;
            s->error = 0;
            return done ? (int64_t)done : e;
        }
        if (s->wr_shut || !s->pcb || s->state != TS_CONNECTED) {
            if (done)
                return done;
            if (s->state == TS_CONNECTING && !nonblock) {
                int werr = socket_wait(s, false, 0, connect_done);
                if (werr)
                    return werr;
                continue;
            }
            if (s->state == TS_CONNECTING)
                return -EAGAIN;
            if (!(flags & MSG_NOSIGNAL))
                raise_sigpipe();
            return -EPIPE;
        }
        if (len == 0)
            return 0;
        struct tcp_pcb *pcb = pcb_of(s);
        uint32_t room = tcp_sndbuf(pcb);
        if (room == 0 || tcp_sndqueuelen(pcb) >= TCP_SND_QUEUELEN) {
            tcp_output(pcb);
            int werr = socket_wait(s, nonblock, s->sndtimeo_ns, can_send);
            if (werr)
                return done ? (int64_t)done : werr;
            continue;
        }
        uint64_t n = len - done < room ? len - done : room;
        if (n > most)
            n = most;
        u8_t wflags = TCP_WRITE_FLAG_COPY | ((flags & MSG_MORE) || done + n < len ? TCP_WRITE_FLAG_MORE : 0);
        err_t err = tcp_write(pcb, (const char *)kbuf + done, (u16_t)n, wflags);
        if (err == ERR_MEM && n > TCP_MSS) {
            most = n / 2;              /* room in bytes, but not in queued segments: write less */
            continue;
        }
        if (err == ERR_MEM) {
            tcp_output(pcb);
            if (nonblock)              /* can_send may hold while this still fails: no spinning */
                return done ? (int64_t)done : -EAGAIN;
            int werr = socket_wait(s, nonblock, s->sndtimeo_ns, can_send);
            if (werr)
                return done ? (int64_t)done : werr;
            continue;
        }
        if (err != ERR_OK)
            return done ? (int64_t)done : socket_errno(err);
        tcp_info_sending(s, pcb->snd_lbb);
        done += n;
    }
    if (s->pcb && !(flags & MSG_MORE) && !s->cork) {
        if (talks_to_itself(pcb_of(s)))
            tcp_output(pcb_of(s));
        else
            tcp_output_later(s);       /* at the next wait, with a close's FIN if one follows */
    }
    return done;
}

static bool can_recv(void *arg)
{
    struct socket *s = arg;
    return s->rx_head || s->rd_shut || s->error || s->state == TS_CLOSED;
}

/* Copy queued data out; unless peeking, free what was read and reopen the window by as much. */
static uint64_t take(struct socket *s, char *dst, uint64_t len, bool peek)
{
    uint64_t done = 0;
    struct rx_entry *e = s->rx_head;
    uint16_t peek_off = e ? e->offset : 0;
    while (e && done < len) {
        uint16_t off = peek ? peek_off : e->offset;
        uint16_t avail = e->p->tot_len - off;
        uint16_t n = len - done < avail ? (uint16_t)(len - done) : avail;
        pbuf_copy_partial(e->p, dst + done, n, off);
        done += n;
        if (peek) {
            e = e->next;
            peek_off = e ? e->offset : 0;
            continue;
        }
        e->offset += n;
        s->rx_bytes -= n;
        if (e->offset == e->p->tot_len) {
            s->rx_head = e->next;
            if (!s->rx_head)
                s->rx_tail = NULL;
            pbuf_free(e->p);
            kfree(e);
            e = s->rx_head;
        }
    }
    if (!peek && s->pcb && done) {
        for (uint64_t left = done; left; ) {
            uint16_t chunk = left > 0xffff ? 0xffff : (uint16_t)left;
            tcp_recved(pcb_of(s), chunk);
            left -= chunk;
        }
    }
    return done;
}

static int64_t tcp_recv_(struct socket *s, void *kbuf, uint64_t len, int flags, struct sock_addr *from,
                         bool *truncated)
{
    bool nonblock = socket_nonblock(s, flags);
    uint64_t done = 0;
    *truncated = false;
    socket_pump();
    if (s->state == TS_LISTEN || (s->state == TS_CLOSED && !s->rx_head && !s->error && !s->rd_shut))
        return -ENOTCONN;
    if (flags & MSG_OOB)
        return -EINVAL;                /* no urgent data is ever queued */
    /* Linux's sock_rcvlowat: a read returns once it has SO_RCVLOWAT bytes (or its whole
     * buffer, or all of it with MSG_WAITALL); a wait ended otherwise (timeout, signal, EOF,
     * error) still returns what it has. */
    uint64_t target = (flags & MSG_WAITALL) || (uint64_t)s->rcvlowat > len ? len : (uint64_t)s->rcvlowat;
    for (;;) {   /* a read of 0 bytes waits as any read does (Linux's tcp_recvmsg), for data or EOF */
        done += take(s, (char *)kbuf + done, len - done, flags & MSG_PEEK);
        if ((done == len && (len || s->rx_head)) || (done && done >= target) || (flags & MSG_PEEK && done))
            return done;
        if (s->rx_head)
            continue;
        if (s->error) {
            if (done)
                return done;
            int e = s->error;
            s->error = 0;
            return e;
        }
        if (s->rd_shut || s->state == TS_CLOSED)
            return done;
        int werr = socket_wait(s, nonblock, s->rcvtimeo_ns, can_recv);
        if (werr)
            return done ? (int64_t)done : werr;
    }
}

static int tcp_shutdown_(struct socket *s, int how)
{
    socket_pump();
    if (s->state != TS_CONNECTED && s->state != TS_CONNECTING)
        return s->state == TS_LISTEN && how != SHUT_WR ? 0 : -ENOTCONN;
    if (how == SHUT_RD || how == SHUT_RDWR)
        s->rd_shut = true;
    if ((how == SHUT_WR || how == SHUT_RDWR) && !s->wr_shut) {
        s->wr_shut = true;
        if (s->pcb)
            tcp_shutdown(pcb_of(s), 0, 1);
    }
    socket_wake(s, POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    return 0;
}

/* Linux's tcp_epollin_ready: SO_RCVLOWAT bytes wait, or so many that the receive window is
 * about shut (the sender could never reach the mark). */
static bool tcp_readable(struct socket *s)
{
    struct tcp_pcb *pcb = s->pcb;
    if (!s->rx_head)
        return false;
    return s->rx_bytes >= (uint32_t)s->rcvlowat || (pcb && pcb->rcv_wnd <= pcb->mss);
}

/* Linux's tcp_poll. */
static uint32_t tcp_poll_(struct socket *s)
{
    uint32_t mask = 0;
    if (s->state == TS_LISTEN)
        return s->accept_head ? POLLIN | POLLRDNORM : 0;
    bool closed = s->state == TS_CLOSED;
    if ((s->rd_shut && s->wr_shut) || closed)
        mask |= POLLHUP;
    if (s->rd_shut)
        mask |= POLLIN | POLLRDNORM | POLLRDHUP;
    if (s->state != TS_CONNECTING) {
        if (tcp_readable(s))
            mask |= POLLIN | POLLRDNORM;
        if (s->wr_shut || closed || can_send(s))
            mask |= POLLOUT | POLLWRNORM;
    }
    if (s->error)
        mask |= POLLERR;
    return mask;
}

static int tcp_name_(struct socket *s, bool peer, struct sock_addr *a)
{
    struct tcp_pcb *pcb = s->pcb;
    if (peer && s->state != TS_CONNECTED)
        return -ENOTCONN;
    if (!pcb) {
        memset(a, 0, sizeof(*a));
        if (s->domain == AF_INET6)
            IP_SET_TYPE_VAL(a->ip, IPADDR_TYPE_V6);
        return 0;
    }
    if (peer) {
        ip_addr_copy(a->ip, pcb->remote_ip);
        a->port = pcb->remote_port;
    } else {
        ip_addr_copy(a->ip, pcb->local_ip);
        a->port = pcb->local_port;
    }
    return 0;
}

static void tcp_apply_options_(struct socket *s)
{
    struct tcp_pcb *pcb = s->pcb;
    if (!pcb || pcb->state == LISTEN)
        return;                        /* a listener passes them on in on_accept */
    if (s->nodelay)
        tcp_nagle_disable(pcb);
    else
        tcp_nagle_enable(pcb);
    if (s->keepalive)
        ip_set_option(pcb, SOF_KEEPALIVE);
    else
        ip_reset_option(pcb, SOF_KEEPALIVE);
    pcb->keep_idle = (u32_t)s->keepidle * 1000;
    pcb->keep_intvl = (u32_t)s->keepintvl * 1000;
    pcb->keep_cnt = (u32_t)s->keepcnt;
    if (!s->cork)
        tcp_output(pcb);               /* TCP_CORK cleared: what it held goes now */
}

static bool all_sent(void *arg)
{
    struct socket *s = arg;
    struct tcp_pcb *pcb = s->pcb;
    return !pcb || (!pcb->unsent && !pcb->unacked);
}

/* close(): a listener resets the connections nobody accepted; a connection with unread data, or
 * with SO_LINGER at 0 s, is reset (as Linux does), otherwise closed gracefully (lwIP finishes the
 * FIN exchange alone) after SO_LINGER's wait for the data to be acknowledged. */
static void tcp_release_(struct socket *s)
{
    tcp_output_forget(s);              /* tcp_close or tcp_abort below settle what is unsent */
    while (s->accept_head) {
        struct socket *a = s->accept_head;
        s->accept_head = a->accept_next;
        if (a->pcb) {
            detach(a->pcb);
            tcp_abort(a->pcb);
        }
        socket_rx_free(a);
        kfree(a);
    }
    if (s->pcb && s->linger && s->linger_sec > 0 && s->state == TS_CONNECTED) {
        tcp_output(pcb_of(s));
        wait_until(all_sent, s, wait_deadline_after((uint64_t)s->linger_sec * 1000000000UL));
    }
    struct tcp_pcb *pcb = s->pcb;
    if (!pcb)
        return;
    detach(pcb);
    s->pcb = NULL;
    /* A listener is only ever closed (lwIP asserts on aborting one; Linux's SO_LINGER 0 on a
     * listener resets nothing but the unaccepted connections, already reset above). */
    if (s->state != TS_LISTEN &&
        ((s->linger && s->linger_sec == 0) || s->rx_head || (s->state != TS_CONNECTED && s->state != TS_CLOSED))) {
        tcp_abort(pcb);
        return;
    }
    if (tcp_close(pcb) != ERR_OK)
        tcp_abort(pcb);
}

const struct proto_ops tcp_proto = {
    .bind = tcp_bind_,
    .listen = tcp_listen_,
    .accept = tcp_accept_,
    .connect = tcp_connect_,
    .send = tcp_send_,
    .recv = tcp_recv_,
    .shutdown = tcp_shutdown_,
    .poll = tcp_poll_,
    .name = tcp_name_,
    .apply_options = tcp_apply_options_,
    .release = tcp_release_,
};
