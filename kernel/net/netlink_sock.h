/* Inside net/: an AF_NETLINK socket's state, shared by the socket calls (netlink_socket.c), the
 * kernel's side of the conversation (netlink_kernel.c: requests, acks, dumps) and the
 * SOL_NETLINK options (netlink_sockopt.c). Everything runs under the kernel lock. */
#pragma once
#include "socket.h"
#include "netlink.h"

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

static inline struct nl_sock *nl(struct socket *s) { return s->pcb; }

/* Queue a datagram of len bytes (from port id `from`, 0: the kernel; to `group` or 0) on n,
 * accounted as an skb of cap bytes: 0, or -EAGAIN when SO_RCVBUF is full. */
int nl_deliver(struct nl_sock *n, const void *data, uint32_t len, uint32_t cap, uint32_t from, uint32_t group);
/* The protocol's multicast groups become subscribable (netlink_realloc_groups). */
void nl_subscribe_all(struct nl_sock *n);
/* A datagram sent to the kernel: its requests answered into n's queue. */
void nl_kernel_receive(struct nl_sock *n, const uint8_t *data, uint32_t len);
/* The next part of n's dump (0, or -ENOBUFS: tried again at the next receive); the dump's end. */
int nl_dump_part(struct nl_sock *n);
void nl_dump_free(struct nl_sock *n);
