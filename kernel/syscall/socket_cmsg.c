/* Control messages (ancillary data) of sendmsg and recvmsg, as Linux's net/core/scm.c and
 * the protocols' recv_error handle them: SCM_RIGHTS and SCM_CREDENTIALS on AF_UNIX (in from
 * sendmsg, out to recvmsg in scm_recv's order), and the IP_RECVERR / IPV6_RECVERR message of
 * recvmsg(MSG_ERRQUEUE). */
#include "kernel.h"
#include "linux_abi.h"
#include "process.h"
#include "file.h"
#include "socket.h"
#include "socket_cmsg.h"
#include "sockaddr.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include <string.h>

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
int socket_control_from_user(struct socket *s, uint64_t control, uint64_t controllen)
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

/* recvmsg with SO_PASSCRED: the credentials of what was read, first among the control
 * messages, as Linux's scm_recv puts them. The control length used, or an error. */
static int64_t cred_to_user(struct socket *s, const struct linux_msghdr *m, int32_t *flags)
{
    if (!s->passcred || !s->has_recv_cred)
        return 0;
    struct unix_cred c = s->recv_cred;
    if (c.uid == (uint32_t)-1)
        c.uid = OVERFLOW_ID;
    if (c.gid == (uint32_t)-1)
        c.gid = OVERFLOW_ID;
    return put_cmsg(m, SOL_SOCKET, SCM_CREDENTIALS, &c, sizeof(c), flags);
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

static int64_t inet6_control_to_user(struct socket *s, const struct linux_msghdr *m, int32_t *flags);

/* What a recvmsg that read (or failed: no credentials then) hands back as control data:
 * SCM_CREDENTIALS, then SCM_RIGHTS. The control length used, or an error. */
int64_t socket_control_to_user(struct socket *s, const struct linux_msghdr *m, bool read, bool cloexec, int32_t *flags)
{
    if (read && s->domain == AF_INET6)
        return inet6_control_to_user(s, m, flags);
    int64_t credlen = read ? cred_to_user(s, m, flags) : 0;
    if (credlen < 0)
        return credlen;
    int64_t rights = rights_to_user(s, m, (uint64_t)credlen, cloexec, flags);
    return rights < 0 ? rights : credlen + rights;
}

#define SOL_IP_ 0                      /* IPPROTO_IP as a control message level */

/* recvmsg(MSG_ERRQUEUE) on an inet socket, as Linux's ip_recv_error / ipv6_recv_error: the
 * oldest queued ICMP error's quoted payload, the address the datagram went to as the name, an
 * IP_RECVERR (IPV6_RECVERR on AF_INET6) control message holding the sock_extended_err and the
 * ICMP sender's address, and MSG_ERRQUEUE in the flags; EAGAIN when the queue is empty. */
int64_t socket_errqueue_recvmsg(struct socket *s, uint64_t umsg, const struct linux_msghdr *m,
                                const struct linux_iovec *iov)
{
    struct sock_err *e = sock_errqueue_pop(s);
    if (!e)
        return -EAGAIN;
    bool truncated;
    int32_t mflags = MSG_ERRQUEUE, namelen = 0;
    int64_t n = socket_scatter(iov, m->iovlen, e->payload, e->len, &truncated);
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

/* An AF_INET6 datagram sendmsg's control data, as Linux's ip6_datagram_send_ctl walks it: every
 * message must fit; SOL_SOCKET's SCM_RIGHTS and SCM_CREDENTIALS are ignored (__sock_cmsg_send),
 * other levels skipped; IPV6_HOPLIMIT and IPV6_TCLASS (one int, -1 to 255) set this datagram's
 * hop limit and traffic class (s->send_hoplimit, s->send_tclass; -1: the socket's). The IPv6
 * options we do not implement (packet info, extension headers, SO_MARK, ...) are EOPNOTSUPP,
 * logged once; a type Linux does not know is EINVAL. */
int socket_inet6_control_from_user(struct socket *s, uint64_t control, uint64_t controllen)
{
    enum { SO_MARK_ = 36, SO_TIMESTAMPING_OLD_ = 37, SCM_TXTIME_ = 61, IPV6_2292HOPLIMIT_ = 8 };
    for (uint64_t off = 0; off + sizeof(struct cmsg_header) <= controllen;) {
        struct cmsg_header h;
        if (copy_from_user(&h, control + off, sizeof(h)))
            return -EFAULT;
        if (h.len < sizeof(h) || h.len > controllen - off)
            return -EINVAL;
        uint64_t at = control + off + sizeof(h);
        off += CMSG_ALIGN8(h.len);
        if (h.level == SOL_SOCKET) {
            if (h.type == SCM_RIGHTS || h.type == SCM_CREDENTIALS)
                continue;
            if (h.type != SO_MARK_ && h.type != SO_TIMESTAMPING_OLD_ && h.type != SCM_TXTIME_)
                return -EINVAL;
        } else if (h.level != IPPROTO_IPV6) {
            continue;
        } else if (h.type == IPV6_HOPLIMIT || h.type == IPV6_2292HOPLIMIT_ || h.type == IPV6_TCLASS) {
            int32_t v;
            if (h.len != sizeof(h) + sizeof(v))
                return -EINVAL;
            if (copy_from_user(&v, at, sizeof(v)))
                return -EFAULT;
            if (v < -1 || v > 0xff)
                return -EINVAL;
            *(h.type == IPV6_TCLASS ? &s->send_tclass : &s->send_hoplimit) = v;
            continue;
        } else if (!(h.type >= 2 && h.type <= 7) && h.type != 11 && h.type != 50 && h.type != 54 &&
                   h.type != 55 && h.type != 57 && h.type != 59 && h.type != 62) {
            return -EINVAL;            /* not one of ip6_datagram_send_ctl's cases */
        }
        static bool logged;
        if (!logged) {
            logged = true;
            kinfo("sendmsg: IPv6 control message level %d type %d not supported, returning EOPNOTSUPP\n", h.level, h.type);
        }
        return -EOPNOTSUPP;
    }
    return 0;
}

/* recvmsg on an AF_INET6 datagram socket: the IPV6_HOPLIMIT and then the IPV6_TCLASS of an
 * IPv6 datagram that was read, when asked for (ip6_datagram_recv_specific_ctl's order). The
 * control length used, or an error. */
static int64_t inet6_control_to_user(struct socket *s, const struct linux_msghdr *m, int32_t *flags)
{
    if (s->domain != AF_INET6 || s->type != SOCK_DGRAM || !s->recv_ip6)
        return 0;
    int64_t used = 0;
    struct linux_msghdr rest = *m;
    for (int i = 0; i < 2; i++) {
        bool want = i == 0 ? s->recvhoplimit : s->recvtclass;
        int32_t v = i == 0 ? s->recv_hoplimit : s->recv_tclass;
        if (!want)
            continue;
        int64_t n = put_cmsg(&rest, IPPROTO_IPV6, i == 0 ? IPV6_HOPLIMIT : IPV6_TCLASS, &v, sizeof(v), flags);
        if (n < 0)
            return n;
        used += n;
        rest.control += (uint64_t)n;
        rest.controllen -= (uint64_t)n;
    }
    return used;
}
