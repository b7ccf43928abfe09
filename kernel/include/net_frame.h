/* What a received or sent Ethernet frame says about itself as TCP: read from its headers only,
 * for the glue's looks at frames before lwIP sees them (TIME-WAIT reuse) or as they leave
 * (the profile's frame counts). lwIP's own parsing stays lwIP's. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "lwip/ip_addr.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

struct tcp_frame {
    const uint8_t *tcp;            /* the TCP header, inside the bytes given */
    ip_addr_t src;
    uint8_t flags;                 /* TCP_FLAG_* */
    uint32_t payload;              /* TCP payload bytes, from the IP lengths */
};

/* An unfragmented IPv4 or IPv6 (no extension headers) TCP frame: fills *out. head holds the
 * frame's first head_len bytes (enough for its headers), frame_len is the whole frame's. */
bool tcp_frame_parse(const uint8_t *head, size_t head_len, size_t frame_len, struct tcp_frame *out);

/* The profile's count of frames by kind, each way (kernel/net/frame_stats.c; the report is
 * net_profile_report in net.h). */
void frame_stats_count(bool sent, const uint8_t *head, size_t head_len, size_t frame_len);
