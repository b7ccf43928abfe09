/* /proc/net/route and /proc/net/if_inet6 (Linux 6.1's fib_trie.c fib_route_seq_show and
 * addrconf.c if6_seq_show): the IPv4 main table as rtnl_route.c derives it from lwIP's
 * interfaces (the default route via the DHCP or manifest gateway, each NIC's subnet), in key
 * order; and every IPv6 address lwIP holds with its index, prefix length, scope, flags and
 * interface, by interface (Linux's order is its address hash's). */
#include "kernel.h"
#include "procnet.h"
#include "rtnl.h"
#include "kfile.h"
#include "linux_abi.h"
#include "lwip/netif.h"

#define ROUTE_WIDTH 127
#define RTF_UP      0x1
#define RTF_GATEWAY 0x2
#define IFA_F_TENTATIVE 0x40
#define IFA_F_PERMANENT 0x80
#define IPV6_ADDR_LOOPBACK  0x10      /* ipv6_addr_scope's values */
#define IPV6_ADDR_LINKLOCAL 0x20

static void route_line(struct procnet_text *x, const char *dev, uint32_t dst, uint32_t gw, uint32_t mask)
{
    size_t start = x->len;
    procnet_printf(x, "%s\t%08X\t%08X\t%04X\t%d\t%u\t%d\t%08X\t%d\t%u\t%u", dev, dst, gw,
                   RTF_UP | (gw ? RTF_GATEWAY : 0), 0, 0, 0, mask, 0, 0, 0);
    procnet_pad(x, start, ROUTE_WIDTH);
}

static struct file *route_open(const char *path, int flags)
{
    struct procnet_text x = { 0 };
    procnet_printf(&x, "%-127s\n", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT");
    char name[16];
    /* The trie's order: 0.0.0.0/0 first, then the subnets (one per NIC). */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 1; i <= rtnl_max_index(); i++) {
            struct netif *n = netif_get_by_index((u8_t)i);
            if (!n || rtnl_is_loopback(n) || !netif_is_up(n) || ip4_addr_isany_val(*netif_ip4_addr(n)))
                continue;
            uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n)), mask = ip4_addr_get_u32(netif_ip4_netmask(n));
            uint32_t gw = ip4_addr_get_u32(netif_ip4_gw(n));
            if (pass == 0 && n == netif_default && gw)
                route_line(&x, rtnl_ifname(n, name), 0, gw, 0);
            if (pass == 1 && mask != 0xffffffff)
                route_line(&x, rtnl_ifname(n, name), addr & mask, 0, mask);
        }
    return procnet_file(&x, flags);
}

static struct file *if_inet6_open(const char *path, int flags)
{
    struct procnet_text x = { 0 };
#if LWIP_IPV6
    char name[16];
    for (int idx = 1; idx <= rtnl_max_index(); idx++) {
        struct netif *n = netif_get_by_index((u8_t)idx);
        if (!n)
            continue;
        for (int i = 0; i < LWIP_IPV6_NUM_ADDRESSES; i++) {
            u8_t state = netif_ip6_addr_state(n, i);
            if (!ip6_addr_isvalid(state) && !ip6_addr_istentative(state))
                continue;
            const ip6_addr_t *a = netif_ip6_addr(n, i);
            const uint8_t *b = (const uint8_t *)a->addr;
            for (int k = 0; k < 16; k++)
                procnet_printf(&x, "%02x", b[k]);
            bool lo = ip6_addr_isloopback(a), ll = ip6_addr_islinklocal(a);
            bool permanent = ip6_addr_life_isstatic(netif_ip6_addr_valid_life(n, i));
            unsigned f = (permanent ? IFA_F_PERMANENT : 0) | (ip6_addr_istentative(state) ? IFA_F_TENTATIVE : 0);
            procnet_printf(&x, " %02x %02x %02x %02x %8s\n", idx, lo ? 128 : 64,
                           lo ? IPV6_ADDR_LOOPBACK : ll ? IPV6_ADDR_LINKLOCAL : 0, f, rtnl_ifname(n, name));
        }
    }
#endif
    return procnet_file(&x, flags);
}

void procnet_route_init(void)
{
    procnet_register("route", route_open);
    procnet_register("if_inet6", if_inet6_open);
}
