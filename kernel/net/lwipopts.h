/* lwIP configuration for the kernel: one thread, no OS (NO_SYS=1), the raw callback API only;
 * the socket layer (kernel/net/, syscalls) sits on tcp_*, udp_* and raw_* directly. Memory comes
 * from the kernel heap so limits follow the machine's memory rather than fixed pools. */
#pragma once

/* ---- system ---- */
#define NO_SYS                        1
#define SYS_LIGHTWEIGHT_PROT          0    /* lwIP runs in one context at a time: see net/netif.c */
#define LWIP_SOCKET                   0
#define LWIP_NETCONN                  0
#define LWIP_TIMERS                   1

/* Ephemeral ports: the range /proc/sys/net/ipv4/ip_local_port_range shows. */
#include "sysctl_limits.h"
#define TCP_LOCAL_PORT_RANGE_START    EPHEMERAL_PORT_FIRST
#define TCP_LOCAL_PORT_RANGE_END      EPHEMERAL_PORT_LAST
#define UDP_LOCAL_PORT_RANGE_START    EPHEMERAL_PORT_FIRST
#define UDP_LOCAL_PORT_RANGE_END      EPHEMERAL_PORT_LAST
/* lwIP's own mapping of a random number into the range, needed once the range is given. */
#define TCP_ENSURE_LOCAL_PORT_RANGE(port) ((u16_t)(((port) & (u16_t)~EPHEMERAL_PORT_FIRST) + EPHEMERAL_PORT_FIRST))
#define UDP_ENSURE_LOCAL_PORT_RANGE(port) ((u16_t)(((port) & (u16_t)~EPHEMERAL_PORT_FIRST) + EPHEMERAL_PORT_FIRST))

/* ---- memory: the kernel heap (kmalloc is 16-byte aligned) ---- */
#define MEM_LIBC_MALLOC               1
#define MEMP_MEM_MALLOC               1
#define MEM_ALIGNMENT                 8
#define mem_clib_malloc               kmalloc
#define mem_clib_free                 kfree
#define mem_clib_calloc(n, s)         kzalloc((size_t)(n) * (size_t)(s))
#include <stddef.h>
void *kmalloc(size_t size);
void *kzalloc(size_t size);
void kfree(void *p);
/* Upper bounds the sanity checks compare against (no pool is preallocated). */
#define MEMP_NUM_TCP_PCB              256
#define MEMP_NUM_TCP_PCB_LISTEN       64
#define MEMP_NUM_UDP_PCB              64
#define MEMP_NUM_RAW_PCB              16
#define MEMP_NUM_TCP_SEG              1024
#define MEMP_NUM_PBUF                 256
#define PBUF_POOL_SIZE                256
#define MEMP_NUM_SYS_TIMEOUT          (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 16)

/* ---- protocols ---- */
#define LWIP_IPV4                     1
#define LWIP_IPV6                     1
#define LWIP_ARP                      1
#define LWIP_ETHERNET                 1
#define LWIP_ICMP                     1
#define IP_DEFAULT_TTL                64   /* Linux's ip_default_ttl and IPv6 hop_limit */
#define LWIP_RAW                      1
#define LWIP_UDP                      1
#define LWIP_UDPLITE                  1    /* IPPROTO_UDPLITE sockets (RFC 3828) */
#define LWIP_TCP                      1
#define LWIP_DHCP                     1
/* slirp, cloud VPCs and bridges hand out unique addresses; the ARP probe would add a second to
 * every boot before the address binds. */
#define DHCP_DOES_ARP_CHECK           0
#define LWIP_AUTOIP                   0
#define LWIP_IGMP                     0
#define LWIP_DNS                      1
#define DNS_MAX_SERVERS               2
#define IP_REASSEMBLY                 1
#define IP_FRAG                       1
#define LWIP_IPV6_MLD                 1
#define LWIP_IPV6_AUTOCONFIG          1    /* SLAAC from router advertisements */
#define LWIP_IPV6_SEND_ROUTER_SOLICIT 1
#define LWIP_IPV6_DHCP6               0
#define LWIP_IPV6_NUM_ADDRESSES       3
#define LWIP_IPV6_FRAG                1
#define LWIP_IPV6_REASS               1
#define IPV6_FRAG_COPYHEADER          1    /* 64-bit pointers do not fit in the fragment header */
#define LWIP_ND6_RDNSS_MAX_DNS_SERVERS 0

/* ---- TCP ---- */
/* TIME-WAIT lasts 2 * TCP_MSL: 60 s, as Linux's TCP_TIMEWAIT_LEN. */
#define TCP_MSL                       30000UL
#define TCP_MSS                       1460
#define LWIP_WND_SCALE                1
#define TCP_RCV_SCALE                 2
#define TCP_WND                       (64 * TCP_MSS)
#define TCP_SND_BUF                   (64 * TCP_MSS)
#define TCP_SND_QUEUELEN              (4 * TCP_SND_BUF / TCP_MSS)
#define TCP_LISTEN_BACKLOG            1
#define TCP_QUEUE_OOSEQ               1
#define LWIP_TCP_KEEPALIVE            1
#define LWIP_TCP_TIMESTAMPS           0
#define SO_REUSE                      1

/* ---- interfaces ---- */
#define LWIP_NETIF_EXT_STATUS_CALLBACK 1
#define LWIP_NETIF_HOSTNAME           1
#define LWIP_NETIF_LOOPBACK           1
#define LWIP_HAVE_LOOPIF              1    /* lo is netif 0, so the first NIC is en1 (as in Nanos) */
#define LWIP_LOOPBACK_MAX_PBUFS       0
#define LWIP_CHECKSUM_CTRL_PER_NETIF  1    /* virtio-net may take TCP/UDP checksums off our hands */
#include "net_chksum.h"
#define LWIP_CHKSUM                   net_chksum   /* 8 bytes a load (net/chksum.c) */
#define ETH_PAD_SIZE                  0

/* ---- diagnostics (LWIP_DEBUG stays undefined: lwIP tests it with #ifdef) ---- */
#define LWIP_STATS                    0
/* lo's packet counters (net/if_stats.c): loopback packets reach no netif function to wrap. */
struct pbuf;
struct netif;
int if_stats_ip_input(struct pbuf *p, struct netif *inp);
#define LWIP_HOOK_IP4_INPUT(p, inp)   if_stats_ip_input(p, inp)
#define LWIP_HOOK_IP6_INPUT(p, inp)   if_stats_ip_input(p, inp)
/* Initial sequence numbers unguessable from off the path (net/tcp_isn.c, RFC 6528). */
#include <stdint.h>
struct ip_addr;
uint32_t net_tcp_isn(const struct ip_addr *local, uint16_t local_port, const struct ip_addr *remote,
                     uint16_t remote_port);
#define LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port) \
    net_tcp_isn(local_ip, local_port, remote_ip, remote_port)
