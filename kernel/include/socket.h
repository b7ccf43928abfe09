/* Sockets over lwIP's raw API: the objects behind socket(2) and friends. The syscalls
 * (kernel/syscall/sys_socket.c, sys_socket_io.c, sys_sockopt.c; addresses through
 * net/sockaddr.c) convert the Linux ABI (sockaddr, msghdr, option values) and call these; the
 * protocols live in kernel/net/tcp_socket.c, udp_socket.c and unix_socket.c. Every call runs
 * with interrupts masked, as lwIP requires. Errors are negative errno values. */
#pragma once
#include "linux_uapi.h"
#include <stdint.h>
#include <stdbool.h>
#include "lwip/ip_addr.h"

struct file;
struct socket;
struct pbuf;

/* An AF_UNIX name: sun_path's bytes in use (0: unnamed); a leading NUL makes it abstract. */
struct unix_addr {
    uint8_t len;
    char path[108];
};

struct sock_addr {
    ip_addr_t ip;
    uint16_t port;
    struct unix_addr un;       /* AF_UNIX */
    struct { uint32_t pid, groups; } nl;   /* AF_NETLINK: port id and multicast group mask */
};

/* Received data not yet read: TCP segments in order, or UDP datagrams with their sender. */
struct rx_entry {
    struct rx_entry *next;
    struct pbuf *p;
    uint16_t offset;           /* bytes of p already read (TCP) */
    ip_addr_t from_ip;         /* UDP: the sender */
    uint16_t from_port;
    bool ip6;                  /* UDP: came over IPv6, with this hop limit and traffic class */
    uint8_t hoplimit, tclass;
};

/* SCM_CREDENTIALS: a struct ucred. A message sent without any has pid 0 and ids of -1 (a
 * reader with SO_PASSCRED sees them as Linux's overflow ids). */
struct unix_cred {
    int32_t pid;
    uint32_t uid, gid;
};
#define UNIX_NO_CRED ((struct unix_cred){0, (uint32_t)-1, (uint32_t)-1})

/* TCP_INFO's counters lwIP does not keep (net/tcp_info.c): bytes each way, data segments in,
 * and a round-trip estimate in microseconds (lwIP times in 500 ms ticks: 0 on any LAN). */
struct tcp_counters {
    uint64_t bytes_acked, bytes_received;
    uint32_t data_segs_in;
    uint32_t srtt_us, rttvar_us, min_rtt_us;
    uint32_t rtt_seq;           /* the timed byte: sampled when the peer acknowledges it */
    uint64_t rtt_start;         /* when it was sent (counter_now), 0: nothing timed */
    uint64_t last_data_sent, last_data_recv, last_ack_recv;   /* counter_now(), 0: never */
};

/* An ICMP error as the error queue keeps it (net/sock_errqueue.c): Linux's sock_extended_err
 * fields, the ICMP message's sender, where the datagram was going, and what the ICMP message
 * quoted of its payload. */
struct sock_err {
    struct sock_err *next;
    int err;                    /* ee_errno (positive) */
    uint8_t origin, type, code; /* SO_EE_ORIGIN_ICMP or _ICMP6, the ICMP type and code */
    uint32_t info;              /* ee_info: the MTU of a "fragmentation needed" */
    ip_addr_t offender;
    struct sock_addr dst;
    uint16_t len;
    uint8_t payload[];
};
#define SO_EE_ORIGIN_ICMP  2
#define SO_EE_ORIGIN_ICMP6 3

struct proto_ops {
    int (*bind)(struct socket *s, const struct sock_addr *a);
    int (*listen)(struct socket *s, int backlog);
    /* A new connected socket (without a file yet) from the accept queue. */
    int (*accept)(struct socket *s, struct socket **out);
    int (*connect)(struct socket *s, const struct sock_addr *a);
    /* Bytes taken from kbuf; `to` only for datagrams. */
    int64_t (*send)(struct socket *s, const void *kbuf, uint64_t len, int flags, const struct sock_addr *to);
    /* Bytes copied (a datagram's full length with MSG_TRUNC); *from for datagrams; *truncated
     * when a datagram did not fit. */
    int64_t (*recv)(struct socket *s, void *kbuf, uint64_t len, int flags, struct sock_addr *from,
                    bool *truncated);
    int (*shutdown)(struct socket *s, int how);
    uint32_t (*poll)(struct socket *s);
    int (*name)(struct socket *s, bool peer, struct sock_addr *a);
    /* Push nodelay/keepalive settings to the protocol control block. */
    void (*apply_options)(struct socket *s);
    void (*release)(struct socket *s);
};

struct socket {
    int domain, type, protocol;
    const struct proto_ops *proto;
    struct file *file;          /* NULL while waiting in an accept queue */
    void *pcb;                  /* struct tcp_pcb / udp_pcb; NULL once lwIP freed it */
    int state;                  /* the protocol's (tcp_socket.c) */
    int error;                  /* pending error: SO_ERROR, and the next call that can fail */
    bool rd_shut, wr_shut;      /* no more to read (FIN received or SHUT_RD) / to write */
    bool bound;
    bool nb_connect;            /* a non-blocking connect whose outcome connect() has not reported */
    struct rx_entry *rx_head, *rx_tail;
    uint32_t rx_bytes;
    struct socket *accept_next; /* link in the listener's accept queue */
    struct socket *accept_head, *accept_tail;
    int accept_count, backlog;
    int rcvbuf, sndbuf;         /* as Linux reports them (twice what was set) */
    bool reuseaddr, reuseport, keepalive, nodelay, v6only, broadcast;
    /* SO_OOBINLINE: urgent data stays in the stream. It always does here (lwIP delivers it
     * inline and sends none), so only the flag is kept; MSG_OOB reads are EINVAL either way,
     * as Linux's with the flag set. */
    bool oobinline;
    bool cork;                 /* TCP_CORK: partial segments wait until it is cleared */
    bool port_locked;           /* UDP: bound to a port of its own choosing (disconnect keeps it) */
    bool auto_source;           /* UDP: connect chose the local address (disconnect forgets it) */
    int keepidle, keepintvl, keepcnt;    /* seconds, seconds, probes (TCP_KEEP*) */
    bool linger;                /* SO_LINGER: close waits up to linger_sec for the data to go */
    int linger_sec;
    uint64_t rcvtimeo_ns, sndtimeo_ns;   /* 0: wait forever */
    /* SCM_RIGHTS (AF_UNIX): the files sendmsg hands the next message it queues, and those the
     * last recvmsg took off a message (recv_wants_rights: recvmsg asks; read() drops them). */
    struct unix_rights *send_rights, *recv_rights;
    bool recv_wants_rights;
    /* SO_PASSCRED (any family keeps it; AF_UNIX acts on it). send_cred: the SCM_CREDENTIALS
     * sendmsg gave (has_send_cred), for every message of that send; recv_cred: those of what
     * the last read took (has_recv_cred), for recvmsg to hand out. */
    bool passcred, has_send_cred, has_recv_cred;
    struct unix_cred send_cred, recv_cred;
    int rcvlowat;               /* SO_RCVLOWAT: at least 1 */
    uint64_t ino;               /* sockfs's inode number: "socket:[N]", /proc/net's inode column */
    uint32_t uid;               /* its creator's fsuid: /proc/net's uid column */
    bool rcvbuf_set;            /* SO_RCVBUF was set (Linux's SOCK_RCVBUF_LOCK) */
    /* IP_RECVERR / IPV6_RECVERR (glibc's resolver sets them before each query): any ICMP
     * error becomes the pending error (net/icmp_error.c) and joins the error queue. */
    bool recverr, recverr6;
    struct sock_err *errq_head, *errq_tail;
    /* RFC 3542 (AF_INET6 datagrams): IPV6_RECVHOPLIMIT / IPV6_RECVTCLASS ask recvmsg for the
     * IPV6_HOPLIMIT / IPV6_TCLASS of each datagram (recv_ip6: the last one read had them);
     * sendmsg's IPV6_HOPLIMIT / IPV6_TCLASS messages set one datagram's (-1: the socket's). */
    bool recvhoplimit, recvtclass, recv_ip6;
    uint8_t recv_hoplimit, recv_tclass;
    int send_hoplimit, send_tclass;
    uint32_t errq_bytes;
    struct tcp_counters tcpc;   /* TCP_INFO */
    bool output_later;          /* TCP: in tcp_output_later's list */
    struct socket *output_later_next;
};

/* Open files in flight on an AF_UNIX socket (each holds a reference). */
struct unix_rights {
    int count;
    struct file *files[];
};
void unix_rights_free(struct unix_rights *r);

/* A socket of the given family/type/protocol (already checked), as a file with open flags. */
int socket_create(int domain, int type, int protocol, int flags, struct file **out);
/* The accepted socket as a new file. */
struct file *socket_file(struct socket *s, int flags);
struct socket *file_socket(struct file *f);
/* Whole messages, each with its sender: UDP and AF_UNIX datagrams, and netlink of either type. */
static inline bool socket_is_datagram(const struct socket *s)
{
    return s->type == SOCK_DGRAM || s->domain == AF_NETLINK;
}
/* The socket behind descriptor fd of the running process; NULL with *err EBADF or ENOTSOCK. */
struct socket *sockfd_lookup(int fd, int *err);

/* Shared by the protocols. */
struct socket *socket_alloc(int domain, int type, int protocol, const struct proto_ops *proto);
void socket_wake(struct socket *s, uint32_t events);
/* sk_state_change's wake-up (a shutdown, a peer's close): no key, as Linux's sock_def_wakeup,
 * so each waiter polls for what it now finds; O_ASYNC's SIGIO still names `events`. */
void socket_state_change(struct socket *s, uint32_t events);
/* Queue p (dropped, NULL, when out of memory): the entry, for the protocol's own fields. */
struct rx_entry *socket_rx_push(struct socket *s, struct pbuf *p, const ip_addr_t *from, uint16_t port);
void socket_rx_free(struct socket *s);
/* Block (unless nonblocking) until done(s) holds: 0, -EAGAIN (nonblocking or timed out). */
int socket_wait(struct socket *s, bool nonblock, uint64_t timeout_ns, bool (*done)(void *arg));
bool socket_nonblock(struct socket *s, int flags);
/* Connections waiting for accept(): queue one (and wake the listener), or take the oldest,
 * blocking unless non-blocking (-EAGAIN). Listening is state SOCKET_LISTENING. */
#define SOCKET_LISTENING 1
void socket_accept_push(struct socket *l, struct socket *n);
int socket_accept_pop(struct socket *l, struct socket **out);
/* Let lwIP deliver what is pending before looking at a socket's state. */
void socket_pump(void);
/* 0 unless the address is one of ours (or any / loopback). */
bool socket_local_address(const ip_addr_t *ip);

/* TCP data written but not yet built into segments goes out at the next net_poll, all of it
 * at once (kernel/net/tcp_output_later.c): later queues a socket, forget drops one that is
 * being released, now (from net_poll) outputs every queued socket. */
void tcp_output_later(struct socket *s);
void tcp_output_forget(struct socket *s);
void tcp_output_now(void);

extern const struct proto_ops tcp_proto, udp_proto, unix_proto;
int unix_socket_init(struct socket *s);
/* Connect two fresh AF_UNIX sockets to each other (socketpair). */
void unix_socket_pair(struct socket *a, struct socket *b);
int unix_socket_inq(struct socket *s);
/* SIOCOUTQ: the memory this socket's messages still take in their readers' queues. */
int unix_socket_outq(struct socket *s);
int unix_stream_addressed(struct socket *s);
/* Every AF_UNIX socket, newest first, as /proc/net/unix lists them (net/procnet_unix.c). */
struct unix_view {
    const struct socket *s;
    const struct unix_addr *name;
    bool listening, connected;
};
void unix_socket_each(void (*fn)(void *arg, const struct unix_view *v), void *arg);
/* TCP_INFO into out (size bytes at most): the bytes filled. */
size_t tcp_socket_info(struct socket *s, void *out, size_t size);
/* What tcp_socket.c tells TCP_INFO: data was written (time it unless a byte is being timed:
 * seq_end is snd_lbb after it), acknowledged (len bytes; lastack now), received. */
void tcp_info_sending(struct socket *s, uint32_t seq_end);
void tcp_info_acked(struct socket *s, uint32_t lastack, uint16_t len);
void tcp_info_received(struct socket *s, uint32_t len);
/* SIOCOUTQ (written, not yet acknowledged) or SIOCOUTQNSD (written, not yet sent): bytes, or
 * -EINVAL on a listener, as Linux's tcp_ioctl. */
int tcp_socket_outq(struct socket *s, bool unsent_only);
/* SO_PEERCRED: the credentials recorded when the socket was paired, listened or connected
 * (Linux's init_peercred and copy_peercred); false when none were. */
bool unix_socket_peercred(struct socket *s, struct unix_cred *out);
/* The protocol control block for a new socket. */
int tcp_socket_init(struct socket *s);
int udp_socket_init(struct socket *s);
/* UDPLITE_SEND_CSCOV / UDPLITE_RECV_CSCOV (name): set on a UDP-Lite socket (ENOPROTOOPT on plain
 * UDP); read on either (plain UDP: 0, the whole datagram). */
int udplite_set_coverage(struct socket *s, int name, int v);
int udplite_get_coverage(struct socket *s, int name, int *v);
/* The UDP socket an ICMP error about a datagram from (local, lport) to (remote, rport) is for
 * (net/icmp_error.c), or NULL; *connected when it is connected to that peer. */
struct socket *udp_socket_for_error(const ip_addr_t *local, uint16_t lport, const ip_addr_t *remote,
                                    uint16_t rport, bool *connected);
/* The IP_RECVERR error queue: queue len bytes of p from offset with e (dropped past
 * SO_RCVBUF), take the oldest (the caller kfree()s it; the pending error becomes the next
 * one's), free all (release). */
void sock_errqueue_push(struct socket *s, const struct sock_err *e, struct pbuf *p, uint16_t offset, uint16_t len);
struct sock_err *sock_errqueue_pop(struct socket *s);
void sock_errqueue_free(struct socket *s);
/* Watch incoming ICMP errors for the UDP sockets (at net_init). */
void icmp_error_init(void);
/* lwIP's err_t as a Linux errno. */
int socket_errno(int lwip_err);
/* One sendmsg/recvmsg of the user msghdr at umsg (kernel/syscall/sys_socket_io.c), for the
 * single and the batched (sendmmsg/recvmmsg) calls. */
int64_t socket_sendmsg(struct socket *s, uint64_t umsg, int flags, bool *partial);
int64_t socket_recvmsg(struct socket *s, uint64_t umsg, int flags);
