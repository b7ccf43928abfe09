/* The boundary between network device drivers (virtio-net) and the network stack glue
 * (net/netif.c). A driver registers a net_device at probe time, before the stack exists; the
 * glue gives each one an lwIP netif in net_init. Drivers never call lwIP: they see frames only
 * through the calls below, and call net_device_input and net_frame_copy only from net_poll's
 * context (never from their interrupt handler). */
#pragma once
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

struct net_device;

/* A frame the stack wants sent, as the stack holds it (the glue's own buffers). */
struct net_frame {
    const void *stack_buffer;
    uint16_t len;                  /* bytes in the frame */
};

#define NETDEV_MAX_FRAME 1514      /* Ethernet header + 1500-byte MTU, no FCS */

struct net_device_ops {
    /* Queue one frame (f->len bytes, at most NETDEV_MAX_FRAME) for sending; the driver copies
     * it out with net_frame_copy and the caller keeps it. Returns false when the device has no
     * room right now. */
    bool (*transmit)(struct net_device *dev, const struct net_frame *f);
    /* Tell the device about every frame transmit() queued since the last flush (net_flush in
     * net.h says when the glue calls it). */
    void (*flush)(struct net_device *dev);
    /* Hand every frame received since the last call to net_device_input; re-post buffers. */
    void (*receive)(struct net_device *dev);
};

struct net_device {
    const char *driver;            /* "virtio-net", for messages */
    uint8_t mac[6];
    uint16_t mtu;
    bool tx_csum_offload;          /* the device fills in TCP/UDP checksums we leave partial */
    const struct net_device_ops *ops;
    void *driver_data;
    void *netif;                   /* the glue's struct netif, once net_init ran */
    struct net_device *next;
};

void net_device_register(struct net_device *dev);
/* How many drivers registered (the NICs en1..enN /sys/class/net lists before net_init). */
int net_device_count(void);
/* From a driver's receive(): one received Ethernet frame; the stack copies what it keeps. */
void net_device_input(struct net_device *dev, const void *frame, size_t len);
/* From a driver's interrupt handler: frames or completions are waiting for net_poll. */
void net_device_wake(struct net_device *dev);
/* From a driver's transmit(): the frame's f->len bytes, contiguous, into dst. */
void net_frame_copy(const struct net_frame *f, void *dst);
