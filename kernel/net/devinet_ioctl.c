/* An AF_INET socket's address requests (Linux 6.1's inet_ioctl -> devinet_ioctl): an
 * interface's IPv4 address, netmask, broadcast and destination, found by label as Linux finds
 * its in_ifaddr (each netif has at most one: lwIP's, labelled with the interface's name), and
 * the setters' checks. The addresses are the image's or DHCP's, so a privileged set is
 * EOPNOTSUPP, as RTM_NEWADDR is (rtnetlink.c). An AF_INET6 socket's three (inet6_ioctl:
 * addrconf_add_ifaddr, addrconf_del_ifaddr, addrconf_set_dstaddr) take a struct in6_ifreq and
 * are checked the same way. */
#include "kernel.h"
#include "linux_abi.h"
#include "rtnl.h"
#include "dev_ioctl.h"
#include "process.h"
#include "uaccess.h"
#include "errno.h"
#include "lwip/netif.h"
#include <string.h>

#define SIOCSIFFLAGS   0x8914
#define SIOCGIFADDR    0x8915
#define SIOCSIFADDR    0x8916
#define SIOCGIFDSTADDR 0x8917
#define SIOCSIFDSTADDR 0x8918
#define SIOCGIFBRDADDR 0x8919
#define SIOCSIFBRDADDR 0x891a
#define SIOCGIFNETMASK 0x891b
#define SIOCSIFNETMASK 0x891c
#define CAP_NET_ADMIN  12

bool devinet_ioctl_cmd(uint32_t cmd)
{
    return cmd >= SIOCSIFFLAGS && cmd <= SIOCSIFNETMASK;
}

static void put_in(struct ifreq_k *ifr, uint32_t be_addr)
{
    memset(&ifr->addr, 0, sizeof(ifr->addr));
    ifr->addr.family = AF_INET;
    memcpy(ifr->addr.data + 2, &be_addr, 4);    /* sin_port stays 0 */
}

int64_t devinet_ioctl(uint32_t cmd, uint64_t arg)
{
    struct ifreq_k ifr;
    if (copy_from_user(&ifr, arg, sizeof(ifr)))
        return -EFAULT;
    ifr.name[15] = 0;
    bool get = cmd == SIOCGIFADDR || cmd == SIOCGIFDSTADDR || cmd == SIOCGIFBRDADDR || cmd == SIOCGIFNETMASK;
    if (!get) {
        if (!process_capable(current_process(), CAP_NET_ADMIN))
            return -EPERM;
        if (cmd != SIOCSIFFLAGS && ifr.addr.family != AF_INET)
            return -EINVAL;
    }
    char *colon = strchr(ifr.name, ':');
    if (colon)
        *colon = 0;
    struct netif *n = dev_by_name(ifr.name);
    if (!n)
        return -ENODEV;
    if (colon)
        *colon = ':';
    if (cmd == SIOCSIFFLAGS)           /* an alias has no address of its own here: -EINVAL */
        return colon ? -EINVAL : dev_ioctl(cmd, arg);
    /* The in_ifaddr: the netif's address, if it has one, whose label is the name asked for
     * (an alias label "en1:0" matches none). */
    uint32_t addr = ip4_addr_get_u32(netif_ip4_addr(n)), mask = ip4_addr_get_u32(netif_ip4_netmask(n));
    bool have = !colon && addr;
    if (!get)
        return have || cmd == SIOCSIFADDR ? dev_ioctl_unsupported(cmd) : -EADDRNOTAVAIL;
    if (!have)
        return -EADDRNOTAVAIL;
    bool broadcast = !rtnl_is_loopback(n) && (n->flags & NETIF_FLAG_BROADCAST);
    switch (cmd) {
    case SIOCGIFADDR: put_in(&ifr, addr); break;
    case SIOCGIFDSTADDR: put_in(&ifr, addr); break;    /* ifa_address: no peer, the local one */
    case SIOCGIFBRDADDR: put_in(&ifr, broadcast ? (addr | ~mask) : 0); break;
    case SIOCGIFNETMASK: put_in(&ifr, mask); break;
    }
    return copy_to_user(arg, &ifr, sizeof(ifr)) ? -EFAULT : 0;
}

#define SIOCDIFADDR 0x8936

bool addrconf_ioctl_cmd(uint32_t cmd)
{
    return cmd == SIOCSIFADDR || cmd == SIOCDIFADDR || cmd == SIOCSIFDSTADDR;
}

int64_t addrconf_ioctl(uint32_t cmd, uint64_t arg)
{
    struct { uint8_t addr[16]; uint32_t prefixlen; int32_t ifindex; } ireq;   /* struct in6_ifreq */
    if (cmd != SIOCSIFDSTADDR && !process_capable(current_process(), CAP_NET_ADMIN))
        return -EPERM;
    if (copy_from_user(&ireq, arg, sizeof(ireq)))
        return -EFAULT;
    if (cmd == SIOCSIFDSTADDR)
        return -ENODEV;                /* a SIT tunnel's: there are none */
    if (ireq.prefixlen > 128)
        return -EINVAL;
    if (ireq.ifindex <= 0 || ireq.ifindex > 255 || !netif_get_by_index((u8_t)ireq.ifindex))
        return -ENODEV;
    return dev_ioctl_unsupported(cmd);
}
