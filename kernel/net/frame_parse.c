/* Ethernet / IPv4 / IPv6 / TCP header reading for net_frame.h: every length comes from the frame
 * and is checked against the bytes we hold before it is used. */
#include "kernel.h"
#include "net_frame.h"

#define ETH_HEADER   14
#define ETHERTYPE_V4 0x0800
#define ETHERTYPE_V6 0x86dd
#define IPPROTO_TCP  6

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }

bool tcp_frame_parse(const uint8_t *head, size_t head_len, size_t frame_len, struct tcp_frame *out)
{
    if (head_len > frame_len || head_len < ETH_HEADER + 20)
        return false;
    const uint8_t *ip = head + ETH_HEADER;
    size_t left = head_len - ETH_HEADER, ip_header, ip_total;
    switch (be16(head + 12)) {
    case ETHERTYPE_V4:
        ip_header = (size_t)(ip[0] & 0xf) * 4;
        ip_total = be16(ip + 2);
        if ((ip[0] >> 4) != 4 || ip_header < 20 || left < ip_header + 20 || ip[9] != IPPROTO_TCP ||
            (be16(ip + 6) & 0x3fff))   /* a fragment: lwIP reassembles it, we leave it alone */
            return false;
        IP_ADDR4(&out->src, ip[12], ip[13], ip[14], ip[15]);
        break;
#if LWIP_IPV6
    case ETHERTYPE_V6:
        ip_header = 40;
        ip_total = 40 + (size_t)be16(ip + 4);
        if (left < 40 + 20 || (ip[0] >> 4) != 6 || ip[6] != IPPROTO_TCP)
            return false;
        IP_ADDR6(&out->src, PP_HTONL(be32(ip + 8)), PP_HTONL(be32(ip + 12)), PP_HTONL(be32(ip + 16)),
                 PP_HTONL(be32(ip + 20)));
        break;
#endif
    default:
        return false;
    }
    const uint8_t *tcp = ip + ip_header;
    size_t tcp_header = (size_t)(tcp[12] >> 4) * 4;
    if (tcp_header < 20 || ip_total < ip_header + tcp_header || ETH_HEADER + ip_total > frame_len)
        return false;
    out->tcp = tcp;
    out->flags = tcp[13];
    out->payload = (uint32_t)(ip_total - ip_header - tcp_header);
    return true;
}
