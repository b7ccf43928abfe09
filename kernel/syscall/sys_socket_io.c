/* Data through sockets: sendto/recvfrom, sendmsg/recvmsg (msghdr; SCM_RIGHTS only; the batched
 * forms are in sys_socket_mmsg.c), and readv/writev on a socket; a stream's send is gathered into one operation, as Linux does. */
#include "kernel.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "socket.h"
#include "sockaddr.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>

#define IO_CHUNK 65536

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
    if (s->type == SOCK_DGRAM) {
        if (total > 65535)
            return -EMSGSIZE;
        char *buf = kmalloc(total ? total : 1);
        uint64_t off = 0;
        if (!buf)
            return -ENOMEM;
        for (uint64_t i = 0; i < iovcnt; off += iov[i].iov_len, i++)
            if (iov[i].iov_len && copy_from_user(buf + off, iov[i].iov_base, iov[i].iov_len)) {
                kfree(buf);
                return -EFAULT;
            }
        int64_t r = s->proto->send(s, buf, total, flags, to);
        kfree(buf);
        return r;
    }
    char *buf = kmalloc(IO_CHUNK);
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
            kfree(buf);
            return done ? done : r;
        }
        done += r;
        if ((uint64_t)r < fill)
            break;
    }
    if (fault && !done) {
        kfree(buf);
        return -EFAULT;
    }
    kfree(buf);
    return done;
}

/* len bytes of buf into the vectors: the bytes copied (*truncated when they did not all fit). */
static int64_t scatter(const struct linux_iovec *iov, uint64_t iovcnt, const uint8_t *buf, uint64_t len, bool *truncated)
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
        int64_t n = scatter(iov, iovcnt, e->payload, e->len, truncated);
        kfree(e);
        return n;
    }
    uint64_t cap = s->type == SOCK_DGRAM ? 65536 : IO_CHUNK;
    uint64_t want = total < cap ? total : cap;
    char *buf = kmalloc(want ? want : 1);
    if (!buf)
        return -ENOMEM;
    int64_t n = s->proto->recv(s, buf, want, flags, from, truncated);
    if (n > 0) {
        uint64_t left = (uint64_t)n < want ? (uint64_t)n : want, off = 0;
        for (uint64_t i = 0; i < iovcnt && left; i++) {
            uint64_t c = iov[i].iov_len < left ? iov[i].iov_len : left;
            if (copy_to_user(iov[i].iov_base, buf + off, c)) {
                kfree(buf);
                return -EFAULT;
            }
            off += c;
            left -= c;
        }
    }
    kfree(buf);
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
    bool has_to = a4 && s->type == SOCK_DGRAM;
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
        int klen = s->type == SOCK_DGRAM ? sockaddr_format(s, &from, buf) : 0;
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

/* Linux's cmsghdr: the length of header and data, then level and type; each one starts
 * 8-byte aligned. */
struct cmsg_header {
    uint64_t len;
    int32_t level, type;
};
#define CMSG_ALIGN8(n) (((n) + 7) & ~7UL)

/* Linux's scm_check_creds and __scm_send: a process may claim its own pid and any of its ids;
 * root (CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID) any; the pid must exist, the ids be valid. */
static int check_cred(const struct unix_cred *c)
{
    const struct creds *me = &current_process()->cred;
    bool root = me->euid == 0;
    if (!((c->pid == current_process()->pid || root) &&
          (c->uid == me->uid || c->uid == me->euid || c->uid == me->suid || root) &&
          (c->gid == me->gid || c->gid == me->egid || c->gid == me->sgid || root)))
        return -EPERM;
    if (c->pid <= 0 || !process_find(c->pid))
        return -ESRCH;
    if (c->uid == (uint32_t)-1 || c->gid == (uint32_t)-1)
        return -EINVAL;
    return 0;
}

/* An AF_UNIX sendmsg's control data: SCM_RIGHTS descriptors become the files the message
 * carries (s->send_rights), SCM_CREDENTIALS the credentials it claims (s->send_cred).
 * Anything else is not supported: EOPNOTSUPP, logged once. */
static int rights_from_user(struct socket *s, uint64_t control, uint64_t controllen)
{
    struct process *p = current_process();
    struct unix_rights *r = NULL;
    for (uint64_t off = 0; off + sizeof(struct cmsg_header) <= controllen;) {
        struct cmsg_header h;
        if (copy_from_user(&h, control + off, sizeof(h)))
            goto fault;
        if (h.len < sizeof(h) || h.len > controllen - off)
            goto invalid;
        if (h.level == SOL_SOCKET && h.type == SCM_CREDENTIALS) {
            struct unix_cred c;
            if (h.len != sizeof(h) + sizeof(c))
                goto invalid;
            if (copy_from_user(&c, control + off + sizeof(h), sizeof(c)))
                goto fault;
            int err = check_cred(&c);
            if (err) {
                unix_rights_free(r);
                return err;
            }
            s->send_cred = c;
            s->has_send_cred = true;
            off += CMSG_ALIGN8(h.len);
            continue;
        }
        if (h.level != SOL_SOCKET || h.type != SCM_RIGHTS) {
            static bool logged;
            if (!logged) {
                logged = true;
                kinfo("sendmsg: AF_UNIX control message level %d type %d not supported, returning EOPNOTSUPP\n", h.level, h.type);
            }
            unix_rights_free(r);
            return -EOPNOTSUPP;
        }
        int n = (int)((h.len - sizeof(h)) / sizeof(int32_t));
        int have = r ? r->count : 0;
        if (n <= 0 || have + n > SCM_MAX_FD)
            goto invalid;
        struct unix_rights *grown = kmalloc(sizeof(*grown) + sizeof(struct file *) * (size_t)(have + n));
        if (!grown) {
            unix_rights_free(r);
            return -ENOMEM;
        }
        grown->count = have;
        if (r)
            memcpy(grown->files, r->files, sizeof(struct file *) * (size_t)have);
        kfree(r);
        r = grown;
        for (int i = 0; i < n; i++) {
            int32_t fd;
            if (copy_from_user(&fd, control + off + sizeof(h) + i * sizeof(fd), sizeof(fd)))
                goto fault;
            struct file *f = fd_get(p, fd);
            if (!f) {
                unix_rights_free(r);
                return -EBADF;
            }
            f->refs++;
            r->files[r->count++] = f;
        }
        off += CMSG_ALIGN8(h.len);
    }
    unix_rights_free(s->send_rights);
    s->send_rights = r;
    return 0;
fault:
    unix_rights_free(r);
    return -EFAULT;
invalid:
    unix_rights_free(r);
    return -EINVAL;
}

#define OVERFLOW_ID 65534              /* Linux's overflowuid/overflowgid: an id that maps to none */

/* recvmsg with SO_PASSCRED: the credentials of what was read, first among the control
 * messages, as Linux's scm_recv puts them (put_cmsg: cut to the room there is, MSG_CTRUNC).
 * The control length used, or an error. */
static int64_t cred_to_user(struct socket *s, const struct linux_msghdr *m, int32_t *flags)
{
    if (!s->passcred || !s->has_recv_cred)
        return 0;
    struct unix_cred c = s->recv_cred;
    if (c.uid == (uint32_t)-1)
        c.uid = OVERFLOW_ID;
    if (c.gid == (uint32_t)-1)
        c.gid = OVERFLOW_ID;
    struct { struct cmsg_header h; struct unix_cred c; } msg = { { sizeof(msg.h) + sizeof(c), SOL_SOCKET, SCM_CREDENTIALS }, c };
    uint64_t len = msg.h.len;
    if (m->controllen < sizeof(msg.h)) {
        *flags |= MSG_CTRUNC;
        return 0;
    }
    if (m->controllen < len) {
        *flags |= MSG_CTRUNC;
        len = msg.h.len = m->controllen;
    }
    if (copy_to_user(m->control, &msg, len))
        return -EFAULT;
    uint64_t space = CMSG_ALIGN8(sizeof(msg.h) + sizeof(c));
    return (int64_t)(m->controllen < space ? m->controllen : space);
}

/* recvmsg: the files the message carried become descriptors in a SCM_RIGHTS control message
 * after `used` bytes of control data, as many as the buffer holds (the rest are closed,
 * MSG_CTRUNC). The control length it takes, or an error. */
static int64_t rights_to_user(struct socket *s, const struct linux_msghdr *m, uint64_t used, bool cloexec, int32_t *flags)
{
    struct unix_rights *r = s->recv_rights;
    s->recv_rights = NULL;
    if (!r)
        return 0;
    uint64_t left = m->controllen - used;
    uint64_t room = left > sizeof(struct cmsg_header) ? (left - sizeof(struct cmsg_header)) / 4 : 0;
    int n = 0;
    int32_t fds[SCM_MAX_FD];
    for (int i = 0; i < r->count; i++) {
        int fd = (uint64_t)n < room ? fd_alloc(current_process(), r->files[i], 0, cloexec) : -1;
        if (fd < 0) {
            file_put(r->files[i]);
            *flags |= MSG_CTRUNC;
            continue;
        }
        fds[n++] = fd;                 /* the reference moves to the descriptor */
    }
    kfree(r);
    if (!n)
        return 0;
    struct cmsg_header h = { sizeof(h) + (uint64_t)n * 4, SOL_SOCKET, SCM_RIGHTS };
    uint64_t at = m->control + used;
    if (copy_to_user(at, &h, sizeof(h)) || copy_to_user(at + sizeof(h), fds, (uint64_t)n * 4))
        return -EFAULT;
    return (int64_t)(CMSG_ALIGN8(h.len) < left ? CMSG_ALIGN8(h.len) : left);   /* CMSG_SPACE, as put_cmsg */
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
    bool has_to = m.name && s->type == SOCK_DGRAM;
    if (m.name && (err = sockaddr_from_user(m.name, m.namelen, abuf)))
        return err;
    if ((err = iov_from_user(&m, &iov)))
        return err;
    if (m.controllen && s->domain == AF_UNIX) {
        if (!m.control)
            err = -EFAULT;
        else if (!(err = rights_from_user(s, m.control, m.controllen)) && has_to)
            err = sockaddr_parse(s, abuf, m.namelen, &to);
    } else if (m.controllen)
        err = -EINVAL;          /* no ancillary data (IP_PKTINFO, ...) is understood yet */
    else if (has_to)
        err = sockaddr_parse(s, abuf, m.namelen, &to);
    int64_t r = err ? err : send_common(s, iov, m.iovlen, flags, has_to ? &to : NULL);
    unix_rights_free(s->send_rights);  /* nothing was queued to carry them */
    s->send_rights = NULL;
    s->has_send_cred = false;
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

/* The control message recvmsg puts for level/type with len bytes of data, cut to the room
 * there is as Linux's put_cmsg cuts it (MSG_CTRUNC): the control length it takes, or an error. */
static int64_t put_cmsg(const struct linux_msghdr *m, int level, int type, const void *data, uint64_t len,
                        int32_t *flags)
{
    uint8_t buf[sizeof(struct cmsg_header) + 64];
    struct cmsg_header h = { sizeof(h) + len, level, type };
    if (len > sizeof(buf) - sizeof(h))
        return -EINVAL;
    if (m->controllen < sizeof(h)) {
        *flags |= MSG_CTRUNC;
        return 0;
    }
    uint64_t n = h.len;
    if (m->controllen < n) {
        *flags |= MSG_CTRUNC;
        n = h.len = m->controllen;
    }
    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), data, len);
    if (copy_to_user(m->control, buf, n))
        return -EFAULT;
    return (int64_t)(m->controllen < CMSG_ALIGN8(sizeof(h) + len) ? m->controllen : CMSG_ALIGN8(sizeof(h) + len));
}

#define SOL_IP_ 0                      /* IPPROTO_IP as a control message level */

/* recvmsg(MSG_ERRQUEUE) on an inet socket, as Linux's ip_recv_error / ipv6_recv_error: the
 * oldest queued ICMP error's quoted payload, the address the datagram went to as the name, an
 * IP_RECVERR (IPV6_RECVERR on AF_INET6) control message holding the sock_extended_err and the
 * ICMP sender's address, and MSG_ERRQUEUE in the flags; EAGAIN when the queue is empty. */
static int64_t errqueue_recvmsg(struct socket *s, uint64_t umsg, const struct linux_msghdr *m,
                                const struct linux_iovec *iov)
{
    struct sock_err *e = sock_errqueue_pop(s);
    if (!e)
        return -EAGAIN;
    bool truncated;
    int32_t mflags = MSG_ERRQUEUE, namelen = 0;
    int64_t n = scatter(iov, m->iovlen, e->payload, e->len, &truncated);
    if (truncated)
        mflags |= MSG_TRUNC;
    uint8_t name[MAX_SOCK_ADDR];
    int klen = sockaddr_format(s, &e->dst, name);
    if (n >= 0 && m->name) {
        if (m->namelen < 0)
            n = -EINVAL;
        else if (copy_to_user(m->name, name, klen < m->namelen ? klen : m->namelen))
            n = -EFAULT;
        namelen = klen;
    }
    struct { uint32_t err; uint8_t origin, type, code, pad; uint32_t info, data; uint8_t offender[28]; } ee = {
        (uint32_t)e->err, e->origin, e->type, e->code, 0, e->info, 0, { 0 } };
    struct sock_addr from = { 0 };
    ip_addr_copy(from.ip, e->offender);
    int olen = sockaddr_format(s, &from, name);
    memcpy(ee.offender, name, (size_t)olen);
    bool v6 = s->domain == AF_INET6;
    int64_t controllen = n < 0 ? 0 : put_cmsg(m, v6 ? IPPROTO_IPV6 : SOL_IP_, v6 ? IPV6_RECVERR : IP_RECVERR, &ee,
                                              offsetof(typeof(ee), offender) + (uint64_t)olen, &mflags);
    kfree(e);
    if (n < 0)
        return n;
    if (controllen < 0)
        return controllen;
    if (copy_to_user(umsg + offsetof(struct linux_msghdr, namelen), &namelen, sizeof(namelen)) ||
        copy_to_user(umsg + offsetof(struct linux_msghdr, controllen), &controllen, sizeof(controllen)) ||
        copy_to_user(umsg + offsetof(struct linux_msghdr, flags), &mflags, sizeof(mflags)))
        return -EFAULT;
    return n;
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
        int64_t n = errqueue_recvmsg(s, umsg, &m, iov);
        kfree(iov);
        return n;
    }
    s->recv_wants_rights = s->domain == AF_UNIX;
    int64_t n = recv_common(s, iov, m.iovlen, flags & ~MSG_CMSG_CLOEXEC, &from, &truncated);
    s->recv_wants_rights = false;
    kfree(iov);
    int32_t namelen = 0, mflags = truncated ? MSG_TRUNC : 0;
    int64_t credlen = n >= 0 ? cred_to_user(s, &m, &mflags) : 0;
    int64_t controllen = credlen < 0 ? credlen : rights_to_user(s, &m, (uint64_t)credlen, flags & MSG_CMSG_CLOEXEC, &mflags);
    if (n < 0)
        return n;
    if (credlen < 0)
        return credlen;
    if (controllen < 0)
        return controllen;
    controllen += credlen;
    if (m.name && s->type == SOCK_DGRAM) {
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
