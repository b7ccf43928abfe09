/* The interface requests every socket takes (Linux 6.1's sock_do_ioctl and net/core/dev_ioctl.c,
 * reached when the family has no answer of its own): SIOCGIFCONF, and an interface's index,
 * name, flags, metric, MTU, map, queue length and hardware address, by the names and indexes
 * NETLINK_ROUTE reports (rtnl_*.c); the setters with Linux's permission checks, doing what lwIP
 * really can (an interface up or down, a NIC's MTU lowered) and EOPNOTSUPP, logged once, for
 * what it cannot. glibc's if_nametoindex and if_indextoname, busybox's ifconfig and net-tools
 * use these. The AF_INET-only address requests are devinet_ioctl.c's. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "dev_ioctl.h"
#include "process.h"
#include "uaccess.h"
#include "errno.h"
#include "lwip/netif.h"
#include <string.h>

#define SIOCSIFLINK   0x8911
#define SIOCGIFCONF   0x8912
#define SIOCSIFFLAGS  0x8914
#define SIOCGIFMETRIC 0x891d
#define SIOCSIFMETRIC 0x891e
#define SIOCGIFMEM    0x891f
#define SIOCSIFMEM    0x8920
#define SIOCSIFMTU    0x8922
#define SIOCSIFNAME   0x8923
#define SIOCSIFHWADDR 0x8924
#define SIOCGIFSLAVE  0x8929
#define SIOCSIFSLAVE  0x8930
#define SIOCADDMULTI  0x8931
#define SIOCDELMULTI  0x8932
#define SIOCSIFHWBROADCAST 0x8937
#define SIOCSIFTXQLEN 0x8943
#define SIOCGIFMAP    0x8970
#define SIOCSIFMAP    0x8971
#define SIOCDEVPRIVATE 0x89f0
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772
#define CAP_NET_ADMIN   12
#define TX_QUEUE_LEN    1000       /* Linux's default tx_queue_len, as IFLA_TXQLEN reports */
#define IFF_UP          0x1
/* The flags dev_change_flags lets a program set (__dev_change_flags): the rest are the device's. */
#define IFF_SETTABLE    (0x4 | 0x20 | 0x80 | 0x8000 | 0x1000 | 0x2000 | 0x4000 | 0x100 | 0x200 | IFF_UP)

struct netif *dev_by_name(const char *name)
{
    struct netif *n;
    char buf[16];
    NETIF_FOREACH(n)
        if (!strcmp(rtnl_ifname(n, buf), name))
            return n;
    return NULL;
}

bool dev_ioctl_cmd(uint32_t cmd)
{
    return ((cmd >> 8) & 0xff) == 0x89;    /* is_socket_ioctl_cmd: the SIOC* range */
}

int dev_ioctl_unsupported(uint32_t cmd)
{
    static uint8_t logged[256];    /* per request, by its low byte (all are 0x89xx) */
    if (!logged[cmd & 0xff]) {
        logged[cmd & 0xff] = 1;
        kinfo("ioctl %#x: lwIP cannot make this change, EOPNOTSUPP\n", cmd);
    }
    return -EOPNOTSUPP;
}

/* dev_ifconf + inet_gifconf: one ifreq per IPv4 address (its label and address), as many as
 * fit in ifc_len; a NULL buffer asks for the size all of them take. */
static int64_t dev_ifconf(uint64_t arg)
{
    struct { int32_t len, pad; uint64_t buf; } ifc;
    if (copy_from_user(&ifc, arg, sizeof(ifc)))
        return -EFAULT;
    int total = 0;
    for (int i = 1; i <= rtnl_max_index(); i++) {
        struct netif *n = netif_get_by_index((u8_t)i);
        if (!n || ip4_addr_isany_val(*netif_ip4_addr(n)))
            continue;                  /* no in_device address: nothing listed */
        if (ifc.buf) {
            if (ifc.len - total < (int)sizeof(struct ifreq_k))
                break;
            struct ifreq_k ifr;
            memset(&ifr, 0, sizeof(ifr));
            rtnl_ifname(n, ifr.name);
            ifr.addr.family = AF_INET;
            memcpy(ifr.addr.data + 2, &netif_ip4_addr(n)->addr, 4);
            if (copy_to_user(ifc.buf + (uint64_t)total, &ifr, sizeof(ifr)))
                return -EFAULT;
        }
        total += (int)sizeof(struct ifreq_k);
    }
    return copy_to_user(arg, &total, sizeof(total)) ? -EFAULT : 0;
}

/* dev_change_flags: up and down are lwIP's netif_set_up/down; any other settable flag that
 * would change is not kept by lwIP. */
static int change_flags(struct netif *n, uint16_t want)
{
    uint32_t cur = rtnl_dev_flags(n), diff = (cur ^ want) & IFF_SETTABLE;
    if (diff & ~IFF_UP)
        return dev_ioctl_unsupported(SIOCSIFFLAGS);
    if (diff & IFF_UP) {
        if (want & IFF_UP)
            netif_set_up(n);
        else
            netif_set_down(n);
    }
    return 0;
}

/* dev_set_mtu: Linux's range checks (dev_validate_mtu), then lwIP's netif MTU. A NIC's can
 * only go down from what the device was set up with (its receive buffers' size); lo has none. */
static int set_mtu(struct netif *n, int32_t mtu, uint32_t *device_mtu)
{
    bool lo = rtnl_is_loopback(n);
    if (mtu == (int32_t)rtnl_dev_mtu(n))
        return 0;
    if (mtu < 0 || (!lo && (mtu < 68 || mtu > 65535)))
        return -EINVAL;
    if (lo || (uint32_t)mtu > *device_mtu)
        return dev_ioctl_unsupported(SIOCSIFMTU);
    n->mtu = (u16_t)mtu;
#if LWIP_IPV6
    n->mtu6 = (u16_t)mtu;
#endif
    return 0;
}

static int64_t setter(uint32_t cmd, struct ifreq_k *ifr)
{
    static uint32_t device_mtu[256];   /* a NIC's MTU before any SIOCSIFMTU */
    bool privileged = process_capable(current_process(), CAP_NET_ADMIN);
    if (!privileged)
        return -EPERM;
    struct netif *n = dev_by_name(ifr->name);
    if (!n)
        return -ENODEV;
    uint8_t i = netif_get_index(n);
    if (!device_mtu[i])
        device_mtu[i] = n->mtu;
    switch (cmd) {
    case SIOCSIFFLAGS: return change_flags(n, (uint16_t)ifr->flags);
    case SIOCSIFMTU: return set_mtu(n, ifr->ivalue, &device_mtu[i]);
    case SIOCSIFMETRIC: return -EOPNOTSUPP;          /* Linux's own answer */
    case SIOCSIFSLAVE: return -EINVAL;               /* dev_ifsioc's default */
    case SIOCSIFTXQLEN:
        if (ifr->ivalue < 0)
            return -EINVAL;
        return ifr->ivalue == TX_QUEUE_LEN ? 0 : dev_ioctl_unsupported(cmd);
    case SIOCSIFMAP: return -EOPNOTSUPP;             /* no ndo_set_config, as virtio-net and lo */
    case SIOCSIFHWADDR: {               /* dev_set_mac_address: the same address changes nothing */
        uint8_t mac[6] = { 0 };
        if (!rtnl_is_loopback(n))
            memcpy(mac, n->hwaddr, 6);
        if (ifr->addr.family != (rtnl_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER))
            return -EINVAL;
        return memcmp(ifr->addr.data, mac, 6) ? dev_ioctl_unsupported(cmd) : 0;
    }
    case SIOCSIFNAME: return dev_ioctl_unsupported(cmd);
    default: return dev_ioctl_unsupported(cmd);
    }
}

static bool is_setter(uint32_t cmd)
{
    switch (cmd) {
    case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU: case SIOCSIFHWADDR: case SIOCSIFSLAVE:
    case SIOCADDMULTI: case SIOCDELMULTI: case SIOCSIFHWBROADCAST: case SIOCSIFNAME: case SIOCSIFMAP:
    case SIOCSIFTXQLEN:
        return true;
    default:
        return false;
    }
}

static int getter(uint32_t cmd, struct ifreq_k *ifr)
{
    struct netif *n = dev_by_name(ifr->name);
    if (!n)
        return -ENODEV;
    switch (cmd) {
    case SIOCGIFFLAGS: ifr->flags = (int16_t)rtnl_dev_flags(n); return 0;
    case SIOCGIFMETRIC: ifr->ivalue = 0; return 0;   /* "currently unused" on Linux too */
    case SIOCGIFMTU: ifr->ivalue = (int32_t)rtnl_dev_mtu(n); return 0;
    case SIOCGIFINDEX: ifr->ivalue = netif_get_index(n); return 0;
    case SIOCGIFTXQLEN: ifr->ivalue = TX_QUEUE_LEN; return 0;
    case SIOCGIFSLAVE: return -EINVAL;
    case SIOCGIFMAP:                   /* dev_getifmap: lo and virtio-net have no I/O window */
        memset(ifr->map, 0, sizeof(ifr->map));
        return 0;
    case SIOCGIFHWADDR:
        memset(&ifr->addr, 0, sizeof(ifr->addr));
        ifr->addr.family = rtnl_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
        if (!rtnl_is_loopback(n))
            memcpy(ifr->addr.data, n->hwaddr, 6);
        return 0;
    }
    return -ENOTTY;
}

int64_t dev_ioctl(uint32_t cmd, uint64_t arg)
{
    if (cmd == SIOCGIFCONF)
        return dev_ifconf(arg);
    struct ifreq_k ifr;
    if (copy_from_user(&ifr, arg, sizeof(ifr)))   /* get_user_ifreq, before any other check */
        return -EFAULT;
    ifr.name[15] = 0;
    int err;
    if (cmd == SIOCGIFNAME) {
        struct netif *n = ifr.ivalue > 0 && ifr.ivalue <= 255 ? netif_get_by_index((u8_t)ifr.ivalue) : NULL;
        if (!n)
            return -ENODEV;
        rtnl_ifname(n, ifr.name);
        return copy_to_user(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
    }
    if (cmd == SIOCGIFMEM || cmd == SIOCSIFMEM || cmd == SIOCSIFLINK)
        return -ENOTTY;
    char *colon = strchr(ifr.name, ':');         /* an alias label names its device */
    if (colon)
        *colon = 0;
    if (cmd >= SIOCDEVPRIVATE && cmd <= SIOCDEVPRIVATE + 15)   /* no driver has private requests */
        return dev_by_name(ifr.name) ? -EOPNOTSUPP : -ENODEV;
    if (is_setter(cmd))
        return setter(cmd, &ifr);    /* nothing copied back */
    switch (cmd) {
    case SIOCGIFFLAGS: case SIOCGIFMETRIC: case SIOCGIFMTU: case SIOCGIFINDEX: case SIOCGIFTXQLEN:
    case SIOCGIFSLAVE: case SIOCGIFMAP: case SIOCGIFHWADDR:
        err = getter(cmd, &ifr);
        break;
    default:
        return -ENOTTY;
    }
    if (colon)
        *colon = ':';
    if (err)
        return err;
    return copy_to_user(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
}
