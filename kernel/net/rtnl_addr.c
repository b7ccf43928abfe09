/* RTM_GETADDR dumps: each interface's IPv4 address (lwIP has one per netif) as Linux 6.1's
 * inet_fill_ifaddr describes it, and its IPv6 addresses as inet6_fill_ifaddr, in their
 * attribute orders. A DHCP address is dynamic (its lifetimes are what is left of the lease),
 * lo's and a static one permanent; IPv6 addresses keep the lifetimes lwIP's SLAAC counts. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "errno.h"
#include "lwip/netif.h"
#include "lwip/dhcp.h"
#include "lwip/prot/dhcp.h"
#include <string.h>

#define IFA_ADDRESS   1
#define IFA_LOCAL     2
#define IFA_LABEL     3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define IFA_FLAGS     8
#define IFA_TARGET_NETNSID 10
#define IFA_PROTO     11
#define IFA_MAX       11
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80
#define IFAPROT_KERNEL_LO 1
#define IFAPROT_KERNEL_RA 2
#define IFAPROT_KERNEL_LL 3

/* inet_valid_dump_ifaddr_req / inet6_valid_dump_ifaddr_req under NETLINK_GET_STRICT_CHK: the
 * header's fields, an ifa_index filter (*ifindex), no attribute but IFA_TARGET_NETNSID. */
static int valid_dump_req(struct nl_dump *d, const char *prefix6, int *ifindex)
{
    const struct nlmsghdr_k *h = d->req;
    const struct nlattr_k *tb[IFA_MAX + 1];
    const char *why;
    bool v6 = prefix6 != NULL;
    *ifindex = 0;
    if (h->len < NLMSG_HDRLEN + sizeof(struct ifaddrmsg_k)) {
        d->extack_msg = v6 ? "ipv6: Invalid header for address dump request"
                           : "ipv4: Invalid header for address dump request";
        return -EINVAL;
    }
    const struct ifaddrmsg_k *ifm = nlmsg_data(h);
    if (ifm->prefixlen || ifm->flags || ifm->scope) {
        d->extack_msg = v6 ? "ipv6: Invalid values in header for address dump request"
                           : "ipv4: Invalid values in header for address dump request";
        return -EINVAL;
    }
    *ifindex = (int)ifm->index;
    if (*ifindex)
        d->answer_flags |= NLM_F_DUMP_FILTERED;
    int err = nlmsg_parse(h, sizeof(*ifm), tb, IFA_MAX, true, &why);
    if (err) {
        d->extack_msg = why;
        return err;
    }
    for (int i = 0; i <= IFA_MAX; i++)
        if (tb[i] && i != IFA_TARGET_NETNSID) {
            d->extack_msg = v6 ? "ipv6: Unsupported attribute in dump request" : "ipv4: Unsupported attribute in dump request";
            return -EINVAL;
        }
    return 0;
}

static bool put_cacheinfo(struct nl_buf *b, uint32_t cstamp, uint32_t tstamp, uint32_t preferred, uint32_t valid)
{
    struct ifa_cacheinfo_k ci = { preferred, valid, cstamp, tstamp };
    return nla_put(b, IFA_CACHEINFO, sizeof(ci), &ci);
}

static int prefix_len(uint32_t mask)
{
    int n = 0;
    for (; mask; mask &= mask - 1)  /* a netmask's bits, in whichever byte order */
        n++;
    return n;
}

static int fill_inet(struct nl_buf *b, struct netif *n, uint32_t portid, uint32_t seq, uint16_t flags)
{
    uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n)), mask = ip4_addr_get_u32(netif_ip4_netmask(n));
    struct nlmsghdr_k *h = nlmsg_put(b, portid, seq, RTM_NEWADDR, sizeof(struct ifaddrmsg_k), flags);
    if (!h)
        return -EMSGSIZE;
    struct ifaddrmsg_k *ifa = (void *)(h + 1);
    struct dhcp *dhcp = netif_dhcp_data(n);
    bool leased = dhcp && dhcp->state == DHCP_STATE_BOUND;
    bool lo = rtnl_is_loopback(n), host = (addr & 0xff) == 127;
    uint32_t ifa_flags = leased ? 0 : IFA_F_PERMANENT;
    ifa->family = AF_INET;
    ifa->prefixlen = (uint8_t)prefix_len(mask);
    ifa->flags = (uint8_t)ifa_flags;
    ifa->scope = host ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;   /* inet_set_ifa: 127/8 is host scope */
    ifa->index = netif_get_index(n);
    uint32_t preferred = INFINITY_LIFE_TIME, valid = INFINITY_LIFE_TIME, cstamp = rtnl_stamp_up(), tstamp = cstamp;
    if (leased) {
        uint32_t used = dhcp->lease_used * DHCP_COARSE_TIMER_SECS;
        uint32_t lease = dhcp->t0_timeout * DHCP_COARSE_TIMER_SECS;
        valid = preferred = lease > used ? lease - used : 0;
        uint32_t now = rtnl_stamp_now();
        tstamp = now > used * 100 ? now - used * 100 : 0;    /* the last ACK */
    }
    char label[16];
    uint32_t bcast = addr | ~mask;
    bool ok = nla_put(b, IFA_ADDRESS, 4, &addr) && nla_put(b, IFA_LOCAL, 4, &addr) &&
              (lo || !(n->flags & NETIF_FLAG_BROADCAST) || nla_put(b, IFA_BROADCAST, 4, &bcast)) &&
              nla_put_string(b, IFA_LABEL, rtnl_ifname(n, label)) &&
              nla_put_u32(b, IFA_FLAGS, ifa_flags) &&
              put_cacheinfo(b, cstamp, tstamp, preferred, valid);
    if (!ok) {
        nlmsg_cancel(b, h);
        return -EMSGSIZE;
    }
    nlmsg_end(b, h);
    return 0;
}

/* A strict dump's checks and its one-interface filter, shared by both families: 0 and the
 * dump's flags and interface (0: all) to go on, else what the dump call returns. */
static int dump_filter(struct nl_dump *d, struct nl_buf *b, const char *family, uint16_t *flags, int *only)
{
    int err;
    *only = 0;
    *flags = NLM_F_MULTI;
    if (!d->strict)
        return 0;
    if ((err = valid_dump_req(d, family, only)))
        return err;
    if (*only) {
        *flags |= NLM_F_DUMP_FILTERED;
        if (*only > 255 || !netif_get_by_index((u8_t)*only))
            return b->len ? (int)b->len : -ENODEV;
    }
    return 0;
}

int inet_dump_ifaddr(struct nl_dump *d, struct nl_buf *b)
{
    int only, stop;
    uint16_t flags;
    if ((stop = dump_filter(d, b, NULL, &flags, &only)))
        return stop;
    int max = only ? only : rtnl_max_index();
    for (long idx = d->args[0] ? d->args[0] : only ? only : 1; idx <= max; idx++) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n || ip4_addr_isany_val(*netif_ip4_addr(n)))
            continue;
        if (fill_inet(b, n, d->portid, d->seq, flags)) {
            d->args[0] = idx;
            return (int)b->len;
        }
    }
    d->args[0] = max + 1;
    return (int)b->len;
}

#if LWIP_IPV6
/* Linux keeps a device's IPv6 addresses by scope, widest first, newest first among equals
 * (ipv6_link_dev_addr): here lwIP's SLAAC slots from the last, then the link-local slot 0. */
static int ip6_slot(const struct netif *n, int pos)
{
    int order[LWIP_IPV6_NUM_ADDRESSES], k = 0;
    for (int i = LWIP_IPV6_NUM_ADDRESSES - 1; i >= 0; i--)
        if (!ip6_addr_islinklocal(netif_ip6_addr(n, i)))
            order[k++] = i;
    for (int i = LWIP_IPV6_NUM_ADDRESSES - 1; i >= 0; i--)
        if (ip6_addr_islinklocal(netif_ip6_addr(n, i)))
            order[k++] = i;
    for (int j = 0, seen = 0; j < k; j++) {
        u8_t st = netif_ip6_addr_state(n, order[j]);
        if (ip6_addr_isvalid(st) || ip6_addr_istentative(st)) {
            if (seen++ == pos)
                return order[j];
        }
    }
    return -1;
}

static int fill_inet6(struct nl_buf *b, struct netif *n, int i, uint32_t portid, uint32_t seq, uint16_t flags)
{
    const ip6_addr_t *a = netif_ip6_addr(n, i);
    bool loopback = ip6_addr_isloopback(a), ll = ip6_addr_islinklocal(a);
    uint32_t valid = netif_ip6_addr_valid_life(n, i), pref = netif_ip6_addr_pref_life(n, i);
    bool permanent = ip6_addr_life_isstatic(valid);
    uint32_t ifa_flags = (permanent ? IFA_F_PERMANENT : 0) |
                         (ip6_addr_istentative(netif_ip6_addr_state(n, i)) ? IFA_F_TENTATIVE : 0);
    struct nlmsghdr_k *h = nlmsg_put(b, portid, seq, RTM_NEWADDR, sizeof(struct ifaddrmsg_k), flags);
    if (!h)
        return -EMSGSIZE;
    struct ifaddrmsg_k *ifa = (void *)(h + 1);
    ifa->family = AF_INET6;
    ifa->prefixlen = loopback ? 128 : 64;      /* ::1/128; link-local and SLAAC /64 */
    ifa->flags = (uint8_t)ifa_flags;
    ifa->scope = loopback ? RT_SCOPE_HOST : ll ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    ifa->index = netif_get_index(n);
    uint32_t stamp = rtnl_stamp_up();
    if (permanent)
        valid = pref = INFINITY_LIFE_TIME;
    uint8_t proto = loopback ? IFAPROT_KERNEL_LO : ll ? IFAPROT_KERNEL_LL : IFAPROT_KERNEL_RA;
    bool ok = nla_put(b, IFA_ADDRESS, 16, a->addr) && put_cacheinfo(b, stamp, stamp, pref, valid) &&
              nla_put_u32(b, IFA_FLAGS, ifa_flags) && nla_put_u8(b, IFA_PROTO, proto);
    if (!ok) {
        nlmsg_cancel(b, h);
        return -EMSGSIZE;
    }
    nlmsg_end(b, h);
    return 0;
}
#endif

int inet6_dump_ifaddr(struct nl_dump *d, struct nl_buf *b)
{
#if LWIP_IPV6
    int only, stop;
    uint16_t flags;
    if ((stop = dump_filter(d, b, "ipv6", &flags, &only)))
        return stop;
    int max = only ? only : rtnl_max_index();
    for (long idx = d->args[0] ? d->args[0] : only ? only : 1; idx <= max; idx++, d->args[1] = 0) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n)
            continue;
        for (int slot; (slot = ip6_slot(n, (int)d->args[1])) >= 0; d->args[1]++)
            if (fill_inet6(b, n, slot, d->portid, d->seq, flags)) {
                d->args[0] = idx;
                return (int)b->len;
            }
    }
    d->args[0] = max + 1;
#endif
    return (int)b->len;
}
