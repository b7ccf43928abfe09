/* Linux's TIME-WAIT reuse for lwIP (see kernel/net/timewait.c). */
#pragma once
#include <stdbool.h>
#include "lwip/ip_addr.h"

struct tcp_frame;
/* A received SYN, before lwIP sees it: retires the TIME-WAIT pcb it reuses (and the oldest, past
 * the bound). True when a TIME-WAIT pcb still has its port pair, so lwIP's walk may find one. */
bool tcp_timewait_reuse(const struct tcp_frame *syn);

/* A TIME-WAIT connection on local port `port` (at ip, or any address) whose socket did not set
 * SO_REUSEADDR: Linux's bind conflict test wants both sockets to have set it. */
bool tcp_timewait_blocks_reuse(const ip_addr_t *ip, uint16_t port);
