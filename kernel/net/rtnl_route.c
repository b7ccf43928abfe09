/* RTM_GETROUTE dumps: the routes lwIP acts on, as the tables Linux 6.1 would hold for the same
 * interfaces and addresses (fib_add_ifaddr and addrconf make them there): for IPv4 each
 * address's local and broadcast routes (table local), its subnet (table main; on lo the /8 is
 * a local route) and the default gateway; for IPv6 ::1 and each address as local routes,
 * fe80::/64 and ff00::/8 per Ethernet link, and what router advertisements gave lwIP (on-link
 * prefixes, default routers). Each table is listed in key order, as a trie walk lists it. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "errno.h"
#include "lwip/netif.h"
#include "lwip/nd6.h"
#include "lwip/priv/nd6_priv.h"
#include "lwip/prot/nd6.h"
#include <string.h>

#define RTA_DST       1
#define RTA_OIF       4
#define RTA_GATEWAY   5
#define RTA_PRIORITY  6
#define RTA_PREFSRC   7
#define RTA_CACHEINFO 12
#define RTA_TABLE     15
#define RTA_PREF      20
#define RTA_MAX       30           /* Linux 6.1: RTA_NH_ID */
#define MAX_ROUTES    48

struct route {
    uint8_t family, table, type, scope, protocol, dst_len, pref;
    uint8_t dst[16], gw[16], prefsrc[4];
    bool has_gw, has_prefsrc;
    int oif;
    uint32_t priority;
    int32_t expires;                /* USER_HZ ticks, 0: none */
};

struct filter {
    bool set, none;
    uint32_t table;
    uint8_t protocol, type;
    int oif;
};

static int addr_len(const struct route *r) { return r->family == AF_INET ? 4 : 16; }

/* A table's key order: by address (big-endian bytes compare as numbers), longer prefix first;
 * IPv6's ::/0 sits at the root of its tree, which the walk reaches last. */
static int route_cmp(const struct route *a, const struct route *b)
{
    if (a->table != b->table)
        return a->table < b->table ? -1 : 1;
    if (a->family == AF_INET6 && (a->dst_len == 0) != (b->dst_len == 0))
        return a->dst_len == 0 ? 1 : -1;
    int c = memcmp(a->dst, b->dst, (size_t)addr_len(a));
    if (c)
        return c;
    return a->dst_len > b->dst_len ? -1 : a->dst_len < b->dst_len;
}

static struct route *add(struct route *rt, int *count, int family, int table, int type, int protocol,
                         const void *dst, int dst_len, int oif)
{
    if (*count >= MAX_ROUTES)
        return NULL;
    struct route *r = &rt[(*count)++];
    memset(r, 0, sizeof(*r));
    r->family = (uint8_t)family;
    r->table = (uint8_t)table;
    r->type = (uint8_t)type;
    r->protocol = (uint8_t)protocol;
    r->dst_len = (uint8_t)dst_len;
    memcpy(r->dst, dst, family == AF_INET ? 4 : 16);
    r->oif = oif;
    return r;
}

static void inet_routes(struct route *rt, int *count)
{
    for (int idx = 1; idx <= rtnl_max_index(); idx++) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n || ip4_addr_isany_val(*netif_ip4_addr(n)) || !netif_is_up(n))
            continue;
        uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n)), mask = ip4_addr_get_u32(netif_ip4_netmask(n));
        uint32_t net = addr & mask, bcast = net | ~mask;
        int plen = 0;
        for (uint32_t m = mask; m; m &= m - 1)
            plen++;
        bool lo = rtnl_is_loopback(n);
        struct route *r[3] = {
            add(rt, count, AF_INET, RT_TABLE_LOCAL, RTN_LOCAL, RTPROT_KERNEL, &addr, 32, idx),
            net && (net != addr || plen < 32)
                ? add(rt, count, AF_INET, lo ? RT_TABLE_LOCAL : RT_TABLE_MAIN, lo ? RTN_LOCAL : RTN_UNICAST,
                      RTPROT_KERNEL, &net, plen, idx) : NULL,
            plen < 31 ? add(rt, count, AF_INET, RT_TABLE_LOCAL, RTN_BROADCAST, RTPROT_KERNEL, &bcast, 32, idx) : NULL,
        };
        for (int i = 0; i < 3; i++)
            if (r[i]) {
                r[i]->scope = r[i]->type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_LINK;
                memcpy(r[i]->prefsrc, &addr, 4);
                r[i]->has_prefsrc = true;
            }
        uint32_t gw = ip4_addr_get_u32(netif_ip4_gw(n)), any = 0;
        if (n == netif_default && gw) {    /* the DHCP (or manifest) router, as the kernel's ipconfig adds it */
            struct route *d = add(rt, count, AF_INET, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_BOOT, &any, 0, idx);
            if (d) {
                memcpy(d->gw, &gw, 4);
                d->has_gw = true;
            }
        }
    }
}

#if LWIP_IPV6
static void inet6_routes(struct route *rt, int *count)
{
    static const uint8_t ll_prefix[16] = { 0xfe, 0x80 }, mc_prefix[16] = { 0xff };
    for (int idx = 1; idx <= rtnl_max_index(); idx++) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n || !netif_is_up(n))
            continue;
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++)
            if (ip6_addr_isvalid(netif_ip6_addr_state(n, i)))
                add(rt, count, AF_INET6, RT_TABLE_LOCAL, RTN_LOCAL, RTPROT_KERNEL, netif_ip6_addr(n, i)->addr, 128, idx);
        if (rtnl_is_loopback(n))
            continue;
        struct route *r = add(rt, count, AF_INET6, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_KERNEL, ll_prefix, 64, idx);
        if (r)
            r->priority = 256;     /* IP6_RT_PRIO_ADDRCONF */
        if ((r = add(rt, count, AF_INET6, RT_TABLE_LOCAL, RTN_MULTICAST, RTPROT_KERNEL, mc_prefix, 8, idx)))
            r->priority = 256;
        for (int p = 0; p < LWIP_ND6_NUM_PREFIXES; p++)
            if (prefix_list[p].netif == n && prefix_list[p].invalidation_timer &&
                (r = add(rt, count, AF_INET6, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_RA, prefix_list[p].prefix.addr, 64, idx))) {
                r->priority = 256;
                r->expires = (int32_t)(prefix_list[p].invalidation_timer * 100);
            }
        for (int d = 0; d < LWIP_ND6_NUM_ROUTERS; d++) {
            struct nd6_neighbor_cache_entry *nb = default_router_list[d].neighbor_entry;
            static const uint8_t any[16];
            if (!nb || nb->netif != n || !default_router_list[d].invalidation_timer ||
                !(r = add(rt, count, AF_INET6, RT_TABLE_MAIN, RTN_UNICAST, RTPROT_RA, any, 0, idx)))
                continue;
            memcpy(r->gw, nb->next_hop_address.addr, 16);
            r->has_gw = true;
            r->priority = 1024;    /* IP6_RT_PRIO_USER: rt6_add_dflt_router's */
            r->expires = (int32_t)(default_router_list[d].invalidation_timer * 100);
            uint8_t prf = default_router_list[d].flags & ND6_RA_PREFERENCE_MASK;
            r->pref = prf == ND6_RA_PREFERENCE_HIGH ? 1 : prf == ND6_RA_PREFERENCE_LOW ? 3 : 0;
        }
    }
}
#endif

static int fill_route(struct nl_buf *b, const struct route *r, uint32_t portid, uint32_t seq, uint16_t flags)
{
    struct nlmsghdr_k *h = nlmsg_put(b, portid, seq, RTM_NEWROUTE, sizeof(struct rtmsg_k), flags);
    if (!h)
        return -EMSGSIZE;
    struct rtmsg_k *rtm = (void *)(h + 1);
    rtm->family = r->family;
    rtm->dst_len = r->dst_len;
    rtm->table = r->table;
    rtm->protocol = r->protocol;
    rtm->scope = r->scope;
    rtm->type = r->type;
    int alen = addr_len(r);
    bool ok = nla_put_u32(b, RTA_TABLE, r->table) && (!r->dst_len || nla_put(b, RTA_DST, (uint32_t)alen, r->dst));
    if (r->family == AF_INET) {            /* fib_dump_info's order */
        ok = ok && (!r->priority || nla_put_u32(b, RTA_PRIORITY, r->priority)) &&
             (!r->has_prefsrc || nla_put(b, RTA_PREFSRC, 4, r->prefsrc)) &&
             (!r->has_gw || nla_put(b, RTA_GATEWAY, 4, r->gw)) && nla_put_u32(b, RTA_OIF, (uint32_t)r->oif);
    } else {                               /* rt6_fill_node's */
        struct { uint32_t clntref, lastuse; int32_t expires; uint32_t error, used, id, ts, tsage; } ci = { 0 };
        ci.expires = r->expires;
        ok = ok && nla_put_u32(b, RTA_PRIORITY, r->priority) && (!r->has_gw || nla_put(b, RTA_GATEWAY, 16, r->gw)) &&
             nla_put_u32(b, RTA_OIF, (uint32_t)r->oif) && nla_put(b, RTA_CACHEINFO, sizeof(ci), &ci) &&
             nla_put_u8(b, RTA_PREF, r->pref);
    }
    if (!ok) {
        nlmsg_cancel(b, h);
        return -EMSGSIZE;
    }
    nlmsg_end(b, h);
    return 0;
}

/* ip_valid_fib_dump_req under NETLINK_GET_STRICT_CHK; without it only rtm_flags count. */
static int dump_filter(struct nl_dump *d, struct filter *f, int family)
{
    const struct nlmsghdr_k *h = d->req;
    const struct nlattr_k *tb[RTA_MAX + 1];
    const char *why;
    memset(f, 0, sizeof(*f));
    if (!d->strict) {
        if (nlmsg_payload(h) >= sizeof(struct rtmsg_k)) {
            const struct rtmsg_k *rtm = nlmsg_data(h);
            if ((rtm->flags & RTM_F_PREFIX) && family == AF_INET)
                f->none = true;    /* "ipv4 does not use prefix flag" */
        }
        return 0;
    }
    if (h->len < NLMSG_HDRLEN + sizeof(struct rtmsg_k)) {
        d->extack_msg = "Invalid header for FIB dump request";
        return -EINVAL;
    }
    const struct rtmsg_k *rtm = nlmsg_data(h);
    if (rtm->dst_len || rtm->src_len || rtm->tos || rtm->scope) {
        d->extack_msg = "Invalid values in header for FIB dump request";
        return -EINVAL;
    }
    if (rtm->flags & ~(RTM_F_CLONED | RTM_F_PREFIX)) {
        d->extack_msg = "Invalid flags for FIB dump request";
        return -EINVAL;
    }
    int err = nlmsg_parse(h, sizeof(*rtm), tb, RTA_MAX, true, &why);
    if (err) {
        d->extack_msg = why;
        return err;
    }
    f->table = rtm->table;
    f->protocol = rtm->protocol;
    f->type = rtm->type;
    for (int i = 0; i <= RTA_MAX; i++) {
        if (!tb[i])
            continue;
        if (i == RTA_TABLE && nla_len(tb[i]) >= 4) {
            memcpy(&f->table, nla_data(tb[i]), 4);
        } else if (i == RTA_OIF && nla_len(tb[i]) >= 4) {
            uint32_t oif;
            memcpy(&oif, nla_data(tb[i]), 4);
            if (!oif || oif > 255 || !netif_get_by_index((u8_t)oif))
                return -ENODEV;
            f->oif = (int)oif;
        } else {
            d->extack_msg = "Unsupported attribute in dump request";
            return -EINVAL;
        }
    }
    f->set = rtm->flags || f->protocol || f->type || f->table || f->oif;
    if (f->set)
        d->answer_flags = NLM_F_DUMP_FILTERED;
    if (rtm->flags & RTM_F_CLONED)
        f->none = true;            /* exceptions only (cached PMTU routes): lwIP keeps none */
    if ((rtm->flags & RTM_F_PREFIX) && family == AF_INET)
        f->none = true;
    return 0;
}

static int dump_fib(struct nl_dump *d, struct nl_buf *b, int family)
{
    struct filter f;
    int err = dump_filter(d, &f, family);
    if (err)
        return err;
    if (f.table && f.table != RT_TABLE_MAIN && f.table != RT_TABLE_LOCAL) {
        if (*(const uint8_t *)nlmsg_data(d->req) != family)
            return (int)b->len;
        d->extack_msg = family == AF_INET ? "ipv4: FIB table does not exist" : "ipv6: FIB table does not exist";
        return -ENOENT;
    }
    if (f.none)
        return (int)b->len;
    static struct route rt[MAX_ROUTES];     /* under the kernel lock; filled and sent in one call */
    int count = 0;
    if (family == AF_INET)
        inet_routes(rt, &count);
#if LWIP_IPV6
    else
        inet6_routes(rt, &count);
#endif
    for (int i = 1; i < count; i++)      /* insertion sort: a few dozen routes */
        for (int j = i; j > 0 && route_cmp(&rt[j - 1], &rt[j]) > 0; j--) {
            struct route t = rt[j];
            rt[j] = rt[j - 1];
            rt[j - 1] = t;
        }
    uint16_t flags = NLM_F_MULTI | (f.set ? NLM_F_DUMP_FILTERED : 0);
    for (long i = d->args[0]; i < count; i++) {
        const struct route *r = &rt[i];
        if ((f.table && r->table != f.table) || (f.type && r->type != f.type) ||
            (f.protocol && r->protocol != f.protocol) || (f.oif && r->oif != f.oif))
            continue;
        if (fill_route(b, r, d->portid, d->seq, flags)) {
            d->args[0] = i;
            return (int)b->len;
        }
    }
    d->args[0] = count;
    return (int)b->len;
}

int inet_dump_fib(struct nl_dump *d, struct nl_buf *b) { return dump_fib(d, b, AF_INET); }
int inet6_dump_fib(struct nl_dump *d, struct nl_buf *b) { return dump_fib(d, b, AF_INET6); }
