/* AF_NETLINK sockets (net/netlink_socket.c) and NETLINK_ROUTE (net/rtnetlink.c and its
 * rtnl_*.c dumps): Linux's uapi layouts and the interface between the socket and the family.
 * Messages are built into a buffer as Linux builds them into an skb (net/netlink_msg.c): a
 * part of a dump is one buffer, one datagram for recvmsg. */
#pragma once
#include <stdint.h>
#include <stdbool.h>

#define SOL_NETLINK    270
#define NETLINK_ROUTE  0
#define MAX_LINKS      32          /* protocols 0..31; others are EPROTONOSUPPORT */

struct sockaddr_nl_k { uint16_t family, pad; uint32_t pid, groups; };

/* nlmsghdr and its flags (include/uapi/linux/netlink.h) */
struct nlmsghdr_k { uint32_t len; uint16_t type, flags; uint32_t seq, pid; };
#define NLMSG_ALIGN(n)   (((n) + 3u) & ~3u)
#define NLMSG_HDRLEN     16u
#define NLM_F_REQUEST    0x01
#define NLM_F_MULTI      0x02
#define NLM_F_ACK        0x04
#define NLM_F_ECHO       0x08
#define NLM_F_DUMP_INTR  0x10
#define NLM_F_DUMP_FILTERED 0x20
#define NLM_F_ROOT       0x100
#define NLM_F_MATCH      0x200
#define NLM_F_DUMP       (NLM_F_ROOT | NLM_F_MATCH)
#define NLM_F_CAPPED     0x100     /* in NLMSG_ERROR */
#define NLM_F_ACK_TLVS   0x200
#define NLMSG_NOOP       1
#define NLMSG_ERROR      2
#define NLMSG_DONE       3
#define NLMSG_MIN_TYPE   0x10
#define NLMSGERR_ATTR_MSG 1

/* socket options (SOL_NETLINK) */
#define NETLINK_ADD_MEMBERSHIP  1
#define NETLINK_DROP_MEMBERSHIP 2
#define NETLINK_PKTINFO         3
#define NETLINK_BROADCAST_ERROR 4
#define NETLINK_NO_ENOBUFS      5
#define NETLINK_LISTEN_ALL_NSID 8
#define NETLINK_LIST_MEMBERSHIPS 9
#define NETLINK_CAP_ACK         10
#define NETLINK_EXT_ACK         11
#define NETLINK_GET_STRICT_CHK  12

/* struct nlattr / rtattr */
struct nlattr_k { uint16_t len, type; };
#define NLA_HDRLEN 4u
#define NLA_F_NESTED        0x8000
#define NLA_F_NET_BYTEORDER 0x4000
#define NLA_TYPE_MASK       (~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff)

/* A message buffer being filled: one skb's worth (cap bytes). */
struct nl_buf {
    uint8_t *data;
    uint32_t len, cap;
};
/* A message header with room for payload bytes (zeroed), or NULL when it does not fit. */
struct nlmsghdr_k *nlmsg_put(struct nl_buf *b, uint32_t portid, uint32_t seq, uint16_t type, uint32_t payload,
                             uint16_t flags);
/* Close h: its length reaches the buffer's end. */
void nlmsg_end(struct nl_buf *b, struct nlmsghdr_k *h);
/* Drop h and everything after it (an entry that did not fit). */
void nlmsg_cancel(struct nl_buf *b, struct nlmsghdr_k *h);
/* Attributes: false when they do not fit. */
bool nla_put(struct nl_buf *b, uint16_t type, uint32_t len, const void *data);
bool nla_put_u8(struct nl_buf *b, uint16_t type, uint8_t v);
bool nla_put_u32(struct nl_buf *b, uint16_t type, uint32_t v);
bool nla_put_string(struct nl_buf *b, uint16_t type, const char *s);
/* Open a nested attribute (NULL: no room); close it once its members are in. */
struct nlattr_k *nla_nest_start(struct nl_buf *b, uint16_t type);
void nla_nest_end(struct nl_buf *b, struct nlattr_k *nest);
/* A request's attributes after a family header of hdrlen bytes, by type (tb[0..max], NULL
 * when absent; the last of a repeated type wins, as nla_parse). Returns 0, or -EINVAL for a
 * message too short for its header, or (strict: nlmsg_parse_deprecated_strict) a type past
 * max or bytes left over; *why gets Linux's extack text. */
int nlmsg_parse(const struct nlmsghdr_k *h, uint32_t hdrlen, const struct nlattr_k **tb, int max, bool strict,
                const char **why);
static inline const void *nla_data(const struct nlattr_k *a) { return (const uint8_t *)a + NLA_HDRLEN; }
static inline uint32_t nla_len(const struct nlattr_k *a) { return a->len - NLA_HDRLEN; }
static inline const void *nlmsg_data(const struct nlmsghdr_k *h) { return (const uint8_t *)h + NLMSG_HDRLEN; }
static inline uint32_t nlmsg_payload(const struct nlmsghdr_k *h) { return h->len - NLMSG_HDRLEN; }

/* A dump in progress (Linux's netlink_callback): the request, who asked, and the family's
 * place in its walk. The dump function fills b with whole messages and returns b->len (more
 * may follow: it is called again for the next part) or 0 when it has nothing more, or a
 * negative errno (ends the dump with that error in NLMSG_DONE). */
struct nl_dump {
    int (*dump)(struct nl_dump *d, struct nl_buf *b);
    struct nlmsghdr_k *req;         /* a copy of the request (kmalloc'd) */
    uint32_t portid, seq;
    bool strict;                    /* NETLINK_GET_STRICT_CHK on the requesting socket */
    uint16_t answer_flags;          /* NLM_F_DUMP_FILTERED when the request filtered */
    uint32_t min_alloc;
    const char *extack_msg;         /* Linux's NL_SET_ERR_MSG during the dump */
    long args[6];
    int family;                     /* rtnl_dump_all's place */
};

/* What a request handler (the family's) is given: the request, and where it answers. */
struct nl_request {
    const struct nlmsghdr_k *h;
    uint32_t portid;                /* the requester's */
    bool strict;
    const char *extack_msg;         /* set by the handler: NLMSGERR_ATTR_MSG when EXT_ACK */
    struct socket *sock;            /* the requesting socket: replies are queued to it */
};
/* NETLINK_ROUTE: handle one request message (Linux's rtnetlink_rcv_msg): 0, a negative errno
 * (acked as NLMSG_ERROR), or NL_DUMP_STARTED (no ack). */
#define NL_DUMP_STARTED 1
int rtnetlink_rcv_msg(struct nl_request *r);
/* Start a dump for the request (netlink_dump_start): -EBUSY while one runs, else NL_DUMP_STARTED. */
int netlink_dump_start(struct nl_request *r, int (*dump)(struct nl_dump *d, struct nl_buf *b), uint32_t min_alloc);
/* Queue a finished message buffer (one datagram from the kernel) on the requester. */
int netlink_unicast_reply(struct nl_request *r, struct nl_buf *b);

/* socket(AF_NETLINK, type, protocol): the new descriptor or an errno (sys_socket.c). */
int64_t netlink_socket_call(int type, int flags, int protocol);
/* Its checks alone: 0 or the errno socket() would give (socketpair checks them first). */
int netlink_socket_check(int type, int protocol);
/* SOL_NETLINK options (sys_sockopt.c): Linux's netlink_setsockopt / netlink_getsockopt. */
int netlink_setsockopt(struct socket *s, int level, int name, uint64_t uval, int len);
int netlink_getsockopt(struct socket *s, int level, int name, uint64_t uval, uint64_t ulen);
