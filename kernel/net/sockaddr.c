/* The Linux sockaddr codec (interface: include/sockaddr.h): sockaddr_in, sockaddr_in6 and
 * sockaddr_un as user space passes them, to and from the socket layer's struct sock_addr (an
 * lwIP address and port, or an AF_UNIX name), with Linux's length and family checks. Here in net/
 * because the addresses are lwIP's. */
#include "kernel.h"
#include "linux_uapi.h"
#include "socket.h"
#include "sockaddr.h"
#include "uaccess.h"
#include "errno.h"
#include "netlink.h"
#include <string.h>

struct sockaddr_in_k { uint16_t family, port; uint32_t addr; uint8_t zero[8]; };
struct sockaddr_in6_k { uint16_t family, port; uint32_t flowinfo; uint8_t addr[16]; uint32_t scope_id; };

static uint16_t swap16(uint16_t v) { return (uint16_t)((v >> 8) | (v << 8)); }

/* Linux's move_addr_to_kernel. */
int sockaddr_from_user(uint64_t uaddr, int64_t len, uint8_t *buf)
{
    if (len < 0 || len > MAX_SOCK_ADDR)
        return -EINVAL;
    if (len && copy_from_user(buf, uaddr, len))
        return -EFAULT;
    return 0;
}

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

/* sockaddr_nl: Linux's netlink_bind/connect/sendmsg checks (a short one or another family
 * is EINVAL, not EAFNOSUPPORT). */
static int parse_netlink(const uint8_t *buf, int64_t len, struct sock_addr *a)
{
    struct sockaddr_nl_k nl;
    if (len < (int64_t)sizeof(nl))
        return -EINVAL;
    memcpy(&nl, buf, sizeof(nl));
    if (nl.family != AF_NETLINK)
        return -EINVAL;
    a->nl.pid = nl.pid;
    a->nl.groups = nl.groups;
    return 0;
}

/* A sockaddr of the socket's family as an lwIP address. For AF_INET6, :: means both families
 * (unless IPV6_V6ONLY) and ::ffff:a.b.c.d the IPv4 address, as Linux's dual-stack sockets. */
int sockaddr_parse(struct socket *s, const uint8_t *buf, int64_t len, struct sock_addr *a)
{
    uint16_t family;
    memset(a, 0, sizeof(*a));
    if (s->domain == AF_UNIX)
        return parse_unix(buf, len, a);
    if (s->domain == AF_NETLINK)
        return parse_netlink(buf, len, a);
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
int sockaddr_format(struct socket *s, const struct sock_addr *a, uint8_t *buf)
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
    if (s->domain == AF_NETLINK) {
        struct sockaddr_nl_k nl = { AF_NETLINK, 0, a->nl.pid, a->nl.groups };
        memcpy(buf, &nl, sizeof(nl));
        return sizeof(nl);
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

/* Linux's move_addr_to_user: copy what fits, report the full length. */
int sockaddr_to_user(const uint8_t *buf, int klen, uint64_t uaddr, uint64_t ulen)
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
