/* Linux's TIME-WAIT reuse for lwIP (see kernel/net/timewait.c). */
#pragma once
#include <stddef.h>

/* Look at a received Ethernet frame before lwIP does. */
void tcp_timewait_reuse(const void *frame, size_t len);

#include <stdbool.h>
#include "lwip/ip_addr.h"
/* A TIME-WAIT connection on local port `port` (at ip, or any address) whose socket did not set
 * SO_REUSEADDR: Linux's bind conflict test wants both sockets to have set it. */
bool tcp_timewait_blocks_reuse(const ip_addr_t *ip, uint16_t port);
