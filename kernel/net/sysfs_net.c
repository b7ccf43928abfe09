/* /sys/class/net: a directory per interface with the attributes programs read (Linux 6.1's
 * net/core/net-sysfs.c): address, mtu, ifindex, flags, operstate, carrier, type, tx_queue_len
 * and statistics/. lo is /sys/devices/virtual/net/lo with the class's symlink to it, as on
 * Linux; a NIC's directory is /sys/class/net/enN itself (its PCI device has no /sys here). The
 * names exist from boot (lo and one per registered NIC); each value is read from lwIP's netif
 * when opened, so an interface lwIP has not brought up yet (before the first socket without a
 * NIC) opens as ENODEV. Counters lwIP and the glue do not keep (errors, drops, multicast,
 * collisions) read 0. */
#include "kernel.h"
#include "kfile.h"
#include "mm.h"
#include "memfile.h"
#include "netdev.h"
#include "net.h"
#include "rtnl.h"
#include "dev_ioctl.h"
#include "procnet.h"
#include "errno.h"
#include "linux_abi.h"
#include "lwip/netif.h"
#include <string.h>

#define IFF_RUNNING  0x40
#define IFF_LOWER_UP 0x10000
#define NIC_MAX      4                 /* en1..en4 listed (kfile.c's table has room for them) */

static const char *const attrs[] = {
    "address", "mtu", "ifindex", "flags", "operstate", "carrier", "type", "tx_queue_len",
    "statistics/rx_bytes", "statistics/tx_bytes", "statistics/rx_packets", "statistics/tx_packets",
    "statistics/rx_errors", "statistics/tx_errors", "statistics/rx_dropped", "statistics/tx_dropped",
    "statistics/multicast", "statistics/collisions",
};

/* The interface and attribute a registered path names (register_interface's two directories). */
static struct netif *parse(const char *path, const char **attr)
{
    static const char *const dirs[] = { "/sys/devices/virtual/net/", "/sys/class/net/" };
    const char *p = NULL;
    for (int i = 0; i < 2 && !p; i++)
        if (!strncmp(path, dirs[i], strlen(dirs[i])))
            p = path + strlen(dirs[i]);
    if (!p)
        return NULL;
    const char *slash = strchr(p, '/');
    if (!slash || slash - p >= 16)
        return NULL;
    char name[16];
    memcpy(name, p, (size_t)(slash - p));
    name[slash - p] = 0;
    *attr = slash + 1;
    return dev_by_name(name);
}

static struct file *attr_open(const char *path, int flags)
{
    const char *attr;
    struct netif *n = parse(path, &attr);
    if (!n)
        return kfile_fail(-ENODEV);
    bool lo = rtnl_is_loopback(n);
    char t[64];
    int len;
    const struct if_stats *s = if_stats_of(n);
    uint64_t counters[4] = { 0, 0, 0, 0 };
    if (s) {
        counters[0] = s->rx_bytes;
        counters[1] = s->tx_bytes;
        counters[2] = s->rx_packets;
        counters[3] = s->tx_packets;
    }
    if (!strcmp(attr, "address")) {
        const uint8_t *m = lo ? (const uint8_t[6]){ 0 } : n->hwaddr;
        len = snprintf(t, sizeof(t), "%02x:%02x:%02x:%02x:%02x:%02x\n", m[0], m[1], m[2], m[3], m[4], m[5]);
    } else if (!strcmp(attr, "mtu")) {
        len = snprintf(t, sizeof(t), "%u\n", rtnl_dev_mtu(n));
    } else if (!strcmp(attr, "ifindex")) {
        len = snprintf(t, sizeof(t), "%d\n", netif_get_index(n));
    } else if (!strcmp(attr, "flags")) {   /* dev->flags: without the operational bits */
        len = snprintf(t, sizeof(t), "%#x\n", rtnl_dev_flags(n) & ~(uint32_t)(IFF_RUNNING | IFF_LOWER_UP));
    } else if (!strcmp(attr, "operstate")) {
        len = snprintf(t, sizeof(t), "%s\n", !netif_is_up(n) ? "down" : lo ? "unknown" : netif_is_link_up(n) ? "up" : "down");
    } else if (!strcmp(attr, "carrier")) {
        if (!netif_is_up(n))
            return kfile_fail(-EINVAL);    /* Linux's read fails so on a device that is down */
        len = snprintf(t, sizeof(t), "%d\n", netif_is_link_up(n) ? 1 : 0);
    } else if (!strcmp(attr, "type")) {
        len = snprintf(t, sizeof(t), "%d\n", lo ? 772 : 1);
    } else if (!strcmp(attr, "tx_queue_len")) {
        len = snprintf(t, sizeof(t), "1000\n");
    } else {
        uint64_t v = 0;
        for (int i = 0; i < 4; i++)
            if (!strcmp(attr, attrs[8 + i]))
                v = counters[i];
        len = snprintf(t, sizeof(t), "%lu\n", v);
    }
    return memfile_open(t, (size_t)len, 0444, flags);
}

static void register_interface(const char *dir, const char *name)
{
    for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
        char *path = kmalloc(KFILE_PATH_MAX);      /* the table keeps the name: never freed */
        if (!path)
            return;
        snprintf(path, KFILE_PATH_MAX, "%s/%s/%s", dir, name, attrs[i]);
        kfile_register(path, attr_open, S_IFREG | 0444);
    }
}

void sysfs_net_init(void)
{
    register_interface("/sys/devices/virtual/net", "lo");
    kfile_register_symlink("/sys/class/net/lo", "../../devices/virtual/net/lo");
    int nics = net_device_count();
    for (int i = 1; i <= nics && i <= NIC_MAX; i++) {
        char name[8];
        snprintf(name, sizeof(name), "en%d", i);
        register_interface("/sys/class/net", name);
    }
}
