/* The glue between network devices and lwIP: one lwIP netif per registered net_device, named
 * en1, en2, ... (lwIP's loopback interface takes number 0), addresses from the manifest or DHCP,
 * IPv6 link-local autoconfiguration, and the poll/wait loop that feeds lwIP.
 *
 * lwIP runs with NO_SYS=1 and is not reentrant, so it only ever runs with interrupts masked and
 * never from an interrupt that interrupted the kernel: device interrupts only set a flag, and
 * net_poll (from waits, and from interrupts taken in user mode) does the work. */
#include "kernel.h"
#include "idle.h"
#include "arch.h"
#include "net.h"
#include "net_lease.h"
#include "net_tcp_demux.h"
#include "net_frame.h"
#include "socket.h"
#include "profile.h"
#include "netdev.h"
#include "timer.h"
#include "vfs.h"
#include "bootargs.h"
#include "selftest.h"
#include "wait.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/timeouts.h"
#include "lwip/ip_addr.h"
#include "netif/ethernet.h"
#include <string.h>

static struct net_device *devices, **devices_tail = &devices;
static volatile bool work_pending;
/* Frames queued since the last net_flush. A batch is told to the device once it is this long,
 * whatever comes next: a server answering many connections in one pass of its event loop
 * sends its first answers while it works on the rest. */
#define NET_TX_BATCH 16
static unsigned tx_queued;
static bool started;
static uint64_t started_at;      /* counter_now() at lwIP's start: lo's address came then */
static netif_ext_callback_t status_cb;

void net_device_register(struct net_device *dev)
{
    if (started)
        panic("net: %s registered after net_init", dev->driver);
    dev->next = NULL;
    *devices_tail = dev;
    devices_tail = &dev->next;
}

void net_device_wake(struct net_device *dev)
{
    work_pending = true;
}

/* The stack keeps its own copy: the driver's buffer goes straight back to the device. */
void net_device_input(struct net_device *dev, const void *frame, size_t len)
{
    struct netif *nif = dev->netif;
    if (profile_enabled)
        frame_stats_count(false, frame, len, len);
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_RAM);
    if (!p)
        return;                    /* out of memory: dropped, as a full NIC would */
    pbuf_take(p, frame, (u16_t)len);
    if_stats_count(nif, true, (uint32_t)len);
    struct tcp_demux demux;
    tcp_demux_before(frame, len, &demux);
    if (nif->input(p, nif) != ERR_OK)
        pbuf_free(p);
    tcp_demux_after(&demux);
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
    struct net_device *dev = nif->state;
    struct net_frame f = { p, p->tot_len };
    if (!dev->ops->transmit(dev, &f))
        return ERR_MEM;
    if_stats_count(nif, false, p->tot_len);
    if (profile_enabled) {
        uint8_t head[128];             /* Ethernet + the largest IP and TCP headers we parse */
        u16_t n = pbuf_copy_partial(p, head, sizeof(head), 0);
        frame_stats_count(true, head, n, p->tot_len);
    }
    if (++tx_queued >= NET_TX_BATCH)
        net_flush();
    return ERR_OK;
}

void net_flush(void)
{
    if (!tx_queued)
        return;
    tx_queued = 0;
    for (struct net_device *d = devices; d; d = d->next)
        d->ops->flush(d);
}

/* The frame may be a chain of pbufs: the driver gets it in one piece, copied once. */
void net_frame_copy(const struct net_frame *f, void *dst)
{
    pbuf_copy_partial(f->stack_buffer, dst, f->len, 0);
}

/* lwIP writes IPv6 hex digits in upper case; RFC 5952 and every Linux tool use lower case. */
static const char *ip6_text(const ip6_addr_t *a, char *buf, int size)
{
    ip6addr_ntoa_r(a, buf, size);
    for (char *c = buf; *c; c++)
        if (*c >= 'A' && *c <= 'F')
            *c = (char)(*c - 'A' + 'a');
    return buf;
}

static void if_name(const struct netif *nif, char out[8])
{
    snprintf(out, 8, "%c%c%u", nif->name[0], nif->name[1], nif->num);
}

/* Every address change is reported on the console, whatever the quiet flag says: a user needs
 * to know where the program can be reached. IPv6 addresses are reported once duplicate address
 * detection has passed, when they become usable. */
static void status_changed(struct netif *nif, netif_nsc_reason_t reason, const netif_ext_callback_args_t *args)
{
    char name[8], addr[IPADDR_STRLEN_MAX];
    if_name(nif, name);
    if ((reason & (LWIP_NSC_IPV4_ADDRESS_CHANGED | LWIP_NSC_IPV4_SETTINGS_CHANGED)) &&
        !ip4_addr_isany_val(*netif_ip4_addr(nif)))
        kprintf("%s: assigned %s\n", name, ip4addr_ntoa_r(netif_ip4_addr(nif), addr, sizeof(addr)));
    if (reason & LWIP_NSC_IPV6_ADDR_STATE_CHANGED) {
        s8_t i = args->ipv6_addr_state_changed.addr_index;
        u8_t now = netif_ip6_addr_state(nif, i), before = args->ipv6_addr_state_changed.old_state;
        if (ip6_addr_isvalid(now) && !ip6_addr_isvalid(before))
            kprintf("%s: assigned %s\n", name, ip6_text(netif_ip6_addr(nif, i), addr, sizeof(addr)));
        else if (ip6_addr_isduplicated(now))
            kprintf("%s: %s is already in use on the link; not using it\n", name,
                    ip6_text(netif_ip6_addr(nif, i), addr, sizeof(addr)));
    }
}

/* netif_add's init hook: what the Ethernet device is and how frames leave. */
static err_t netif_setup(struct netif *nif)
{
    struct net_device *dev = nif->state;
    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, dev->mac, ETH_HWADDR_LEN);
    nif->mtu = dev->mtu;
    nif->mtu6 = dev->mtu;
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_MLD6;
    nif->output = etharp_output;
    nif->output_ip6 = ethip6_output;
    nif->linkoutput = linkoutput;
    netif_set_hostname(nif, "unibuild");
    if (dev->tx_csum_offload)
        NETIF_SET_CHECKSUM_CTRL(nif, NETIF_CHECKSUM_ENABLE_ALL & ~NETIF_CHECKSUM_GEN_TCP);
    return ERR_OK;
}

/* The manifest's kernel options ip, netmask, gateway (dotted quads) give the first interface a
 * static address. A malformed one is the image builder's bug: say so and use DHCP. */
static bool static_address(ip4_addr_t *ip, ip4_addr_t *mask, ip4_addr_t *gw)
{
    const struct boot_manifest *m = boot_manifest();
    if (!m || !m->ip)
        return false;
    if (!ip4addr_aton(m->ip, ip)) {
        kprintf("net: manifest ip '%s' is not an IPv4 address; using DHCP\n", m->ip);
        return false;
    }
    if (!m->netmask)
        IP4_ADDR(mask, 255, 255, 255, 0);
    else if (!ip4addr_aton(m->netmask, mask) || !ip4_addr_netmask_valid(mask->addr)) {
        kprintf("net: manifest netmask '%s' is not a netmask; using DHCP\n", m->netmask);
        return false;
    }
    ip4_addr_set_zero(gw);
    if (m->gateway && !ip4addr_aton(m->gateway, gw)) {
        kprintf("net: manifest gateway '%s' is not an IPv4 address; using DHCP\n", m->gateway);
        return false;
    }
    return true;
}

static void bring_up(struct net_device *dev, bool first)
{
    struct netif *nif = kzalloc(sizeof(*nif));
    if (!nif)
        panic("net: out of memory for an interface");
    dev->netif = nif;
    ip4_addr_t ip, mask, gw;
    bool fixed = first && static_address(&ip, &mask, &gw);
    /* Added without an address: the status callback reports it once the netif has its name. */
    if (!netif_add(nif, IP4_ADDR_ANY4, IP4_ADDR_ANY4, IP4_ADDR_ANY4, dev, netif_setup, ethernet_input))
        panic("net: lwIP refused interface for %s", dev->driver);
    if (first)
        netif_set_default(nif);
    netif_create_ip6_linklocal_address(nif, 1);
    netif_set_ip6_autoconfig_enabled(nif, 1);
    netif_set_link_up(nif);
    netif_set_up(nif);
    if (fixed) {
        netif_set_addr(nif, &ip, &mask, &gw);
        return;
    }
    if (dhcp_start(nif) != ERR_OK)
        panic("net: dhcp_start failed (out of memory)");
    net_lease_expect(nif);   /* awaited by the first call that needs an address, not here */
}

/* lwIP and the interfaces; interrupts masked (the caller's: boot or a syscall). */
static void start(void)
{
    lwip_init();
    started = true;
    started_at = counter_now();
    resolv_conf_init();
    icmp_error_init();
    netif_add_ext_callback(&status_cb, status_changed);
    wait_add_poll_hook(net_poll);  /* every blocking call's wait_until drives the stack too */
    timer_add_tick_hook(net_flush);   /* the bound on a queued frame's wait (net.h) */
    for (struct net_device *d = devices; d; d = d->next)
        bring_up(d, d == devices);
    net_flush();   /* DHCP's first discover leaves now, not at the next tick */
}

/* Without a NIC lwIP serves loopback only, and only to a program that makes an inet socket:
 * its bring-up (1.4 ms under TCG, nearly all of it translating code that runs once) waits for
 * the first one (net_ready). With a NIC it starts here, so DHCP runs while the program starts. */
void net_init(void)
{
    if (!devices && !bootargs.nettest_echo)
        return;
    arch_irq_disable();
    start();
    if (bootargs.nettest_echo) {
        net_await_address();
        selftest_net_echo();
    }
    if (bootargs.nettest_http)
        selftest_net_http();          /* DHCP goes on in its loop's polls */
    arch_irq_enable();
}

void net_ready(void)
{
    if (!started)
        start();
    net_await_address();
}

bool net_started(void) { return started; }
uint64_t net_started_at(void) { return started_at; }

void net_catch_up(void)
{
    if (!started)
        return;
    uint64_t start = profile_enabled ? counter_now() : 0;
    if (work_pending) {
        work_pending = false;
        for (struct net_device *d = devices; d; d = d->next)
            d->ops->receive(d);
        if (profile_enabled)
            profile_event(PROFILE_NET_RECEIVE, counter_now() - start);
    }
    sys_check_timeouts();
    if_stats_netif_poll_all();     /* loopback traffic queued since the last poll */
}

/* The deferred output first, so that catching up delivers what it sent over loopback. */
void net_poll(void)
{
    if (!started)
        return;                    /* no NIC and no inet socket yet: nothing to drive */
    uint64_t start = profile_enabled && net_output_owed() ? counter_now() : 0;
    tcp_output_now();              /* what send() left to lwIP, now that the program waits */
    if (start)
        profile_event(PROFILE_NET_OUTPUT, counter_now() - start);
    net_catch_up();
    net_flush();                   /* one doorbell for every frame this poll answered with */
}

/* wfi with interrupts masked still wakes on a pending interrupt, so an interrupt arriving
 * between the check and wfi is not lost; unmasking then takes it. The tick bounds the wait. */
void net_wait_event(void)
{
    tcp_output_now();
    net_flush();                   /* what the caller queued must not wait out the idle */
    if (!work_pending) {
        cpu_idle();
        arch_irq_enable();
        arch_irq_disable();
    }
    net_poll();
}

int net_dns_servers(char (*out)[46], int max)
{
    int n = 0;
    for (u8_t i = 0; i < DNS_MAX_SERVERS && n < max; i++) {
        const ip_addr_t *a = dns_getserver(i);
        if (!ip_addr_isany(a))
            ipaddr_ntoa_r(a, out[n++], 46);
    }
    return n;
}
