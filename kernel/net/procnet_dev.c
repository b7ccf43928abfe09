/* /proc/net/dev: each interface's counters in Linux 6.1's columns (net/core/net-procfs.c,
 * dev_seq_printf_stats), in index order. Packets and bytes are the glue's (if_stats.c); errors,
 * drops, FIFO, frame, compressed, multicast, collisions and carrier are not counted by lwIP or
 * the glue, and none happen on a virtio queue that never drops: 0. */
#include "kernel.h"
#include "procnet.h"
#include "rtnl.h"
#include "net.h"
#include "kfile.h"
#include "linux_abi.h"
#include "lwip/netif.h"

static struct file *dev_open(const char *path, int flags)
{
    struct procnet_text x = { 0 };
    procnet_printf(&x, "Inter-|   Receive                                                |  Transmit\n"
                       " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
                       "drop fifo colls carrier compressed\n");
    for (int i = 1; i <= rtnl_max_index(); i++) {
        struct netif *n = netif_get_by_index((u8_t)i);
        if (!n)
            continue;
        char name[16];
        const struct if_stats *s = if_stats_of(n);
        struct if_stats none = { 0 };
        if (!s)
            s = &none;
        procnet_printf(&x, "%6s: %7lu %7lu %4lu %4lu %4lu %5lu %10lu %9lu %8lu %7lu %4lu %4lu %4lu %5lu %7lu %10lu\n",
                       rtnl_ifname(n, name), s->rx_bytes, s->rx_packets, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL,
                       s->tx_bytes, s->tx_packets, 0UL, 0UL, 0UL, 0UL, 0UL, 0UL);
    }
    return procnet_file(&x, flags);
}

void procnet_dev_init(void)
{
    procnet_register("dev", dev_open);
}
