/* setsockopt/getsockopt: the SOL_SOCKET, IPPROTO_TCP, IPPROTO_IP and IPPROTO_IPV6 options programs set,
 * with Linux's value checks and Linux's rounding (buffer sizes doubled and bounded). */
#include "kernel.h"
#include "timer.h"
#include "linux_abi.h"
#include "syscall.h"
#include "process.h"
#include "file.h"
#include "socket.h"
#include "mm.h"
#include "uaccess.h"
#include "errno.h"
#include "netlink.h"
#include <string.h>
#include "lwip/ip.h"

#define MAX_TCP_KEEPIDLE  32767    /* Linux's include/net/tcp.h limits */
#define MAX_TCP_KEEPINTVL 32767
#define MAX_TCP_KEEPCNT   127
#define SOCK_MIN_RCVBUF   2304
#define SOCK_MIN_SNDBUF   4608
#define SYSCTL_MEM_MAX    212992   /* net.core.rmem_max/wmem_max defaults */
#define TCP_RMEM_MAX      6291456  /* net.ipv4.tcp_rmem[2]'s default */


/* Linux's sock_setsockopt for the buffer sizes: doubled (room for bookkeeping), bounded. */
static int buffer_size(int v, int min)
{
    if (v > SYSCTL_MEM_MAX)
        v = SYSCTL_MEM_MAX;
    if (v < 0)
        v = 0;
    return 2 * v > min ? 2 * v : min;
}

/* Linux's sock_setsockopt and tcp_set_rcvlowat: negative is INT_MAX, 0 is 1; TCP caps it at
 * half the largest receive buffer and grows the buffer (unless set) to hold a window of it. */
static void set_rcvlowat(struct socket *s, int v)
{
    if (v < 0)
        v = INT32_MAX;
    if (s->type == SOCK_STREAM && s->domain != AF_UNIX) {
        int cap = s->rcvbuf_set ? s->rcvbuf >> 1 : TCP_RMEM_MAX >> 1;
        if (v > cap)
            v = cap;
        if (!s->rcvbuf_set && 2 * v > s->rcvbuf)
            s->rcvbuf = 2 * v;
    }
    s->rcvlowat = v ? v : 1;
    socket_wake(s, POLLIN | POLLRDNORM);   /* a lower mark may make what waits readable */
}

SYSCALL(setsockopt)
{
    int err, v;
    int level = (int)a1, name = (int)a2, len = (int)a4;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    if (len < 0)
        return -EINVAL;
    if (s->domain == AF_NETLINK && level != SOL_SOCKET)
        return netlink_setsockopt(s, level, name, a3, len);
    if (s->domain == AF_UNIX && level != SOL_SOCKET)
        return -EOPNOTSUPP;            /* AF_UNIX has no protocol options (no handler on Linux) */
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        struct linux_timeval tv;
        if (len < (int)sizeof(tv))
            return -EINVAL;
        if (copy_from_user(&tv, a3, sizeof(tv)))
            return -EFAULT;
        if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
            return -EDOM;
        uint64_t ns = tv.tv_sec < 0 ? 0 : (uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * 1000;
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
        case SO_OOBINLINE: s->oobinline = v != 0; return 0;
        case SO_RCVBUF:
            s->rcvbuf = buffer_size(v, SOCK_MIN_RCVBUF);
            s->rcvbuf_set = true;
            return 0;
        case SO_RCVLOWAT: set_rcvlowat(s, v); return 0;
        case SO_PASSCRED: s->passcred = v != 0; return 0;
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
        case TCP_CORK:
            s->cork = v != 0;
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
    if (level == IPPROTO_IP && s->domain != AF_UNIX && name == IP_TOS) {
        struct ip_pcb *pcb = s->pcb;   /* every lwIP pcb starts with the IP fields */
        if (s->type == SOCK_STREAM)    /* TCP keeps its ECN bits to itself (Linux's INET_ECN_MASK) */
            v = (v & ~3) | (pcb ? pcb->tos & 3 : 0);
        if (pcb)
            pcb->tos = (u8_t)v;
        return 0;
    }
    if ((level == IPPROTO_UDP || level == IPPROTO_UDPLITE) && s->type == SOCK_DGRAM &&
        (name == UDPLITE_SEND_CSCOV || name == UDPLITE_RECV_CSCOV))
        return udplite_set_coverage(s, name, v);
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVHOPLIMIT) {
        s->recvhoplimit = v != 0;
        return 0;
    }
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVTCLASS) {
        s->recvtclass = v != 0;
        return 0;
    }
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_TCLASS) {
        struct ip_pcb *pcb = s->pcb;   /* lwIP sends pcb->tos as IPv6's traffic class */
        if (v < -1 || v > 0xff)
            return -EINVAL;
        if (v == -1)
            v = 0;
        if (s->type == SOCK_STREAM)    /* TCP keeps its ECN bits, as for IP_TOS */
            v = (v & ~3) | (pcb ? pcb->tos & 3 : 0);
        if (pcb)
            pcb->tos = (u8_t)v;
        return 0;
    }
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_V6ONLY) {
        if (s->bound)
            return -EINVAL;
        s->v6only = v != 0;
        return 0;
    }
    bool inet = s->domain == AF_INET || s->domain == AF_INET6;
    if (level == IPPROTO_IP && inet && name == IP_RECVERR) {
        s->recverr = v != 0;
        return 0;
    }
    if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVERR) {
        s->recverr6 = v != 0;
        return 0;
    }
    return -ENOPROTOOPT;
}

/* getsockopt's answer for a name it does not know: a level the socket's protocol handles knows
 * no such option (ENOPROTOOPT); a level it passes down to IP, IPv6 or a family without options
 * is not supported (EOPNOTSUPP: Linux's do_ip_getsockopt, and AF_UNIX's missing handler). */
static bool own_level(struct socket *s, int level)
{
    if (s->domain == AF_UNIX)
        return false;
    if (level == (s->type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP))
        return true;
    if (s->type == SOCK_DGRAM && level == IPPROTO_UDPLITE)   /* Linux's udp_getsockopt takes both */
        return true;
    return level == IPPROTO_IP || (s->domain == AF_INET6 && level == IPPROTO_IPV6);   /* v6 hands IP down */
}

SYSCALL(getsockopt)
{
    int err, len, v;
    int level = (int)a1, name = (int)a2;
    struct socket *s = sockfd_lookup((int)a0, &err);
    if (!s)
        return err;
    if (copy_from_user(&len, a4, sizeof(len)))
        return -EFAULT;
    if (len < 0)
        return -EINVAL;
    if (s->domain == AF_NETLINK && level != SOL_SOCKET)
        return netlink_getsockopt(s, level, name, a3, a4);
    if (s->domain == AF_UNIX && level != SOL_SOCKET)
        return -EOPNOTSUPP;
    if (level == SOL_SOCKET && (name == SO_RCVTIMEO || name == SO_SNDTIMEO)) {
        uint64_t ns = name == SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns;
        struct linux_timeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };
        if (len > (int)sizeof(tv))
            len = sizeof(tv);
        if (copy_to_user(a3, &tv, len) || copy_to_user(a4, &len, sizeof(len)))
            return -EFAULT;
        return 0;
    }
    if (level == SOL_SOCKET && name == SO_PEERCRED) {
        /* Without recorded credentials (other families, an AF_UNIX socket never paired,
         * listening or connected) Linux's cred_to_ucred answers pid 0 and ids of -1. */
        struct unix_cred cred = UNIX_NO_CRED;
        if (s->domain == AF_UNIX && !unix_socket_peercred(s, &cred))
            cred = UNIX_NO_CRED;
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
    if (level == IPPROTO_TCP && s->type == SOCK_STREAM && s->domain != AF_UNIX && name == TCP_INFO) {
        char info[256];
        len = (int)tcp_socket_info(s, info, (size_t)len < sizeof(info) ? (size_t)len : sizeof(info));
        if (copy_to_user(a3, info, len) || copy_to_user(a4, &len, sizeof(len)))
            return -EFAULT;
        return 0;
    }
    if (level == SOL_SOCKET) {
        switch (name) {
        case SO_REUSEADDR: v = s->reuseaddr; break;
        case SO_REUSEPORT: v = s->reuseport; break;
        case SO_KEEPALIVE: v = s->keepalive; break;
        case SO_BROADCAST: v = s->broadcast; break;
        case SO_OOBINLINE: v = s->oobinline; break;
        case SO_TYPE: v = s->type; break;
        case SO_PROTOCOL: v = s->protocol; break;
        case SO_DOMAIN: v = s->domain; break;
        case SO_RCVBUF: v = s->rcvbuf; break;
        case SO_SNDBUF: v = s->sndbuf; break;
        case SO_ACCEPTCONN: v = s->type != SOCK_DGRAM && s->state == SOCKET_LISTENING; break;
        case SO_PASSCRED: v = s->passcred; break;
        case SO_ERROR: v = -s->error; s->error = 0; break;
        case SO_RCVLOWAT: v = s->rcvlowat; break;
        case SO_SNDLOWAT: v = 1; break;   /* Linux's: fixed (setting it is ENOPROTOOPT) */
        default: return -ENOPROTOOPT;
        }
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_NODELAY) {
        v = s->nodelay;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_CORK) {
        v = s->cork;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPIDLE) {
        v = s->keepidle;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPINTVL) {
        v = s->keepintvl;
    } else if (level == IPPROTO_TCP && s->type == SOCK_STREAM && name == TCP_KEEPCNT) {
        v = s->keepcnt;
    } else if ((level == IPPROTO_UDP || level == IPPROTO_UDPLITE) && s->type == SOCK_DGRAM &&
               (name == UDPLITE_SEND_CSCOV || name == UDPLITE_RECV_CSCOV)) {
        if ((err = udplite_get_coverage(s, name, &v)))
            return err;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_V6ONLY) {
        v = s->v6only;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVHOPLIMIT) {
        v = s->recvhoplimit;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVTCLASS) {
        v = s->recvtclass;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_TCLASS) {
        v = s->pcb ? ((struct ip_pcb *)s->pcb)->tos : 0;
    } else if (level == IPPROTO_IP && s->domain != AF_UNIX && name == IP_TOS) {
        v = s->pcb ? ((struct ip_pcb *)s->pcb)->tos : 0;
    } else if (level == IPPROTO_IP && (s->domain == AF_INET || s->domain == AF_INET6) && name == IP_RECVERR) {
        v = s->recverr;
    } else if (level == IPPROTO_IPV6 && s->domain == AF_INET6 && name == IPV6_RECVERR) {
        v = s->recverr6;
    } else {
        return own_level(s, level) ? -ENOPROTOOPT : -EOPNOTSUPP;
    }
    if (len > (int)sizeof(v))
        len = sizeof(v);
    if (copy_to_user(a3, &v, len) || copy_to_user(a4, &len, sizeof(len)))
        return -EFAULT;
    return 0;
}
