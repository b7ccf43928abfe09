/* NETLINK_ROUTE inside net/: the uapi message layouts (include/uapi/linux/rtnetlink.h,
 * if_link.h, if_addr.h) and the dumps each rtnl_*.c file provides over lwIP's interfaces. */
#pragma once
#include "netlink.h"

struct netif;

struct ifinfomsg_k { uint8_t family, pad; uint16_t type; int32_t index; uint32_t flags, change; };
struct ifaddrmsg_k { uint8_t family, prefixlen, flags, scope; uint32_t index; };
struct rtmsg_k { uint8_t family, dst_len, src_len, tos, table, protocol, scope, type; uint32_t flags; };
struct ifa_cacheinfo_k { uint32_t prefered, valid, cstamp, tstamp; };

#define RTM_BASE     16
#define RTM_NEWLINK  16
#define RTM_GETLINK  18
#define RTM_NEWADDR  20
#define RTM_GETADDR  22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define RTM_MAX      123           /* Linux 6.1: RTM_GETTUNNEL's group */
#define RTNL_FAMILY_MAX 129

#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK     253
#define RT_SCOPE_HOST     254
#define RT_TABLE_MAIN     254
#define RT_TABLE_LOCAL    255
#define RTPROT_KERNEL     2
#define RTPROT_BOOT       3
#define RTPROT_RA         9
#define RTN_UNICAST       1
#define RTN_LOCAL         2
#define RTN_BROADCAST     3
#define RTN_MULTICAST     5
#define RTM_F_CLONED      0x200
#define RTM_F_PREFIX      0x800
#define INFINITY_LIFE_TIME 0xffffffffu

/* The interface's Linux name ("lo", "en1", ...) into buf (16 bytes). */
const char *rtnl_ifname(const struct netif *n, char *buf);
bool rtnl_is_loopback(const struct netif *n);
/* Hundredths of a second since boot (Linux's cstamp/tstamp clock) now. */
uint32_t rtnl_stamp_now(void);
/* The time lwIP brought its interfaces up, in the same unit. */
uint32_t rtnl_stamp_up(void);
/* The highest interface index in use (the dumps walk 1..this). */
int rtnl_max_index(void);

/* What a link reports (rtnl_link.c): dev_get_flags' IFF_* bits, the MTU. */
uint32_t rtnl_dev_flags(const struct netif *n);
uint32_t rtnl_dev_mtu(const struct netif *n);
/* The SIOCGIF* requests any socket answers (dev_ioctl.c); dev_ioctl_cmd: cmd is in their range. */
bool dev_ioctl_cmd(uint32_t cmd);
int64_t dev_ioctl(uint32_t cmd, uint64_t arg);

int rtnl_dump_ifinfo(struct nl_dump *d, struct nl_buf *b);
int rtnl_getlink(struct nl_request *r);
int inet_dump_ifaddr(struct nl_dump *d, struct nl_buf *b);
int inet6_dump_ifaddr(struct nl_dump *d, struct nl_buf *b);
int inet_dump_fib(struct nl_dump *d, struct nl_buf *b);
int inet6_dump_fib(struct nl_dump *d, struct nl_buf *b);
