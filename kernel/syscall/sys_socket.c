/* The socket lifecycle calls for AF_INET, AF_INET6 and AF_UNIX: socket, socketpair, bind, listen,
 * accept, connect, getsockname/getpeername, shutdown. Linux's argument checks in Linux's order,
 * then the socket layer (kernel/net/socket.c) does the work. Data moves in sys_socket_io.c,
 * options in sys_sockopt.c, addresses through net/sockaddr.c. */
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
#include "net.h"
#include "netlink.h"
#include <string.h>

static struct process *proc(void) { return current_process(); }
static int64_t unix_socket_call(int type, int flags, int protocol, uint64_t *ufds);

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
    if (domain == AF_NETLINK)
        return netlink_socket_call(type, flags, protocol);
    if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX)
        return -EAFNOSUPPORT;   /* packet sockets: not provided */
    if (domain == AF_UNIX)
        return unix_socket_call(type, flags, protocol, NULL);
    if (protocol < 0 || protocol >= IPPROTO_MAX)
        return -EINVAL;            /* inet_create's range check comes before the type's */
    if (type != SOCK_STREAM && type != SOCK_DGRAM)
        return -ESOCKTNOSUPPORT;
    /* Linux's inetsw: TCP for streams; UDP and UDP-Lite for datagrams. */
    if (protocol != 0 && protocol != (type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP) &&
        !(type == SOCK_DGRAM && protocol == IPPROTO_UDPLITE))
        return -EPROTONOSUPPORT;
    net_ready();   /* lwIP up, and the first inet socket finds the address DHCP was asked for */
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
    if (type == SOCK_RAW)
        type = SOCK_DGRAM;         /* Linux's unix_create takes SOCK_RAW as SOCK_DGRAM */
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
                fd_forget(proc(), fds[i]);
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
    if (domain == AF_NETLINK)          /* netlink_create's checks, then sock_no_socketpair */
        return netlink_socket_check(type, (int)a2) ?: -EOPNOTSUPP;
    if (domain != AF_UNIX)
        return -EAFNOSUPPORT;
    uint64_t ufds = a3;
    return unix_socket_call(type, flags, (int)a2, &ufds);
}

/* bind and connect: the socket at fd, and the sockaddr passed with it copied into buf. */
static struct socket *socket_and_addr(int fd, uint64_t uaddr, int len, uint8_t *buf, int *err)
{
    struct socket *s = sockfd_lookup(fd, err);
    if (s && (*err = sockaddr_from_user(uaddr, len, buf)))
        return NULL;
    return s;
}

SYSCALL(bind)
{
    int err;
    uint8_t buf[MAX_SOCK_ADDR];
    struct sock_addr a;
    struct socket *s = socket_and_addr((int)a0, a1, (int)a2, buf, &err);
    if (!s)
        return err;
    if ((err = sockaddr_parse(s, buf, (int)a2, &a)))
        return err;
    return s->proto->bind(s, &a);
}

SYSCALL(listen)
{
    int err;
    struct socket *s = sockfd_lookup((int)a0, &err);
    return s ? s->proto->listen(s, (int)a1) : err;
}

static int64_t do_accept(int fd, uint64_t uaddr, uint64_t ulen, int flags)
{
    int err;
    if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
        return -EINVAL;
    struct socket *s = sockfd_lookup(fd, &err), *n;
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
        if ((err = sockaddr_to_user(buf, sockaddr_format(n, &a, buf), uaddr, ulen))) {
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
    struct socket *s = socket_and_addr((int)a0, a1, (int)a2, buf, &err);
    if (!s)
        return err;
    if ((int)a2 < 2)
        return -EINVAL;
    uint16_t family;
    memcpy(&family, buf, sizeof(family));
    if (family == AF_UNSPEC && socket_is_datagram(s))
        return s->proto->connect(s, NULL);
    if ((err = sockaddr_parse(s, buf, (int)a2, &a)))
        return err;
    return s->proto->connect(s, &a);
}

static int64_t do_name(int fd, uint64_t uaddr, uint64_t ulen, bool peer)
{
    int err;
    struct sock_addr a;
    uint8_t buf[MAX_SOCK_ADDR];
    struct socket *s = sockfd_lookup(fd, &err);
    if (!s)
        return err;
    socket_pump();
    if ((err = s->proto->name(s, peer, &a)))
        return err;
    return sockaddr_to_user(buf, sockaddr_format(s, &a, buf), uaddr, ulen);
}

SYSCALL(getsockname) { return do_name((int)a0, a1, a2, false); }
SYSCALL(getpeername) { return do_name((int)a0, a1, a2, true); }

SYSCALL(shutdown)
{
    int err;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    if ((int)a1 < SHUT_RD || (int)a1 > SHUT_RDWR)
        return -EINVAL;
    return s->proto->shutdown(s, (int)a1);
}
