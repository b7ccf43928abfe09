/* Linux's TIME-WAIT reuse for lwIP (see kernel/net/timewait.c). */
#pragma once
#include <stddef.h>

/* Look at a received Ethernet frame before lwIP does. */
void tcp_timewait_reuse(const void *frame, size_t len);
