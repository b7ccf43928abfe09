/* The kernel's network stack (lwIP, raw API) as the rest of the kernel sees it. lwIP is not
 * reentrant: every lwIP call, net_poll and net_wait_event happen with interrupts masked (as
 * syscalls run), never from an interrupt handler that interrupted kernel code. The socket layer
 * includes lwIP's headers (lwip/tcp.h, lwip/udp.h, ...) and calls tcp_*, udp_* directly. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

/* Bring up lwIP and one interface per registered device: en1, en2, ... (lo is lwIP's own). Each
 * gets a static address from the manifest's ip/netmask/gateway options or else starts DHCP,
 * without waiting for the lease (net_await_address); IPv6 link-local autoconfiguration starts
 * on all of them. Without a device nothing happens until net_ready. */
void net_init(void);
/* Before an AF_INET/AF_INET6 socket is made: lwIP started (a boot without a NIC defers it to
 * here), then net_await_address. Syscall context. */
void net_ready(void);
/* Before a call that needs the network's addresses (an inet socket, reading /etc/resolv.conf):
 * the first one waits up to 3 s for the leases DHCP was started for at boot
 * (kernel/net/lease_wait.c). Syscall context; cheap once settled. */
void net_await_address(void);
/* Deliver received frames to lwIP, run its due timers, flush loopback traffic. Cheap when
 * nothing is pending. wait_until (wait.h) runs it on every pass, and the trap path after every
 * interrupt taken in user mode, so the stack keeps up while a program computes or sleeps. */
void net_poll(void);
/* net_poll without its flush: for socket calls that only need the stack up to date before
 * they look at a socket (socket_pump). A server's recv, send, recv, send ... over many
 * connections then rings the doorbell once per pass of its event loop (or per NET_TX_BATCH
 * frames), not once per call. */
void net_catch_up(void);
/* Tell the devices about the frames queued since the last flush: one doorbell for all of them
 * (~40-90 us each under TCG), not one per frame. net_poll ends with it (every blocking wait
 * polls before it sleeps), net_wait_event starts with it, netif.c flushes every NET_TX_BATCH
 * frames, and every timer tick runs it (a tick hook: interrupt handlers hold the kernel lock,
 * and the flush touches only the transmit queue, never lwIP). So a frame a system call queued
 * leaves at the program's next blocking call, after 15 more frames, or at the latest at the
 * next tick (10 ms) when the program computes without blocking: a server's send() + close() +
 * epoll_wait() rings once, not twice. Interrupts masked, kernel lock held. */
void net_flush(void);
/* True while send() left data to lwIP that the next net_poll builds into segments (kernel/net/
 * tcp_output_later.c): a CPU other than the one device interrupts go to polls for it after an
 * interrupt in user mode, so a thread that sends and then computes there is not left waiting. */
bool net_output_owed(void);
/* Wait for anything that may change network state (a device interrupt or the next timer tick,
 * at most 1/TICK_HZ), then net_poll. For kernel loops outside a syscall (boot's DHCP wait);
 * blocking socket calls use wait_until, which polls the stack through its hook.
 * Called with interrupts masked; interrupts are taken inside. */
void net_wait_event(void);
/* The profile's network lines: frames received and sent, by kind (SYN, pure ACK, data, data+FIN,
 * ...), for frames per request. Nothing when no frame moved. */
void net_profile_report(const char *prefix);
/* True once lwIP is up (net_init with a NIC, else the first inet socket's net_ready). */
bool net_started(void);
/* Packets and bytes an interface moved (net/if_stats.c): counted by the glue, as lwIP keeps
 * none. No multicast count: virtio-net's driver on Linux keeps none either. */
struct netif;
struct if_stats { uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes; };
const struct if_stats *if_stats_of(const struct netif *n);
void if_stats_count(const struct netif *n, bool rx, uint32_t bytes);
/* lwIP's netif_poll_all, counting what it delivers as lo's traffic. */
void if_stats_netif_poll_all(void);
/* counter_now() when lwIP came up (its interfaces' addresses date from then). */
uint64_t net_started_at(void);
struct process;
/* At exit, before the status is reported: close p's sockets and let their queued data and FINs
 * reach the peers (acknowledged), for at most 2 s (kernel/net/drain.c). */
void net_drain_at_exit(struct process *p);
/* The DNS servers lwIP learnt (DHCP) or was given, for the image's resolver view: up to max
 * dotted/colon strings written to out[i] (each at least 46 bytes); returns how many. */
int net_dns_servers(char (*out)[46], int max);

/* Make /etc/resolv.conf a kernel-made file (kfile.h): it reads as the DNS servers DHCP named,
 * and falls through to the image's file while there are none. */
void resolv_conf_init(void);
