/* AF_NETLINK sockets as Linux's af_netlink.c has them: port ids (the first socket of a
 * process autobinds to its pid, later ones to negative ids), multicast group masks, unicast
 * between user sockets, and the kernel side of NETLINK_ROUTE: each request datagram is taken
 * apart as netlink_rcv_skb does, answered into the requester's queue (acks as NLMSG_ERROR),
 * and a dump is built a part at a time, the next part when a recvmsg has drained the queue
 * to half its SO_RCVBUF, as netlink_dump. A queued message is one datagram: a short read
 * truncates it (MSG_TRUNC) and the rest is gone. Interface: include/netlink.h. */
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
#include <string.h>

#define CAP_NET_BROADCAST 11
#define CAP_NET_ADMIN    12
#define RTNLGRP_MAX      36        /* Linux 6.1's NETLINK_ROUTE multicast groups */
#define NLMSG_GOODSIZE   ((PAGE_SIZE < 8192 ? PAGE_SIZE : 8192) - 320)  /* SKB_WITH_OVERHEAD */
#define MAX_RECVMSG_LEN  (32768 - 320)
#define SKB_OVERHEAD     576       /* what an skb costs beyond its data (truesize), for SO_RCVBUF */

enum { NLF_PKTINFO = 1, NLF_BROADCAST_ERROR = 2, NLF_NO_ENOBUFS = 4, NLF_LISTEN_ALL_NSID = 8,
       NLF_CAP_ACK = 16, NLF_EXT_ACK = 32, NLF_STRICT_CHK = 64 };

/* One queued datagram and who sent it (0: the kernel). */
struct nl_msg {
    struct nl_msg *next;
    uint32_t len, truesize, portid, group;
    uint8_t data[];
};

struct nl_sock {
    struct socket *s;
    struct nl_sock *next;           /* the protocol's bound sockets */
    uint32_t portid;
    bool bound;
    uint32_t dst_portid, dst_group;
    uint64_t groups;                /* subscribed groups, bit g-1 for group g */
    uint32_t ngroups;               /* 0 until the first subscription (netlink_realloc_groups) */
    uint32_t flags;                 /* NLF_* */
    struct nl_msg *head, *tail;
    uint32_t rmem, max_recvmsg_len;
    int error;                      /* sk_err: ENOBUFS after an overrun */
    struct nl_dump *dump;           /* the dump in progress, or NULL */
};

static struct nl_sock *bound_socks[MAX_LINKS];

static struct nl_sock *nl(struct socket *s) { return s->pcb; }

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

static void subscribe_all(struct nl_sock *n)
{
    if (!n->ngroups)
        n->ngroups = RTNLGRP_MAX;
}

/* Queue a datagram on n (copied). Past SO_RCVBUF it is dropped (EAGAIN) and, when the kernel
 * sent it (from 0), the reader told ENOBUFS (netlink_overrun) unless it asked not to be. A user
 * sender is not made to wait for room, as Linux's blocking netlink_attachskb would. */
static int deliver(struct nl_sock *n, const void *data, uint32_t len, uint32_t cap, uint32_t from, uint32_t group)
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

int netlink_unicast_reply(struct nl_request *r, struct nl_buf *b)
{
    return deliver(nl(r->sock), b->data, b->len, b->cap, 0, 0);
}

static bool buf_alloc(struct nl_buf *b, uint32_t cap)
{
    b->data = kmalloc(cap);
    b->len = 0;
    b->cap = cap;
    return b->data != NULL;
}

static void dump_free(struct nl_sock *n)
{
    if (n->dump) {
        kfree(n->dump->req);
        kfree(n->dump);
        n->dump = NULL;
    }
}

/* One part of the dump (netlink_dump): as much as the part holds, and NLMSG_DONE (with the
 * dump's status) in the part after the family has nothing more, or in the same part when the
 * family said so at once. */
static int dump_part(struct nl_sock *n)
{
    struct nl_dump *d = n->dump;
    uint32_t cap = d->min_alloc > NLMSG_GOODSIZE ? d->min_alloc : NLMSG_GOODSIZE;
    if (cap < n->max_recvmsg_len)
        cap = n->max_recvmsg_len;
    if (n->rmem >= (uint32_t)n->s->rcvbuf)
        return -ENOBUFS;
    struct nl_buf b;
    if (!buf_alloc(&b, cap))
        return -ENOBUFS;
    d->extack_msg = NULL;
    int status = d->dump(d, &b);
    if (status > 0 || b.cap - b.len < NLMSG_ALIGN(NLMSG_HDRLEN + 4)) {
        deliver(n, b.data, b.len, b.cap, 0, 0);
        kfree(b.data);
        return 0;
    }
    struct nlmsghdr_k *h = nlmsg_put(&b, d->portid, d->seq, NLMSG_DONE, 4, NLM_F_MULTI | d->answer_flags);
    memcpy(h + 1, &status, 4);
    if (d->extack_msg && (n->flags & NLF_EXT_ACK)) {
        h->flags |= NLM_F_ACK_TLVS;
        if (nla_put_string(&b, NLMSGERR_ATTR_MSG, d->extack_msg))
            nlmsg_end(&b, h);
    }
    deliver(n, b.data, b.len, b.cap, 0, 0);
    kfree(b.data);
    dump_free(n);
    return 0;
}

int netlink_dump_start(struct nl_request *r, int (*dump)(struct nl_dump *d, struct nl_buf *b), uint32_t min_alloc)
{
    struct nl_sock *n = nl(r->sock);
    if (n->dump)
        return -EBUSY;
    struct nl_dump *d = kzalloc(sizeof(*d));
    struct nlmsghdr_k *req = kmalloc(r->h->len);
    if (!d || !req) {
        kfree(d);
        kfree(req);
        return -ENOBUFS;
    }
    memcpy(req, r->h, r->h->len);
    d->dump = dump;
    d->req = req;
    d->portid = r->portid;
    d->seq = r->h->seq;
    d->strict = r->strict;
    d->min_alloc = min_alloc;
    n->dump = d;
    int err = dump_part(n);
    return err ? err : NL_DUMP_STARTED;
}

/* netlink_ack: NLMSG_ERROR with the status, the request's header and, for an error (unless
 * NETLINK_CAP_ACK), its payload; the handler's extack text with NETLINK_EXT_ACK. */
static void ack(struct nl_sock *n, const struct nlmsghdr_k *h, int err, const char *why)
{
    bool capped = !err || (n->flags & NLF_CAP_ACK);
    uint32_t payload = 4 + NLMSG_HDRLEN + (capped ? 0 : NLMSG_ALIGN(nlmsg_payload(h)));
    uint32_t tlv = why && (n->flags & NLF_EXT_ACK) ? NLMSG_ALIGN(NLA_HDRLEN + strlen(why) + 1) : 0;
    struct nl_buf b;
    if (!buf_alloc(&b, NLMSG_ALIGN(NLMSG_HDRLEN + payload) + tlv))
        return;
    struct nlmsghdr_k *rep = nlmsg_put(&b, n->portid, h->seq, NLMSG_ERROR, payload,
                                       (capped ? NLM_F_CAPPED : 0) | (tlv ? NLM_F_ACK_TLVS : 0));
    uint8_t *p = (uint8_t *)(rep + 1);
    memcpy(p, &err, 4);
    memcpy(p + 4, h, capped ? NLMSG_HDRLEN : h->len);
    if (tlv)
        nla_put_string(&b, NLMSGERR_ATTR_MSG, why);
    nlmsg_end(&b, rep);
    deliver(n, b.data, b.len, b.cap, 0, 0);
    kfree(b.data);
}

/* netlink_rcv_skb: every whole message of the datagram in turn; a malformed length ends it. */
static void kernel_receive(struct nl_sock *n, const uint8_t *data, uint32_t len)
{
    while (len >= NLMSG_HDRLEN) {
        struct nlmsghdr_k h;
        memcpy(&h, data, sizeof(h));
        if (h.len < NLMSG_HDRLEN || len < h.len)
            return;
        /* The handlers read the message in place: a copy keeps it aligned. */
        struct nlmsghdr_k *msg = kmalloc(h.len);
        if (!msg)
            return;
        memcpy(msg, data, h.len);
        struct nl_request r = { msg, n->portid, (n->flags & NLF_STRICT_CHK) != 0, NULL, n->s };
        int err = 0;
        if ((h.flags & NLM_F_REQUEST) && h.type >= NLMSG_MIN_TYPE)
            err = rtnetlink_rcv_msg(&r);
        if (err != NL_DUMP_STARTED && ((h.flags & NLM_F_ACK) || err))
            ack(n, msg, err, r.extack_msg);
        kfree(msg);
        uint32_t step = NLMSG_ALIGN(h.len);
        if (step > len)
            step = len;
        data += step;
        len -= step;
    }
}

static int nl_bind(struct socket *s, const struct sock_addr *a)
{
    struct nl_sock *n = nl(s);
    uint32_t groups = a->nl.groups;
    if (groups)
        subscribe_all(n);          /* NETLINK_ROUTE lets anyone listen (NL_CFG_F_NONROOT_RECV) */
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
                deliver(m, kbuf, (uint32_t)len, 0, n->portid, dst_group);
    if (dst_portid == 0) {
        kernel_receive(n, kbuf, (uint32_t)len);
        return (int64_t)len;
    }
    struct nl_sock *peer = lookup(s->protocol, dst_portid);
    if (!peer)
        return -ECONNREFUSED;
    err = deliver(peer, kbuf, (uint32_t)len, 0, n->portid, 0);
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
        if (n->dump && n->rmem <= (uint32_t)s->rcvbuf / 2 && (err = dump_part(n)))
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
    dump_free(n);
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

int netlink_setsockopt(struct socket *s, int level, int name, uint64_t uval, int len)
{
    struct nl_sock *n = nl(s);
    uint32_t val = 0, bit;
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT;
    if (len >= (int)sizeof(int) && copy_from_user(&val, uval, sizeof(val)))
        return -EFAULT;
    switch (name) {
    case NETLINK_PKTINFO: bit = NLF_PKTINFO; break;
    case NETLINK_ADD_MEMBERSHIP:
    case NETLINK_DROP_MEMBERSHIP:
        subscribe_all(n);
        if (!val || val - 1 >= n->ngroups)
            return -EINVAL;
        if (name == NETLINK_ADD_MEMBERSHIP)
            n->groups |= 1ull << (val - 1);
        else
            n->groups &= ~(1ull << (val - 1));
        return 0;
    case NETLINK_BROADCAST_ERROR: bit = NLF_BROADCAST_ERROR; break;
    case NETLINK_NO_ENOBUFS: bit = NLF_NO_ENOBUFS; break;
    case NETLINK_LISTEN_ALL_NSID:
        if (!process_capable(current_process(), CAP_NET_BROADCAST))
            return -EPERM;
        bit = NLF_LISTEN_ALL_NSID;
        break;
    case NETLINK_CAP_ACK: bit = NLF_CAP_ACK; break;
    case NETLINK_EXT_ACK: bit = NLF_EXT_ACK; break;
    case NETLINK_GET_STRICT_CHK: bit = NLF_STRICT_CHK; break;
    default: return -ENOPROTOOPT;
    }
    if (val)
        n->flags |= bit;
    else
        n->flags &= ~bit;
    return 0;
}

int netlink_getsockopt(struct socket *s, int level, int name, uint64_t uval, uint64_t ulen)
{
    struct nl_sock *n = nl(s);
    int len, bit;
    if (level != SOL_NETLINK)
        return -ENOPROTOOPT;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    switch (name) {
    case NETLINK_PKTINFO: bit = NLF_PKTINFO; break;
    case NETLINK_BROADCAST_ERROR: bit = NLF_BROADCAST_ERROR; break;
    case NETLINK_NO_ENOBUFS: bit = NLF_NO_ENOBUFS; break;
    case NETLINK_LISTEN_ALL_NSID: bit = NLF_LISTEN_ALL_NSID; break;
    case NETLINK_LIST_MEMBERSHIPS: {
        /* The subscription bitmap in u32 words, as far as the buffer holds; the length of all. */
        int err = 0;
        for (uint32_t pos = 0; pos * 8 < n->ngroups; pos += 4) {
            if (len - (int)pos < 4)
                break;
            uint32_t w = (uint32_t)(n->groups >> (pos * 8));
            if (copy_to_user(uval + pos, &w, 4)) {
                err = -EFAULT;
                break;
            }
        }
        int full = (int)(((n->ngroups + 7) / 8 + 3) & ~3u);
        if (copy_to_user(ulen, &full, sizeof(full)))
            err = -EFAULT;
        return err;
    }
    case NETLINK_CAP_ACK: bit = NLF_CAP_ACK; break;
    case NETLINK_EXT_ACK: bit = NLF_EXT_ACK; break;
    case NETLINK_GET_STRICT_CHK: bit = NLF_STRICT_CHK; break;
    default: return -ENOPROTOOPT;
    }
    if (len < (int)sizeof(int))
        return -EINVAL;
    int v = (n->flags & (uint32_t)bit) != 0;
    len = sizeof(int);
    if (copy_to_user(ulen, &len, sizeof(len)) || copy_to_user(uval, &v, sizeof(v)))
        return -EFAULT;
    return 0;
}
