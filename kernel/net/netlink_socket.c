/* AF_NETLINK sockets as Linux's af_netlink.c has them: port ids (the first socket of a
 * process autobinds to its pid, later ones to negative ids), multicast group masks, unicast
 * and broadcast between user sockets, datagrams to the kernel (netlink_kernel.c answers them).
 * A queued message is one datagram: a short read truncates it (MSG_TRUNC) and the rest is
 * gone. Interface: include/netlink.h; options in netlink_sockopt.c. */
#include "kernel.h"
#include "linux_abi.h"
#include "process.h"
#include "socket.h"
#include "netlink.h"
#include "file.h"
#include "net.h"
#include "mm.h"
#include "errno.h"
#include "uaccess.h"
#include "random.h"
#include "netlink_sock.h"
#include <string.h>

static struct nl_sock *bound_socks[MAX_LINKS];

static struct nl_sock *lookup(int protocol, uint32_t portid)
{
    for (struct nl_sock *n = bound_socks[protocol]; n; n = n->next)
        if (n->portid == portid)
            return n;
    return NULL;
}

static int insert(struct nl_sock *n, uint32_t portid)
{
    if (lookup(n->s->protocol, portid))
        return -EADDRINUSE;
    n->portid = portid;
    n->bound = true;
    n->next = bound_socks[n->s->protocol];
    bound_socks[n->s->protocol] = n;
    return 0;
}

/* netlink_autobind: the process's pid, or when taken a negative id from a random start. */
static int autobind(struct nl_sock *n)
{
    int32_t portid = current_process()->pid, rover = -4096;
    while (lookup(n->s->protocol, (uint32_t)portid)) {
        if (rover == -4096) {
            uint32_t r;
            random_bytes(&r, sizeof(r));
            rover = INT32_MIN + (int32_t)(r % (uint32_t)(-4096 - INT32_MIN));
        }
        portid = rover--;
    }
    return insert(n, (uint32_t)portid);
}

static bool allowed_to_send(void)
{
    return process_capable(current_process(), CAP_NET_ADMIN);   /* NETLINK_ROUTE: not NL_CFG_F_NONROOT_SEND */
}

void nl_subscribe_all(struct nl_sock *n)
{
    if (!n->ngroups)
        n->ngroups = RTNLGRP_MAX;
}

/* Queue a datagram on n (copied). Past SO_RCVBUF it is dropped (EAGAIN) and, when the kernel
 * sent it (from 0), the reader told ENOBUFS (netlink_overrun) unless it asked not to be. A user
 * sender is not made to wait for room, as Linux's blocking netlink_attachskb would. */
int nl_deliver(struct nl_sock *n, const void *data, uint32_t len, uint32_t cap, uint32_t from, uint32_t group)
{
    if (n->rmem > (uint32_t)n->s->rcvbuf) {
        if (from == 0 && !(n->flags & NLF_NO_ENOBUFS)) {
            n->error = ENOBUFS;
            socket_wake(n->s, POLLERR);
        }
        return -EAGAIN;
    }
    struct nl_msg *m = kmalloc(sizeof(*m) + len);
    if (!m)
        return -ENOBUFS;
    memcpy(m->data, data, len);
    m->next = NULL;
    m->len = len;
    m->truesize = (cap > len ? cap : len) + SKB_OVERHEAD;
    m->portid = from;
    m->group = group;
    if (n->tail)
        n->tail->next = m;
    else
        n->head = m;
    n->tail = m;
    n->rmem += m->truesize;
    socket_wake(n->s, POLLIN | POLLRDNORM);
    return 0;
}

static int nl_bind(struct socket *s, const struct sock_addr *a)
{
    struct nl_sock *n = nl(s);
    uint32_t groups = a->nl.groups;
    if (groups)
        nl_subscribe_all(n);          /* NETLINK_ROUTE lets anyone listen (NL_CFG_F_NONROOT_RECV) */
    if (n->bound && a->nl.pid != n->portid)
        return -EINVAL;
    if (!n->bound) {
        int err = a->nl.pid ? insert(n, a->nl.pid) : autobind(n);
        if (err)
            return err;
    }
    n->groups = (n->groups & ~0xffffffffull) | groups;
    return 0;
}

/* a NULL: AF_UNSPEC, forget the peer. */
static int nl_connect(struct socket *s, const struct sock_addr *a)
{
    struct nl_sock *n = nl(s);
    if (!a) {
        n->dst_portid = n->dst_group = 0;
        return 0;
    }
    if ((a->nl.groups || a->nl.pid) && !allowed_to_send())
        return -EPERM;
    int err = n->bound ? 0 : autobind(n);
    if (err)
        return err;
    n->dst_portid = a->nl.pid;
    n->dst_group = (uint32_t)__builtin_ffs((int)a->nl.groups);
    return 0;
}

static int64_t nl_send(struct socket *s, const void *kbuf, uint64_t len, int flags, const struct sock_addr *to)
{
    struct nl_sock *n = nl(s);
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    uint32_t dst_portid = n->dst_portid, dst_group = n->dst_group;
    if (to) {
        dst_portid = to->nl.pid;
        dst_group = (uint32_t)__builtin_ffs((int)to->nl.groups);
        if ((dst_group || dst_portid) && !allowed_to_send())
            return -EPERM;
    }
    int err = n->bound ? 0 : autobind(n);
    if (err)
        return err;
    if (len > (uint64_t)s->sndbuf - 32)
        return -EMSGSIZE;
    if (dst_group)                 /* netlink_broadcast: every member but the unicast's target */
        for (struct nl_sock *m = bound_socks[s->protocol]; m; m = m->next)
            if ((m->groups >> (dst_group - 1) & 1) && m->portid != dst_portid)
                nl_deliver(m, kbuf, (uint32_t)len, 0, n->portid, dst_group);
    if (dst_portid == 0) {
        nl_kernel_receive(n, kbuf, (uint32_t)len);
        return (int64_t)len;
    }
    struct nl_sock *peer = lookup(s->protocol, dst_portid);
    if (!peer)
        return -ECONNREFUSED;
    err = nl_deliver(peer, kbuf, (uint32_t)len, 0, n->portid, 0);
    return err ? err : (int64_t)len;
}

static bool readable(void *arg)
{
    struct socket *s = arg;
    return nl(s)->head || nl(s)->error;
}

static int64_t nl_recv(struct socket *s, void *kbuf, uint64_t len, int flags, struct sock_addr *from,
                       bool *truncated)
{
    struct nl_sock *n = nl(s);
    *truncated = false;
    if (flags & MSG_OOB)
        return -EOPNOTSUPP;
    int err = socket_wait(s, socket_nonblock(s, flags), s->rcvtimeo_ns, readable);
    if (err)
        return err;
    if (n->error) {                 /* sock_error: reported once, before any datagram */
        err = -n->error;
        n->error = 0;
        return err;
    }
    struct nl_msg *m = n->head;
    uint32_t cap = len < MAX_RECVMSG_LEN ? (uint32_t)len : MAX_RECVMSG_LEN;
    if (cap > n->max_recvmsg_len)
        n->max_recvmsg_len = cap;
    uint64_t copied = m->len < len ? m->len : len;
    *truncated = copied < m->len;
    memcpy(kbuf, m->data, copied);
    if (from) {
        memset(from, 0, sizeof(*from));
        from->nl.pid = m->portid;
        from->nl.groups = m->group ? 1u << (m->group - 1) : 0;
    }
    if (flags & MSG_TRUNC)
        copied = m->len;
    if (!(flags & MSG_PEEK)) {
        n->head = m->next;
        if (!n->head)
            n->tail = NULL;
        n->rmem -= m->truesize;
        kfree(m);
        if (n->dump && n->rmem <= (uint32_t)s->rcvbuf / 2 && (err = nl_dump_part(n)))
            n->error = -err;           /* the dump stays: the next receive tries again */
    }
    return (int64_t)copied;
}

static uint32_t nl_poll(struct socket *s)
{
    struct nl_sock *n = nl(s);
    return POLLOUT | POLLWRNORM | POLLWRBAND | (n->head ? POLLIN | POLLRDNORM : 0) | (n->error ? POLLERR : 0);
}

static int nl_name(struct socket *s, bool peer, struct sock_addr *a)
{
    struct nl_sock *n = nl(s);
    memset(a, 0, sizeof(*a));
    a->nl.pid = peer ? n->dst_portid : n->portid;
    a->nl.groups = peer ? (n->dst_group ? 1u << (n->dst_group - 1) : 0) : (uint32_t)n->groups;
    return 0;
}

static int nl_no_listen(struct socket *s, int backlog) { return -EOPNOTSUPP; }
static int nl_no_accept(struct socket *s, struct socket **out) { return -EOPNOTSUPP; }
static int nl_no_shutdown(struct socket *s, int how) { return -EOPNOTSUPP; }
static void nl_no_options(struct socket *s) { }

static void nl_release(struct socket *s)
{
    struct nl_sock *n = nl(s);
    if (!n)
        return;
    for (struct nl_sock **p = &bound_socks[s->protocol]; *p; p = &(*p)->next)
        if (*p == n) {
            *p = n->next;
            break;
        }
    while (n->head) {
        struct nl_msg *m = n->head;
        n->head = m->next;
        kfree(m);
    }
    nl_dump_free(n);
    kfree(n);
    s->pcb = NULL;
}

static const struct proto_ops netlink_proto = {
    .bind = nl_bind,
    .listen = nl_no_listen,
    .accept = nl_no_accept,
    .connect = nl_connect,
    .send = nl_send,
    .recv = nl_recv,
    .shutdown = nl_no_shutdown,
    .poll = nl_poll,
    .name = nl_name,
    .apply_options = nl_no_options,
    .release = nl_release,
};

/* netlink_create's checks in its order; only NETLINK_ROUTE is provided. */
int netlink_socket_check(int type, int protocol)
{
    if (type != SOCK_RAW && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol < 0 || protocol >= MAX_LINKS)
        return -EPROTONOSUPPORT;
    if (protocol != NETLINK_ROUTE) {
        static uint32_t logged;
        if (!(logged & 1u << protocol)) {
            logged |= 1u << protocol;
            kinfo("socket: netlink protocol %d is not provided (only NETLINK_ROUTE), EPROTONOSUPPORT\n", protocol);
        }
        return -EPROTONOSUPPORT;
    }
    return 0;
}

int64_t netlink_socket_call(int type, int flags, int protocol)
{
    int err = netlink_socket_check(type, protocol);
    if (err)
        return err;
    net_ready();                   /* the interfaces, and the address DHCP was asked for */
    struct socket *s = socket_alloc(AF_NETLINK, type, protocol, &netlink_proto);
    struct nl_sock *n = kzalloc(sizeof(*n));
    if (!s || !n) {
        kfree(s);
        kfree(n);
        return -ENOMEM;
    }
    n->s = s;
    s->pcb = n;
    s->rcvbuf = s->sndbuf = 212992;   /* net.core.rmem_default / wmem_default */
    struct file *f = socket_file(s, flags & SOCK_NONBLOCK);
    if (!f) {
        nl_release(s);
        kfree(s);
        return -ENOMEM;
    }
    int fd = fd_alloc(current_process(), f, 0, flags & SOCK_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

