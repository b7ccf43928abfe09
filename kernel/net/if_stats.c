/* Each interface's packet and byte counters, as IFLA_STATS64 and IFLA_STATS report them (`ip -s
 * link`, getifaddrs' ifa_data). lwIP keeps none (its SNMP counters need all of LWIP_STATS), so
 * the glue counts: the NICs where frames enter and leave the stack (net/netif.c), lo from
 * lwIP's loopback queues. */
#include "kernel.h"
#include "net.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"

#define IF_STATS_MAX 16            /* interface indexes counted: lo and the NICs */

static struct if_stats stats[IF_STATS_MAX];

const struct if_stats *if_stats_of(const struct netif *n)
{
    unsigned i = netif_get_index(n);
    return i < IF_STATS_MAX ? &stats[i] : NULL;
}

void if_stats_count(const struct netif *n, bool rx, uint32_t bytes)
{
    unsigned i = netif_get_index(n);
    if (i >= IF_STATS_MAX)
        return;
    struct if_stats *s = &stats[i];
    if (rx) {
        s->rx_packets++;
        s->rx_bytes += bytes;
    } else {
        s->tx_packets++;
        s->tx_bytes += bytes;
    }
}

/* Loopback traffic never passes a netif's function pointers: lwIP's IP output queues it on the
 * sending netif's loop list (netif_loop_output), and netif_poll hands it to ip_input, also what
 * the delivery itself sends back meanwhile. So every IP packet that enters the stack while the
 * loop lists are polled is counted, sent once and received once by lo, where Linux carries all
 * local traffic (to 127/8 or to a NIC's own address). */
static bool polling_loopback;

void if_stats_netif_poll_all(void)
{
    polling_loopback = true;
    netif_poll_all();
    polling_loopback = false;
}

int if_stats_ip_input(struct pbuf *p, struct netif *inp)
{
    struct netif *lo;
    if (polling_loopback && (lo = netif_get_by_index(1))) {
        if_stats_count(lo, false, p->tot_len);
        if_stats_count(lo, true, p->tot_len);
    }
    return 0;                      /* the packet goes on into lwIP */
}
