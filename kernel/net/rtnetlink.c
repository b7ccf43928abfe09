/* NETLINK_ROUTE's request dispatch as Linux 6.1's rtnetlink_rcv_msg: the message type's kind
 * (NEW, DEL, GET, SET), CAP_NET_ADMIN for anything but GET, a dump when NLM_F_DUMP is set,
 * and the handler registered for the family, else for PF_UNSPEC (rtnl_dump_all walks every
 * family's dump in turn). What is registered here is what lwIP can answer: links, addresses
 * and routes; any other request is EOPNOTSUPP, logged once per type. */
#include "kernel.h"
#include "linux_abi.h"
#include "process.h"
#include "timer.h"
#include "net.h"
#include "rtnl.h"
#include "errno.h"
#include "lwip/netif.h"
#include <string.h>

#define CAP_NET_ADMIN 12
#define AF_PACKET     17

struct rtnl_handler {
    int family, type;
    int (*doit)(struct nl_request *r);
    int (*dumpit)(struct nl_dump *d, struct nl_buf *b);
};

static int rtnl_dump_all(struct nl_dump *d, struct nl_buf *b);

static const struct rtnl_handler handlers[] = {
    { AF_UNSPEC, RTM_GETLINK, rtnl_getlink, rtnl_dump_ifinfo },
    { AF_INET, RTM_GETADDR, NULL, inet_dump_ifaddr },
    { AF_INET6, RTM_GETADDR, NULL, inet6_dump_ifaddr },
    { AF_UNSPEC, RTM_GETADDR, NULL, rtnl_dump_all },
    { AF_INET, RTM_GETROUTE, NULL, inet_dump_fib },
    { AF_INET6, RTM_GETROUTE, NULL, inet6_dump_fib },
    { AF_UNSPEC, RTM_GETROUTE, NULL, rtnl_dump_all },
};

static const struct rtnl_handler *find(int family, int type, bool dump)
{
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (handlers[i].family == family && handlers[i].type == type &&
            (dump ? handlers[i].dumpit != NULL : handlers[i].doit != NULL))
            return &handlers[i];
    return NULL;
}

/* rtnl_dump_all: each family's dump in family order; a family that filled something ends
 * the part, and the next part asks it again (it then has nothing more) before moving on. */
static int rtnl_dump_all(struct nl_dump *d, struct nl_buf *b)
{
    int s_idx = d->family ? d->family : 1, ret = 0, idx;
    for (idx = 1; idx <= RTNL_FAMILY_MAX; idx++) {
        if (idx < s_idx || idx == AF_PACKET)
            continue;
        const struct rtnl_handler *h = find(idx, d->req->type, true);
        if (!h)
            continue;
        if (idx > s_idx)
            memset(d->args, 0, sizeof(d->args));
        if ((ret = h->dumpit(d, b)))
            break;
    }
    d->family = idx;
    return b->len ? (int)b->len : ret;
}

static void unsupported(int type, int family)
{
    static uint8_t logged[RTM_MAX + 1];
    if (!logged[type]) {
        logged[type] = 1;
        kinfo("rtnetlink: message type %d (family %d) is not provided, EOPNOTSUPP\n", type, family);
    }
}

int rtnetlink_rcv_msg(struct nl_request *r)
{
    int type = r->h->type;
    if (type > RTM_MAX)
        return -EOPNOTSUPP;
    if (nlmsg_payload(r->h) < 1)   /* every message has at least an rtgenmsg */
        return 0;
    int family = *(const uint8_t *)nlmsg_data(r->h);
    int kind = (type - RTM_BASE) & 3;
    if (kind != 2 && !process_capable(current_process(), CAP_NET_ADMIN))
        return -EPERM;
    bool dump = kind == 2 && (r->h->flags & NLM_F_DUMP);
    const struct rtnl_handler *h = find(family, type, dump);
    if (!h)
        h = find(AF_UNSPEC, type, dump);
    if (!h) {
        unsupported(type, family);
        return -EOPNOTSUPP;
    }
    return dump ? netlink_dump_start(r, h->dumpit, 0) : h->doit(r);
}

bool rtnl_is_loopback(const struct netif *n)
{
    return n->name[0] == 'l' && n->name[1] == 'o';
}

const char *rtnl_ifname(const struct netif *n, char *buf)
{
    if (rtnl_is_loopback(n)) {
        memcpy(buf, "lo", 3);      /* Linux's name for it; lwIP's own is lo0 */
        return buf;
    }
    snprintf(buf, 16, "%c%c%u", n->name[0], n->name[1], n->num);
    return buf;
}

int rtnl_max_index(void)
{
    int max = 0;
    struct netif *n;
    NETIF_FOREACH(n)
        if (netif_get_index(n) > max)
            max = netif_get_index(n);
    return max;
}

static uint32_t stamp(uint64_t counter)
{
    return (uint32_t)(counter_to_ns(counter) / 10000000u);
}

uint32_t rtnl_stamp_now(void) { return stamp(counter_now()); }
uint32_t rtnl_stamp_up(void) { return stamp(net_started_at()); }
