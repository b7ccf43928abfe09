/* RTM_GETLINK: lwIP's interfaces as Linux 6.1's rtnl_fill_ifinfo describes a device, in its
 * attribute order, with the attributes lwIP has an answer for (no qdisc, XDP or per-family
 * configuration: lwIP keeps none; the counters are the glue's, net/if_stats.c), as a dump or for
 * one index or name. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "errno.h"
#include "net.h"
#include "lwip/netif.h"
#include <string.h>

#define IFLA_ADDRESS   1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME    3
#define IFLA_MTU       4
#define IFLA_MASTER    10
#define IFLA_STATS     7
#define IFLA_TXQLEN    13
#define IFLA_STATS64   23
#define IFLA_OPERSTATE 16
#define IFLA_LINKMODE  17
#define IFLA_GROUP     27
#define IFLA_EXT_MASK  29
#define IFLA_PROMISCUITY 30
#define IFLA_NUM_TX_QUEUES 31
#define IFLA_NUM_RX_QUEUES 32
#define IFLA_CARRIER   33
#define IFLA_PROTO_DOWN 39
#define IFLA_TARGET_NETNSID 46
#define IFLA_MIN_MTU   50
#define IFLA_MAX_MTU   51
#define IFLA_ALT_IFNAME 53
#define IFLA_PERM_ADDRESS 54
#define IFLA_LINKINFO  18
#define IFLA_MAX       60          /* Linux 6.1: IFLA_TSO_MAX_SEGS */

#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772
#define IFF_UP          0x1
#define IFF_BROADCAST   0x2
#define IFF_LOOPBACK    0x8
#define IFF_RUNNING     0x40
#define IFF_MULTICAST   0x1000
#define IFF_LOWER_UP    0x10000
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN    2
#define IF_OPER_UP      6
#define LO_MTU          65536      /* lwIP's loopback has no MTU (0: no limit); Linux's lo says this */
#define ETH_MIN_MTU     68
#define VIRTIO_NET_MAX_MTU 65535   /* virtio-net's max_mtu without VIRTIO_NET_F_MTU */
#define LINK_MSG_ROOM   1024       /* one link message, whole (nlmsg_new(if_nlmsg_size)) */

uint32_t rtnl_dev_flags(const struct netif *n)
{
    uint32_t f = 0;
    if (netif_is_up(n))
        f |= IFF_UP;
    if (netif_is_link_up(n))
        f |= IFF_RUNNING | IFF_LOWER_UP;
    if (rtnl_is_loopback(n))
        f |= IFF_LOOPBACK;
    if (n->flags & NETIF_FLAG_BROADCAST)
        f |= IFF_BROADCAST;
    if (n->flags & NETIF_FLAG_ETHERNET)
        f |= IFF_MULTICAST;        /* ether_setup's: lwIP joins IPv6 multicast groups (MLD) on it */
    return f;
}

uint32_t rtnl_dev_mtu(const struct netif *n)
{
    return rtnl_is_loopback(n) ? LO_MTU : n->mtu;
}

/* rtnl_fill_stats: struct rtnl_link_stats64 (6.1: 25 counters) and its 32-bit rtnl_link_stats
 * (24), in the same order: rx/tx packets, rx/tx bytes, errors, dropped, multicast, ... */
static bool put_stats(struct nl_buf *b, const struct netif *n)
{
    const struct if_stats *s = if_stats_of(n);
    uint64_t v64[25] = { 0 };
    uint32_t v32[24];
    if (s) {
        v64[0] = s->rx_packets;
        v64[1] = s->tx_packets;
        v64[2] = s->rx_bytes;
        v64[3] = s->tx_bytes;
    }
    for (int i = 0; i < 24; i++)
        v32[i] = (uint32_t)v64[i];
    return nla_put(b, IFLA_STATS64, sizeof(v64), v64) && nla_put(b, IFLA_STATS, sizeof(v32), v32);
}

static int fill_link(struct nl_buf *b, const struct netif *n, uint32_t portid, uint32_t seq, uint16_t flags)
{
    struct nlmsghdr_k *h = nlmsg_put(b, portid, seq, RTM_NEWLINK, sizeof(struct ifinfomsg_k), flags);
    if (!h)
        return -EMSGSIZE;
    bool lo = rtnl_is_loopback(n);
    struct ifinfomsg_k *ifm = (void *)(h + 1);
    ifm->type = lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
    ifm->index = netif_get_index(n);
    ifm->flags = rtnl_dev_flags(n);
    char name[16];
    uint8_t mac[6] = { 0 }, bcast[6] = { 0 };
    if (!lo) {
        memcpy(mac, n->hwaddr, 6);
        memset(bcast, 0xff, 6);
    }
    bool running = netif_is_up(n);
    uint8_t oper = !running ? IF_OPER_DOWN : lo ? IF_OPER_UNKNOWN : netif_is_link_up(n) ? IF_OPER_UP : IF_OPER_DOWN;
    bool ok = nla_put_string(b, IFLA_IFNAME, rtnl_ifname(n, name)) &&
              nla_put_u32(b, IFLA_TXQLEN, 1000) &&     /* Linux's default tx_queue_len */
              nla_put_u8(b, IFLA_OPERSTATE, oper) &&
              nla_put_u8(b, IFLA_LINKMODE, 0) &&
              nla_put_u32(b, IFLA_MTU, rtnl_dev_mtu(n)) &&
              nla_put_u32(b, IFLA_MIN_MTU, lo ? 0 : ETH_MIN_MTU) &&
              nla_put_u32(b, IFLA_MAX_MTU, lo ? 0 : VIRTIO_NET_MAX_MTU) &&
              nla_put_u32(b, IFLA_GROUP, 0) &&
              nla_put_u32(b, IFLA_PROMISCUITY, 0) &&
              nla_put_u32(b, IFLA_NUM_TX_QUEUES, 1) &&
              nla_put_u32(b, IFLA_NUM_RX_QUEUES, 1) &&
              nla_put_u8(b, IFLA_CARRIER, netif_is_link_up(n)) &&
              nla_put_u8(b, IFLA_PROTO_DOWN, 0) &&
              nla_put(b, IFLA_ADDRESS, 6, mac) &&
              nla_put(b, IFLA_BROADCAST, 6, bcast) &&
              put_stats(b, n) &&
              (lo || nla_put(b, IFLA_PERM_ADDRESS, 6, mac));
    if (!ok) {
        nlmsg_cancel(b, h);
        return -EMSGSIZE;
    }
    nlmsg_end(b, h);
    return 0;
}

/* rtnl_valid_dump_ifinfo_req and rtnl_dump_ifinfo: a malformed request is an error only under
 * NETLINK_GET_STRICT_CHK (otherwise every link is dumped); IFLA_MASTER filters to the links
 * enslaved to it (none here), IFLA_EXT_MASK asks for nothing this dump has. */
int rtnl_dump_ifinfo(struct nl_dump *d, struct nl_buf *b)
{
    const struct nlmsghdr_k *h = d->req;
    const struct nlattr_k *tb[IFLA_MAX + 1];
    uint16_t flags = NLM_F_MULTI;
    bool none = false;
    int err = 0;
    const char *why = NULL;
    if (h->len < NLMSG_HDRLEN + sizeof(struct ifinfomsg_k)) {
        why = "Invalid header for link dump";
        err = -EINVAL;
    } else if (d->strict) {
        const struct ifinfomsg_k *ifm = nlmsg_data(h);
        if (ifm->pad || ifm->type || ifm->flags || ifm->change) {
            why = "Invalid values in header for link dump request";
            err = -EINVAL;
        } else if (ifm->index) {
            why = "Filter by device index not supported for link dumps";
            err = -EINVAL;
        } else {
            err = nlmsg_parse(h, sizeof(struct ifinfomsg_k), tb, IFLA_MAX, true, &why);
        }
    } else {
        err = nlmsg_parse(h, sizeof(struct ifinfomsg_k), tb, IFLA_MAX, false, &why);
    }
    if (err && d->strict) {
        d->extack_msg = why;
        return err;
    }
    if (!err)
        for (int i = 0; i <= IFLA_MAX; i++) {
            if (!tb[i])
                continue;
            if (i == IFLA_MASTER) {
                none = true;
                flags |= NLM_F_DUMP_FILTERED;
            } else if (i != IFLA_EXT_MASK && i != IFLA_TARGET_NETNSID && i != IFLA_LINKINFO && d->strict) {
                d->extack_msg = "Unsupported attribute in link dump request";
                return -EINVAL;
            }
        }
    int max = rtnl_max_index();
    for (long idx = d->args[0] ? d->args[0] : 1; !none && idx <= max; idx++) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n)
            continue;
        if (fill_link(b, n, d->portid, d->seq, flags)) {
            d->args[0] = idx;
            return (int)b->len;
        }
    }
    d->args[0] = max + 1;
    return (int)b->len;
}

/* rtnl_valid_getlink_req and rtnl_getlink: one link by ifi_index (> 0), else by IFLA_IFNAME. */
int rtnl_getlink(struct nl_request *r)
{
    const struct nlmsghdr_k *h = r->h;
    const struct nlattr_k *tb[IFLA_MAX + 1];
    int err;
    if (h->len < NLMSG_HDRLEN + sizeof(struct ifinfomsg_k)) {
        r->extack_msg = "Invalid header for get link";
        return -EINVAL;
    }
    const struct ifinfomsg_k *ifm = nlmsg_data(h);
    if (r->strict && (ifm->pad || ifm->type || ifm->flags || ifm->change)) {
        r->extack_msg = "Invalid values in header for get link request";
        return -EINVAL;
    }
    if ((err = nlmsg_parse(h, sizeof(*ifm), tb, IFLA_MAX, r->strict, &r->extack_msg)))
        return err;
    for (int i = 0; r->strict && i <= IFLA_MAX; i++)
        if (tb[i] && i != IFLA_IFNAME && i != IFLA_ALT_IFNAME && i != IFLA_EXT_MASK && i != IFLA_TARGET_NETNSID) {
            r->extack_msg = "Unsupported attribute in get link request";
            return -EINVAL;
        }
    struct netif *n = NULL;
    if (ifm->index > 0) {
        n = ifm->index <= 255 ? netif_get_by_index((u8_t)ifm->index) : NULL;
    } else if (tb[IFLA_IFNAME] || tb[IFLA_ALT_IFNAME]) {
        const struct nlattr_k *a = tb[IFLA_IFNAME] ? tb[IFLA_IFNAME] : tb[IFLA_ALT_IFNAME];
        uint32_t len = nla_len(a);
        const char *want = nla_data(a);
        if (len && !want[len - 1])
            len--;
        if (!nla_len(a) || len > 15) {          /* the policy's NLA_STRING of IFNAMSIZ - 1 */
            r->extack_msg = "Attribute failed policy validation";
            return -ERANGE;
        }
        struct netif *it;
        char name[16];
        NETIF_FOREACH(it)
            if (strlen(rtnl_ifname(it, name)) == len && !memcmp(name, want, len))
                n = it;
    } else {
        return -EINVAL;
    }
    if (!n)
        return -ENODEV;
    struct nl_buf b = { kmalloc(LINK_MSG_ROOM), 0, LINK_MSG_ROOM };
    if (!b.data)
        return -ENOBUFS;
    err = fill_link(&b, n, r->portid, h->seq, 0);
    if (!err)
        netlink_unicast_reply(r, &b);
    kfree(b.data);
    return err;
}
