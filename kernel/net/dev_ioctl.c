/* The interface requests every socket takes (Linux's dev_ioctl, reached when the family has no
 * answer of its own): an interface's index, name, flags, MTU, queue length and hardware
 * address, by the names and indexes NETLINK_ROUTE reports (rtnl_*.c). glibc's
 * if_nametoindex and if_indextoname use the first two. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "uaccess.h"
#include "errno.h"
#include "lwip/netif.h"
#include <string.h>

#define SIOCGIFNAME   0x8910
#define SIOCGIFFLAGS  0x8913
#define SIOCGIFMTU    0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX  0x8933
#define SIOCGIFTXQLEN 0x8942
#define ARPHRD_ETHER    1
#define ARPHRD_LOOPBACK 772

struct ifreq_k {
    char name[16];
    union {
        struct { uint16_t family; uint8_t data[14]; } addr;
        int16_t flags;
        int32_t ivalue;
    };
};

static struct netif *by_name(const char *name)
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

int64_t dev_ioctl(uint32_t cmd, uint64_t arg)
{
    struct ifreq_k ifr;
    if (cmd != SIOCGIFNAME && cmd != SIOCGIFFLAGS && cmd != SIOCGIFMTU && cmd != SIOCGIFHWADDR &&
        cmd != SIOCGIFINDEX && cmd != SIOCGIFTXQLEN)
        return -ENOTTY;
    if (copy_from_user(&ifr, arg, sizeof(ifr)))
        return -EFAULT;
    ifr.name[15] = 0;
    struct netif *n;
    if (cmd == SIOCGIFNAME) {
        n = ifr.ivalue > 0 && ifr.ivalue <= 255 ? netif_get_by_index((u8_t)ifr.ivalue) : NULL;
        if (!n)
            return -ENODEV;
        rtnl_ifname(n, ifr.name);
    } else {
        char *colon = strchr(ifr.name, ':');     /* an alias label names its device */
        if (colon)
            *colon = 0;
        if (!(n = by_name(ifr.name)))
            return -ENODEV;
        if (colon)
            *colon = ':';
        switch (cmd) {
        case SIOCGIFFLAGS: ifr.flags = (int16_t)rtnl_dev_flags(n); break;
        case SIOCGIFMTU: ifr.ivalue = (int32_t)rtnl_dev_mtu(n); break;
        case SIOCGIFINDEX: ifr.ivalue = netif_get_index(n); break;
        case SIOCGIFTXQLEN: ifr.ivalue = 1000; break;
        case SIOCGIFHWADDR:
            memset(&ifr.addr, 0, sizeof(ifr.addr));
            ifr.addr.family = rtnl_is_loopback(n) ? ARPHRD_LOOPBACK : ARPHRD_ETHER;
            if (!rtnl_is_loopback(n))
                memcpy(ifr.addr.data, n->hwaddr, 6);
            break;
        }
    }
    return copy_to_user(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
}
