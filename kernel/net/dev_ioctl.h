/* What the interface requests share (dev_ioctl.c, devinet_ioctl.c): struct ifreq as the
 * Linux arm64 ABI lays it out (40 bytes: the name and a 24-byte union, ifmap the largest). */
#pragma once
#include <stdint.h>
#include <stdbool.h>

struct netif;

#define SIOCGIFNAME   0x8910
#define SIOCGIFFLAGS  0x8913
#define SIOCGIFMTU    0x8921
#define SIOCGIFHWADDR 0x8927
#define SIOCGIFINDEX  0x8933
#define SIOCGIFTXQLEN 0x8942

struct ifreq_k {
    char name[16];
    union {
        struct { uint16_t family; uint8_t data[14]; } addr;   /* a sockaddr */
        int16_t flags;
        int32_t ivalue;
        uint8_t map[24];               /* struct ifmap: mem_start, mem_end, base_addr, irq, dma, port */
    };
};
_Static_assert(sizeof(struct ifreq_k) == 40, "struct ifreq is 40 bytes on arm64");

/* The interface named name ("lo", "en1"), or NULL. */
struct netif *dev_by_name(const char *name);
/* EOPNOTSUPP for a change lwIP cannot make, logged once per request. */
int dev_ioctl_unsupported(uint32_t cmd);
/* The AF_INET socket's own requests (inet_ioctl -> devinet_ioctl): SIOC[GS]IF{ADDR,DSTADDR,
 * BRDADDR,NETMASK} and SIOCSIFFLAGS; devinet_ioctl_cmd: cmd is one of them. The AF_INET6
 * socket's (inet6_ioctl): SIOCSIFADDR, SIOCDIFADDR, SIOCSIFDSTADDR. */
bool devinet_ioctl_cmd(uint32_t cmd);
int64_t devinet_ioctl(uint32_t cmd, uint64_t arg);
bool addrconf_ioctl_cmd(uint32_t cmd);
int64_t addrconf_ioctl(uint32_t cmd, uint64_t arg);
