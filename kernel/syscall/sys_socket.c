/* The BSD socket syscalls for AF_INET, AF_INET6 and AF_UNIX: the Linux ABI (sockaddr_in/_in6, msghdr,
 * option values) in, Linux's argument checks in Linux's order, then the socket layer
 * (kernel/net/socket.c) does the work. */
#include "kernel.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "socket.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "linux_abi.h"
#include <string.h>

#define MAX_TCP_KEEPIDLE  32767
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT   127
#define SOCK_MIN_RCVBUF 2304
#define SOCK_MIN_SNDBUF 4608
#define SYSCTL_MEM_MAX  212992
#define MAX_SOCK_ADDR  128
#define IO_CHUNK       65536
#define NSEC           1000000000UL

static struct process *proc(void) { return current_process(); }
static int64_t unix_socket_call(int type, int flags, int protocol, uint64_t *ufds);

/* sockfd_lookup: EBADF for no descriptor, ENOTSOCK for another kind of file. */
static struct socket *sock_get(int fd, int *err)
{
    struct file *f = fd_get(proc(), fd);
    struct socket *s = f ? file_socket(f) : NULL;
    *err = !f ? -EBADF : !s ? -ENOTSOCK : 0;
    return s;
}

struct sockaddr_in_k { uint16_t family, port; uint32_t addr; uint8_t zero[8]; };
struct sockaddr_in6_k { uint16_t family, port; uint32_t flowinfo; uint8_t addr[16]; uint32_t scope_id; };

static uint16_t swap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }

/* move_addr_to_kernel */
static int addr_from_user(uint64_t uaddr, int64_t len, uint8_t *buf)
{
    if (len < 0 || len > MAX_SOCK_ADDR)
        return -EINVAL;
    if (len && copy_from_user(buf, uaddr, len))
        return -EFAULT;
    return 0;
}

/* A sockaddr of the socket's family as an lwIP address. For AF_INET6, :: means both families
 * (unless IPV6_V6ONLY) and ::ffff:a.b.c.d the IPv4 address, as Linux's dual-stack sockets. */
/* sockaddr_un: a pathname ends at its first NUL (or the length given); an abstract name (leading
 * NUL) is every byte given. Just the family: no name (autobind). */
static int parse_unix(const uint8_t *buf, int64_t len, struct sock_addr *a)
{
    uint16_t family;
    if (len < 2 || len > 110)
        return -EINVAL;
    memcpy(&family, buf, sizeof(family));
    if (family != AF_UNIX)
        return -EINVAL;
    const char *path = (const char *)buf + 2;
    size_t n = (size_t)len - 2;
    if (n && path[0])
        n = strnlen(path, n);
    memcpy(a->un.path, path, n);
    a->un.len = (uint8_t)n;
    return 0;
}

static int parse_addr(struct socket *s, const uint8_t *buf, int64_t len, struct sock_addr *a)
{
    uint16_t family;
    memset(a, 0, sizeof(*a));
    if (s->domain == AF_UNIX)
        return parse_unix(buf, len, a);
    memcpy(&family, buf, sizeof(family));
    if (s->domain == AF_INET) {
        struct sockaddr_in_k in;
        if (len < (int64_t)sizeof(in))
            return -EINVAL;
        memcpy(&in, buf, sizeof(in));
        if (family != AF_INET && !(family == AF_UNSPEC && in.addr == 0))
            return -EAFNOSUPPORT;
        ip_addr_set_ip4_u32_val(a->ip, in.addr);
        a->port = swap16(in.port);
        return 0;
    }
    struct sockaddr_in6_k in6;
    memset(&in6, 0, sizeof(in6));
    if (len < 24)
        return -EINVAL;
    memcpy(&in6, buf, len < (int64_t)sizeof(in6) ? (size_t)len : sizeof(in6));
    if (family != AF_INET6)
        return -EAFNOSUPPORT;
    a->port = swap16(in6.port);
    static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const uint8_t any[16];
    if (!memcmp(in6.addr, mapped, 12)) {
        if (s->v6only)
            return -EINVAL;
        uint32_t v4;
        memcpy(&v4, in6.addr + 12, 4);
        ip_addr_set_ip4_u32_val(a->ip, v4);
    } else if (!memcmp(in6.addr, any, 16) && !s->v6only) {
        ip_addr_copy(a->ip, *IP_ANY_TYPE);
    } else {
        uint32_t w[4];
        memcpy(w, in6.addr, 16);
        IP_ADDR6(&a->ip, w[0], w[1], w[2], w[3]);
        ip6_addr_set_zone(ip_2_ip6(&a->ip), (u8_t)in6.scope_id);
    }
    return 0;
}

/* The socket's sockaddr for an address: IPv4 addresses appear v4-mapped on AF_INET6 sockets. */
static int format_addr(struct socket *s, const struct sock_addr *a, uint8_t *buf)
{
    if (s->domain == AF_UNIX) {    /* Linux counts a pathname's terminating NUL */
        uint16_t family = AF_UNIX;
        memcpy(buf, &family, 2);
        memcpy(buf + 2, a->un.path, a->un.len);
        bool pathname = a->un.len && a->un.path[0];
        if (pathname)
            buf[2 + a->un.len] = 0;
        return 2 + a->un.len + (pathname ? 1 : 0);
    }
    if (s->domain == AF_INET) {
        struct sockaddr_in_k in = { AF_INET, swap16(a->port), 0, { 0 } };
        if (IP_IS_V4_VAL(a->ip))
            in.addr = ip4_addr_get_u32(ip_2_ip4(&a->ip));
        memcpy(buf, &in, sizeof(in));
        return sizeof(in);
    }
    struct sockaddr_in6_k in6 = { AF_INET6, swap16(a->port), 0, { 0 }, 0 };
    if (IP_IS_V4_VAL(a->ip) && !ip4_addr_isany_val(*ip_2_ip4(&a->ip))) {
        uint32_t v4 = ip4_addr_get_u32(ip_2_ip4(&a->ip));
        in6.addr[10] = in6.addr[11] = 0xff;
        memcpy(in6.addr + 12, &v4, 4);
    } else if (IP_IS_V6_VAL(a->ip)) {
        memcpy(in6.addr, ip_2_ip6(&a->ip)->addr, 16);
        if (ip6_addr_has_zone(ip_2_ip6(&a->ip)))
            in6.scope_id = ip6_addr_zone(ip_2_ip6(&a->ip));
    }
    memcpy(buf, &in6, sizeof(in6));
    return sizeof(in6);
}

/* move_addr_to_user: copy what fits, report the full length. */
static int addr_to_user(const uint8_t *buf, int klen, uint64_t uaddr, uint64_t ulen)
{
    int len;
    if (copy_from_user(&len, ulen, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (len > klen)
        len = klen;
    if (len && copy_to_user(uaddr, buf, len))
        return -EFAULT;
    return copy_to_user(ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* socket(2) and socketpair(2) share their first checks: the flags in the type argument, then
 * the family's and the type's ranges. */
static int socket_args(int domain, uint64_t type_arg, int *type, int *flags)
{
    *type = (int)type_arg & SOCK_TYPE_MASK;
    *flags = (int)type_arg & ~SOCK_TYPE_MASK;
    if (*flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return -EINVAL;
    if (domain < 0 || domain >= NPROTO)
        return -EAFNOSUPPORT;
    if (*type < 0 || *type >= SOCK_MAX)
        return -EINVAL;
    return 0;
}

SYSCALL(socket)
{
    int domain = (int)a0, type, flags, protocol = (int)a2;
    int64_t bad = socket_args(domain, a1, &type, &flags);
    if (bad)
        return bad;
    if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX)
        return -EAFNOSUPPORT;   /* netlink, packet: not provided */
    if (domain == AF_UNIX)
        return unix_socket_call(type, flags, protocol, NULL);
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    if (protocol != 0 && protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return -EPROTONOSUPPORT;
    struct file *f;
    int err = socket_create(domain, type, protocol ? protocol : (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP),
                            flags & SOCK_NONBLOCK, &f);
    if (err)
        return err;
    int fd = fd_alloc(proc(), f, 0, flags & SOCK_CLOEXEC);
    if (fd < 0)
        file_put(f);
    return fd;
}

/* AF_UNIX sockets: one for socket(2), or a connected pair for socketpair(2) (fds: int[2]). */
static int64_t unix_socket_call(int type, int flags, int protocol, uint64_t *ufds)
{
    if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
        return -ESOCKTNOSUPPORT;
    if (protocol != 0 && protocol != AF_UNIX)
        return -EPROTONOSUPPORT;
    struct file *f[2] = { NULL, NULL };
    int n = ufds ? 2 : 1, fds[2] = { -1, -1 }, err = 0;
    for (int i = 0; i < n && !err; i++)
        err = socket_create(AF_UNIX, type, 0, flags & SOCK_NONBLOCK, &f[i]);
    if (!err && ufds)
        unix_socket_pair(file_socket(f[0]), file_socket(f[1]));
    for (int i = 0; i < n && !err; i++)
        if ((fds[i] = fd_alloc(proc(), f[i], 0, flags & SOCK_CLOEXEC)) < 0)
            err = fds[i];
    if (!err && ufds && copy_to_user(*ufds, fds, sizeof(fds)))
        err = -EFAULT;
    if (err) {
        for (int i = 0; i < n; i++) {
            if (fds[i] >= 0)
                proc()->fds[fds[i]] = NULL;
            if (f[i])
                file_put(f[i]);
        }
        return err;
    }
    return ufds ? 0 : fds[0];
}

SYSCALL(socketpair)
{
    int domain = (int)a0, type, flags;
    int64_t bad = socket_args(domain, a1, &type, &flags);
    if (bad)
        return bad;
    if (domain == AF_INET || domain == AF_INET6)
        return -EOPNOTSUPP;            /* Linux: only AF_UNIX makes pairs */
    if (domain != AF_UNIX)
        return -EAFNOSUPPORT;
    uint64_t ufds = a3;
    return unix_socket_call(type, flags, (int)a2, &ufds);
}

SYSCALL(bind)
{
    int err;
    uint8_t buf[MAX_SOCK_ADDR];
    struct sock_addr a;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if ((err = addr_from_user(a1, (int)a2, buf)))
        return err;
    if ((err = parse_addr(s, buf, (int)a2, &a)))
        return err;
    return s->proto->bind(s, &a);
}

SYSCALL(listen)
{
    int err;
    struct socket *s = sock_get((int)a0, &err);
    return s ? s->proto->listen(s, (int)a1) : err;
}

static int64_t do_accept(int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
    int err;
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return -EINVAL;
    struct socket *s = sock_get(fd, &err), *n;
    if (!s)
        return err;
    if ((err = s->proto->accept(s, &n)))
        return err;
    struct file *f = socket_file(n, flags & SOCK_NONBLOCK);
    if (!f) {
        n->proto->release(n);
        socket_rx_free(n);
        kfree(n);
        return -ENFILE;
    }
    if (uaddr) {
        uint8_t buf[MAX_SOCK_ADDR];
        struct sock_addr a;
        n->proto->name(n, true, &a);
        if ((err = addr_to_user(buf, format_addr(n, &a, buf), uaddr, ulen))) {
            file_put(f);
            return err;
        }
    }
    int newfd = fd_alloc(proc(), f, 0, flags & SOCK_CLOEXEC);
    if (newfd < 0)
        file_put(f);
    return newfd;
}

SYSCALL(accept) { return do_accept((int)a0, a1, a2, 0); }
SYSCALL(accept4) { return do_accept((int)a0, a1, a2, (int)a3); }

SYSCALL(connect)
{
    int err;
    uint8_t buf[MAX_SOCK_ADDR];
    struct sock_addr a;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if ((err = addr_from_user(a1, (int)a2, buf)))
        return err;
    if ((int)a2 < 2)
        return -EINVAL;
    uint16_t family;
    memcpy(&family, buf, sizeof(family));
    if (family == AF_UNSPEC && s->type == SOCK_DGRAM)
        return s->proto->connect(s, NULL);
    if ((err = parse_addr(s, buf, (int)a2, &a)))
        return err;
    return s->proto->connect(s, &a);
}

static int64_t do_name(int fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
    int err;
    struct sock_addr a;
    uint8_t buf[MAX_SOCK_ADDR];
    struct socket *s = sock_get(fd, &err);
    if (!s)
        return err;
    socket_pump();
    if ((err = s->proto->name(s, peer, &a)))
        return err;
    return addr_to_user(buf, format_addr(s, &a, buf), uaddr, ulen);
}

SYSCALL(getsockname) { return do_name((int)a0, a1, a2, false); }
SYSCALL(getpeername) { return do_name((int)a0, a1, a2, true); }

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
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    bool has_to = a4 && s->type == SOCK_DGRAM;
    if (a4 && (err = addr_from_user(a4, (int)a5, abuf)))
        return err;
    if (has_to && (err = parse_addr(s, abuf, (int)a5, &to)))
        return err;
    struct linux_iovec iov = { a1, a2 };
    return send_common(s, &iov, 1, (int)a3, has_to ? &to : NULL);
}

SYSCALL(recvfrom)
{
    int err;
    struct sock_addr from;
    bool truncated;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    struct linux_iovec iov = { a1, a2 };
    int64_t n = recv_common(s, &iov, 1, (int)a3, &from, &truncated);
    if (n >= 0 && a4) {
        uint8_t buf[MAX_SOCK_ADDR];
        int klen = s->type == SOCK_DGRAM ? format_addr(s, &from, buf) : 0;
        if ((err = addr_to_user(buf, klen, a4, a5)))
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

SYSCALL(sendmsg)
{
    int err;
    struct linux_msghdr m;
    struct linux_iovec *iov;
    uint8_t abuf[MAX_SOCK_ADDR];
    struct sock_addr to;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if (copy_from_user(&m, a1, sizeof(m)))
        return -EFAULT;
    bool has_to = m.name && s->type == SOCK_DGRAM;
    if (m.name && (err = addr_from_user(m.name, m.namelen, abuf)))
        return err;
    if ((err = iov_from_user(&m, &iov)))
        return err;
    if (m.controllen && s->domain == AF_UNIX) {
        static bool logged;     /* SCM_RIGHTS, SCM_CREDENTIALS: nothing to pass them with yet */
        if (!logged) {
            logged = true;
            kinfo("sendmsg: AF_UNIX ancillary data (SCM_RIGHTS) not supported, returning EOPNOTSUPP\n");
        }
        err = -EOPNOTSUPP;
    } else if (m.controllen)
        err = -EINVAL;          /* no ancillary data (IP_PKTINFO, ...) is understood yet */
    else if (has_to)
        err = parse_addr(s, abuf, m.namelen, &to);
    int64_t r = err ? err : send_common(s, iov, m.iovlen, (int)a2, has_to ? &to : NULL);
    kfree(iov);
    return r;
}

SYSCALL(recvmsg)
{
    int err;
    struct linux_msghdr m;
    struct linux_iovec *iov;
    struct sock_addr from;
    bool truncated = false;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if (copy_from_user(&m, a1, sizeof(m)))
        return -EFAULT;
    if ((err = iov_from_user(&m, &iov)))
        return err;
    int64_t n = recv_common(s, iov, m.iovlen, (int)a2, &from, &truncated);
    kfree(iov);
    if (n < 0)
        return n;
    int32_t namelen = 0, flags = truncated ? MSG_TRUNC : 0;
    if (m.name && s->type == SOCK_DGRAM) {
        uint8_t buf[MAX_SOCK_ADDR];
        int klen = format_addr(s, &from, buf);
        if (m.namelen < 0)
            return -EINVAL;
        if (copy_to_user(m.name, buf, klen < m.namelen ? klen : m.namelen))
            return -EFAULT;
        namelen = klen;
    }
    uint64_t controllen = 0;
    if (copy_to_user(a1 + offsetof(struct linux_msghdr, namelen), &namelen, sizeof(namelen)) ||
        copy_to_user(a1 + offsetof(struct linux_msghdr, controllen), &controllen, sizeof(controllen)) ||
        copy_to_user(a1 + offsetof(struct linux_msghdr, flags), &flags, sizeof(flags)))
        return -EFAULT;
    return n;
}

SYSCALL(shutdown)
{
    int err;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if ((int)a1 < SHUT_RD || (int)a1 > SHUT_RDWR)
        return -EINVAL;
    return s->proto->shutdown(s, (int)a1);
}

/* Linux's sock_setsockopt for the buffer sizes: doubled (room for bookkeeping), bounded. */
static int buffer_size(int v, int min)
{
    if (v > SYSCTL_MEM_MAX)
        v = SYSCTL_MEM_MAX;
    if (v < 0)
        v = 0;
    return 2 * v > min ? 2 * v : min;
}

SYSCALL(setsockopt)
{
    int err, v;
    int level = (int)a1, name = (int)a2, len = (int)a4;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if (len < 0)
        return -EINVAL;
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        struct linux_timeval tv;
        if (len < (int)sizeof(tv))
            return -EINVAL;
        if (copy_from_user(&tv, a3, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EDOM;
        uint64_t ns = tv.tv_sec < 0 ? 0 : (uint64_t)tv.tv_sec * NSEC + (uint64_t)tv.tv_usec * 1000;
        *(name == SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns) = ns;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        struct { int32_t onoff, linger; } l;
        if (len < (int)sizeof(l))
            return -EINVAL;
        if (copy_from_user(&l, a3, sizeof(l)))
            return -EFAULT;
        s->linger = l.onoff != 0;
        if (l.onoff)
            s->linger_sec = l.linger < 0 ? 0 : l.linger;
        return 0;
    }
    if (len < (int)sizeof(int))
        return -EINVAL;
    if (copy_from_user(&v, a3, sizeof(v)))
        return -EFAULT;
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_REUSEADDR: s->reuseaddr = v != 0; return 0;
        case SO_REUSEPORT: s->reuseport = v != 0; return 0;
        case SO_KEEPALIVE:
            s->keepalive = v != 0;
            s->proto->apply_options(s);
            return 0;
        case SO_BROADCAST: s->broadcast = v != 0; return 0;
        case SO_RCVBUF: s->rcvbuf = buffer_size(v, SOCK_MIN_RCVBUF); return 0;
        case SO_SNDBUF: s->sndbuf = buffer_size(v, SOCK_MIN_SNDBUF); return 0;
        default: return -ENOPROTOOPT;
        }
    }
    if (level == IPPROTO_TCP) {
        if (s->type != SOCK_STREAM)
            return -ENOPROTOOPT;
        switch (name) {
        case TCP_NODELAY:
            s->nodelay = v != 0;
            break;
        case TCP_KEEPIDLE:
            if (v < 1 || v > MAX_TCP_KEEPIDLE)
                return -EINVAL;
            s->keepidle = v;
            break;
        case TCP_KEEPINTVL:
            if (v < 1 || v > MAX_TCP_KEEPINTVL)
                return -EINVAL;
            s->keepintvl = v;
            break;
        case TCP_KEEPCNT:
            if (v < 1 || v > MAX_TCP_KEEPCNT)
                return -EINVAL;
            s->keepcnt = v;
            break;
        default:
            return -ENOPROTOOPT;
        }
        s->proto->apply_options(s);
        return 0;
    }
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_V6ONLY) {
        if (s->bound)
            return -EINVAL;
        s->v6only = v != 0;
        return 0;
    }
    return -ENOPROTOOPT;
}

SYSCALL(getsockopt)
{
    int err, len, v;
    int level = (int)a1, name = (int)a2;
    struct socket *s = sock_get((int)a0, &err);
    if (!s)
        return err;
    if (copy_from_user(&len, a4, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
        struct linux_timeval tv = { (int64_t)(ns / NSEC), (int64_t)(ns % NSEC / 1000) };
        if (len > (int)sizeof(tv))
            len = sizeof(tv);
        if (copy_to_user(a3, &tv, len) || copy_to_user(a4, &len, sizeof(len)))
            return -EFAULT;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_PEERCRED) {
        /* A socketpair or connection inside this process: ourselves. Other families have no
         * peer process: Linux answers pid 0 and the overflow ids. */
        struct { int32_t pid; uint32_t uid, gid; } cred = { proc()->pid, 0, 0 };
        if (s->domain != AF_UNIX)
            cred.pid = 0, cred.uid = cred.gid = 65534;
        if (len > (int)sizeof(cred))
            len = sizeof(cred);
        if (copy_to_user(a3, &cred, len) || copy_to_user(a4, &len, sizeof(len)))
            return -EFAULT;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_LINGER) {
        struct { int32_t onoff, linger; } l = { s->linger, s->linger_sec };
        if (len > (int)sizeof(l))
            len = sizeof(l);
        if (copy_to_user(a3, &l, len) || copy_to_user(a4, &len, sizeof(len)))
            return -EFAULT;
        return 0;
    }
    socket_pump();
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_REUSEADDR: v = s->reuseaddr; break;
        case SO_REUSEPORT: v = s->reuseport; break;
        case SO_KEEPALIVE: v = s->keepalive; break;
        case SO_BROADCAST: v = s->broadcast; break;
        case SO_TYPE: v = s->type; break;
        case SO_PROTOCOL: v = s->protocol; break;
        case SO_DOMAIN: v = s->domain; break;
        case SO_RCVBUF: v = s->rcvbuf; break;
        case SO_SNDBUF: v = s->sndbuf; break;
        case SO_ACCEPTCONN: v = s->type != SOCK_DGRAM && s->state == SOCKET_LISTENING; break;
        case SO_PASSCRED: v = 0; break;
        case SO_ERROR: v = -s->error; s->error = 0; break;
        default: return -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_NODELAY) {
        v = s->nodelay;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPIDLE) {
        v = s->keepidle;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPINTVL) {
        v = s->keepintvl;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPCNT) {
        v = s->keepcnt;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_V6ONLY) {
        v = s->v6only;
    } else {
        return -ENOPROTOOPT;
    }
    if (len > (int)sizeof(v))
        len = sizeof(v);
    if (copy_to_user(a3, &v, len) || copy_to_user(a4, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}
