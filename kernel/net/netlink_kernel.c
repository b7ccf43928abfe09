/* The kernel's end of an AF_NETLINK conversation, as af_netlink.c has it: each request datagram
 * taken apart as netlink_rcv_skb does and handed to the protocol (NETLINK_ROUTE:
 * net/rtnetlink.c), NLMSG_ERROR acks as netlink_ack builds them, and dumps a part at a time as
 * netlink_dump (the next part when a receive has drained the queue to half its SO_RCVBUF). */
#include "kernel.h"
#include "linux_abi.h"
#include "mm.h"
#include "errno.h"
#include "netlink_sock.h"
#include <string.h>

int netlink_unicast_reply(struct nl_request *r, struct nl_buf *b)
{
    return nl_deliver(nl(r->sock), b->data, b->len, b->cap, 0, 0);
}

static bool buf_alloc(struct nl_buf *b, uint32_t cap)
{
    b->data = kmalloc(cap);
    b->len = 0;
    b->cap = cap;
    return b->data != NULL;
}

void nl_dump_free(struct nl_sock *n)
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
int nl_dump_part(struct nl_sock *n)
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
        nl_deliver(n, b.data, b.len, b.cap, 0, 0);
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
    nl_deliver(n, b.data, b.len, b.cap, 0, 0);
    kfree(b.data);
    nl_dump_free(n);
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
    int err = nl_dump_part(n);
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
    nl_deliver(n, b.data, b.len, b.cap, 0, 0);
    kfree(b.data);
}

/* netlink_rcv_skb: every whole message of the datagram in turn; a malformed length ends it. */
void nl_kernel_receive(struct nl_sock *n, const uint8_t *data, uint32_t len)
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

