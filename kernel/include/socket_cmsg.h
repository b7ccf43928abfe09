/* sendmsg/recvmsg control messages (kernel/syscall/socket_cmsg.c), for the data paths in
 * kernel/syscall/sys_socket_io.c. Errors are negative errno values. */
#pragma once
#include "linux_uapi.h"
#include <stdbool.h>
#include <stdint.h>

struct socket;
struct linux_iovec;

/* An AF_UNIX sendmsg's control data onto the socket: the files (s->send_rights) and the
 * credentials (s->send_cred) its next message carries. */
int socket_control_from_user(struct socket *s, uint64_t control, uint64_t controllen);
/* An AF_INET6 datagram sendmsg's control data: IPV6_HOPLIMIT and IPV6_TCLASS for its datagram
 * (s->send_hoplimit, s->send_tclass). */
int socket_inet6_control_from_user(struct socket *s, uint64_t control, uint64_t controllen);
/* What the last read took (credentials with SO_PASSCRED when it read, then files) into the
 * msghdr's control buffer; MSG_CTRUNC into *flags when cut. The control length used. */
int64_t socket_control_to_user(struct socket *s, const struct linux_msghdr *m, bool read, bool cloexec,
                               int32_t *flags);
/* recvmsg(MSG_ERRQUEUE) on an inet socket: bytes of the oldest queued error, or EAGAIN. */
int64_t socket_errqueue_recvmsg(struct socket *s, uint64_t umsg, const struct linux_msghdr *m,
                                const struct linux_iovec *iov);
/* len bytes of buf into the user's vectors: the bytes copied (*truncated when not all fit). */
int64_t socket_scatter(const struct linux_iovec *iov, uint64_t iovcnt, const uint8_t *buf, uint64_t len,
                       bool *truncated);
