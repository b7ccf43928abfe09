/* Data through sockets: sendto/recvfrom, sendmsg/recvmsg (msghdr; control messages in socket_cmsg.c; the batched
 * forms are in sys_socket_mmsg.c), and readv/writev on a socket; a stream's send is gathered into one operation, as Linux does. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "socket.h"
#include "sockaddr.h"
#include "socket_cmsg.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>

#define IO_CHUNK 65536

/* The bounce buffer of a send or receive: every transfer fits in one IO_CHUNK (a datagram is at
 * most 65535 bytes, a stream moves a chunk at a time). One chunk is kept between calls, because
 * taking 64 KiB from the page allocator and giving it back on every call (a first-fit walk over
 * the free runs each time) was a tenth of the kernel's instructions per websrv request. A call
 * that blocks keeps its chunk and another caller meanwhile gets its own; the kernel lock makes
 * the take and the return atomic. */
static char *spare_chunk;

static char *chunk_get(void)
{
    char *b = spare_chunk;
    if (!b)
        return kmalloc(IO_CHUNK);
    spare_chunk = NULL;
    return b;
}

static void chunk_put(char *b)
{
    if (!spare_chunk)
        spare_chunk = b;
    else
        kfree(b);
}

/* Send from a gathered kernel copy: a stream in chunks, a datagram whole. */
static int64_t send_common(struct socket *s, const struct linux_iovec *iov, uint64_t iovcnt, int flags,
                           const struct sock_addr *to)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < iovcnt; i++) {
        if ((int64_t)iov[i].iov_len < 0 || total + iov[i].iov_len < total)
            return -EINVAL;
        total += iov[i].iov_len;
    }
    if (socket_is_datagram(s)) {
        if (total > 65535)
            return -EMSGSIZE;
        char *buf = chunk_get();
        uint64_t off = 0;
        if (!buf)
            return -ENOMEM;
        for (uint64_t i = 0; i < iovcnt; off += iov[i].iov_len, i++)
            if (iov[i].iov_len && copy_from_user(buf + off, iov[i].iov_base, iov[i].iov_len)) {
                chunk_put(buf);
                return -EFAULT;
            }
        int64_t r = s->proto->send(s, buf, total, flags, to);
        chunk_put(buf);
        return r;
    }
    char *buf = chunk_get();
    int64_t done = 0;
    if (!buf)
        return -ENOMEM;
    if (total == 0)
        done = s->proto->send(s, buf, 0, flags, NULL);
    /* Gather the vectors into one buffer before sending: a writev of a header and a body must
     * leave as one segment, as on Linux. Sent one vector at a time, the body waited behind
     * Nagle for the header's ACK, which the client delays (nginx keep-alive: 24 ms a request). */
    uint64_t i = 0, off = 0;
    bool fault = false;
    while ((uint64_t)done < total && !fault) {
        uint64_t fill = 0;
        while (fill < IO_CHUNK && i < iovcnt) {
            uint64_t n = iov[i].iov_len - off < IO_CHUNK - fill ? iov[i].iov_len - off : IO_CHUNK - fill;
            if (n && copy_from_user(buf + fill, iov[i].iov_base + off, n)) {
                fault = true;
                break;
            }
            fill += n;
            off += n;
            if (off == iov[i].iov_len) {
                i++;
                off = 0;
            }
        }
        if (!fill)
            break;
        int64_t r = s->proto->send(s, buf, fill, flags, NULL);
        if (r < 0) {
            chunk_put(buf);
            return done ? done : r;
        }
        done += r;
        if ((uint64_t)r < fill)
            break;
    }
    if (fault && !done) {
        chunk_put(buf);
        return -EFAULT;
    }
    chunk_put(buf);
    return done;
}

int64_t socket_scatter(const struct linux_iovec *iov, uint64_t iovcnt, const uint8_t *buf, uint64_t len, bool *truncated)
{
    uint64_t off = 0;
    for (uint64_t i = 0; i < iovcnt && off < len; i++) {
        uint64_t c = iov[i].iov_len < len - off ? iov[i].iov_len : len - off;
        if (c && copy_to_user(iov[i].iov_base, buf + off, c))
            return -EFAULT;
        off += c;
    }
    *truncated = off < len;
    return (int64_t)off;
}

/* Receive into a kernel buffer, then scatter. A stream read takes at most IO_CHUNK at once. */
static int64_t recv_common(struct socket *s, const struct linux_iovec *iov, uint64_t iovcnt, int flags,
                           struct sock_addr *from, bool *truncated)
{
    uint64_t total = 0;
    for (uint64_t i = 0; i < iovcnt; i++) {
        if ((int64_t)iov[i].iov_len < 0)
            return -EINVAL;
        total += iov[i].iov_len;
    }
    /* IP_RECVERR's error queue (net/sock_errqueue.c): the oldest error's payload, or EAGAIN at
     * once, as ip_recv_error; recvmsg adds the rest (errqueue_recvmsg). AF_UNIX ignores the flag. */
    if ((flags & MSG_ERRQUEUE) && s->domain != AF_UNIX) {
        struct sock_err *e = sock_errqueue_pop(s);
        if (!e)
            return -EAGAIN;
        int64_t n = socket_scatter(iov, iovcnt, e->payload, e->len, truncated);
        kfree(e);
        return n;
    }
    uint64_t cap = socket_is_datagram(s) ? 65536 : IO_CHUNK;
    uint64_t want = total < cap ? total : cap;
    char *buf = chunk_get();
    if (!buf)
        return -ENOMEM;
    int64_t n = s->proto->recv(s, buf, want, flags, from, truncated);
    if (n > 0) {
        uint64_t left = (uint64_t)n < want ? (uint64_t)n : want, off = 0;
        for (uint64_t i = 0; i < iovcnt && left; i++) {
            uint64_t c = iov[i].iov_len < left ? iov[i].iov_len : left;
            if (copy_to_user(iov[i].iov_base, buf + off, c)) {
                chunk_put(buf);
                return -EFAULT;
            }
            off += c;
            left -= c;
        }
    }
    chunk_put(buf);
    return n;
}

/* readv/writev on a socket: one send or receive over all the vectors (one datagram, not one
 * per vector), as Linux's sock_read_iter/sock_write_iter. */
int64_t socket_vector_io(struct file *f, uint64_t uiov, uint64_t count, bool write)
{
    struct socket *s = file_socket(f);
    struct linux_iovec *iov = kmalloc(count ? count * sizeof(*iov) : 1);
    bool truncated;
    if (!iov)
        return -ENOMEM;
    if (count && copy_from_user(iov, uiov, count * sizeof(*iov))) {
        kfree(iov);
        return -EFAULT;
    }
    int64_t r = write ? send_common(s, iov, count, 0, NULL) : recv_common(s, iov, count, 0, NULL, &truncated);
    kfree(iov);
    return r;
}

SYSCALL(sendto)
{
    int err;
    uint8_t abuf[MAX_SOCK_ADDR];
    struct sock_addr to;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    if (a4 && a5 && s->domain == AF_UNIX && s->type == SOCK_STREAM)
        return unix_stream_addressed(s);
    bool has_to = a4 && socket_is_datagram(s) && (a5 || s->domain != AF_NETLINK);
    if (a4 && (err = sockaddr_from_user(a4, (int)a5, abuf)))
        return err;
    if (has_to && (err = sockaddr_parse(s, abuf, (int)a5, &to)))
        return err;
    struct linux_iovec iov = { a1, a2 };
    return send_common(s, &iov, 1, (int)a3, has_to ? &to : NULL);
}

SYSCALL(recvfrom)
{
    int err;
    struct sock_addr from;
    bool truncated;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    struct linux_iovec iov = { a1, a2 };
    int64_t n = recv_common(s, &iov, 1, (int)a3, &from, &truncated);
    if (n >= 0 && a4) {
        uint8_t buf[MAX_SOCK_ADDR];
        int klen = socket_is_datagram(s) ? sockaddr_format(s, &from, buf) : 0;
        if ((err = sockaddr_to_user(buf, klen, a4, a5)))
            return err;
    }
    return n;
}

static int iov_from_user(const struct linux_msghdr *m, struct linux_iovec **out)
{
    if (m->iovlen > UIO_MAXIOV)
        return -EMSGSIZE;
    struct linux_iovec *iov = kmalloc(m->iovlen ? m->iovlen * sizeof(*iov) : 1);
    if (!iov)
        return -ENOMEM;
    if (m->iovlen && copy_from_user(iov, m->iov, m->iovlen * sizeof(*iov))) {
        kfree(iov);
        return -EFAULT;
    }
    *out = iov;
    return 0;
}

/* One sendmsg of the msghdr at umsg: bytes sent or an error; *partial when fewer bytes than the
 * message held left (sendmmsg stops there, as Linux's does on msg_data_left). */
int64_t socket_sendmsg(struct socket *s, uint64_t umsg, int flags, bool *partial)
{
    int err;
    struct linux_msghdr m;
    struct linux_iovec *iov;
    uint8_t abuf[MAX_SOCK_ADDR];
    struct sock_addr to;
    *partial = false;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    if (m.name && m.namelen && s->domain == AF_UNIX && s->type == SOCK_STREAM)
        return unix_stream_addressed(s);
    bool has_to = m.name && socket_is_datagram(s) && (m.namelen || s->domain != AF_NETLINK);
    if (m.name && (err = sockaddr_from_user(m.name, m.namelen, abuf)))
        return err;
    if ((err = iov_from_user(&m, &iov)))
        return err;
    if (m.controllen && s->domain == AF_UNIX) {
        if (!m.control)
            err = -EFAULT;
        else if (!(err = socket_control_from_user(s, m.control, m.controllen)) && has_to)
            err = sockaddr_parse(s, abuf, m.namelen, &to);
    } else if (m.controllen && s->domain == AF_INET6 && s->type == SOCK_DGRAM) {
        if (!(err = socket_inet6_control_from_user(s, m.control, m.controllen)) && has_to)
            err = sockaddr_parse(s, abuf, m.namelen, &to);
    } else if (m.controllen)
        err = -EINVAL;          /* no IPv4 ancillary data (IP_PKTINFO, ...) is understood yet */
    else if (has_to)
        err = sockaddr_parse(s, abuf, m.namelen, &to);
    int64_t r = err ? err : send_common(s, iov, m.iovlen, flags, has_to ? &to : NULL);
    unix_rights_free(s->send_rights);  /* nothing was queued to carry them */
    s->send_rights = NULL;
    s->has_send_cred = false;
    s->send_hoplimit = s->send_tclass = -1;
    uint64_t total = 0;
    for (uint64_t i = 0; i < m.iovlen; i++)
        total += iov[i].iov_len;
    *partial = r >= 0 && (uint64_t)r < total;
    kfree(iov);
    return r;
}

SYSCALL(sendmsg)
{
    int err;
    bool partial;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    return socket_sendmsg(s, a1, (int)a2, &partial);
}

/* One recvmsg into the msghdr at umsg (its namelen, controllen and flags written back): bytes
 * received or an error. */
int64_t socket_recvmsg(struct socket *s, uint64_t umsg, int flags)
{
    int err;
    struct linux_msghdr m;
    struct linux_iovec *iov;
    struct sock_addr from;
    bool truncated = false;
    if (copy_from_user(&m, umsg, sizeof(m)))
        return -EFAULT;
    if ((err = iov_from_user(&m, &iov)))
        return err;
    if ((flags & MSG_ERRQUEUE) && s->domain != AF_UNIX) {
        int64_t n = socket_errqueue_recvmsg(s, umsg, &m, iov);
        kfree(iov);
        return n;
    }
    s->recv_wants_rights = s->domain == AF_UNIX;
    int64_t n = recv_common(s, iov, m.iovlen, flags & ~MSG_CMSG_CLOEXEC, &from, &truncated);
    s->recv_wants_rights = false;
    kfree(iov);
    int32_t namelen = 0, mflags = truncated ? MSG_TRUNC : 0;
    int64_t controllen = socket_control_to_user(s, &m, n >= 0, flags & MSG_CMSG_CLOEXEC, &mflags);
    if (n < 0)
        return n;
    if (controllen < 0)
        return controllen;
    if (m.name && socket_is_datagram(s)) {
        uint8_t buf[MAX_SOCK_ADDR];
        int klen = sockaddr_format(s, &from, buf);
        if (m.namelen < 0)
            return -EINVAL;
        if (copy_to_user(m.name, buf, klen < m.namelen ? klen : m.namelen))
            return -EFAULT;
        namelen = klen;
    }
    if (copy_to_user(umsg + offsetof(struct linux_msghdr, namelen), &namelen, sizeof(namelen)) ||
        copy_to_user(umsg + offsetof(struct linux_msghdr, controllen), &controllen, sizeof(controllen)) ||
        copy_to_user(umsg + offsetof(struct linux_msghdr, flags), &mflags, sizeof(mflags)))
        return -EFAULT;
    return n;
}

SYSCALL(recvmsg)
{
    int err;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    return socket_recvmsg(s, a1, (int)a2);
}
