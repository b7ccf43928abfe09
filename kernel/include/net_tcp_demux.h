/* A received segment's connection found before lwIP walks its lists (see kernel/net/tcp_demux.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

struct tcp_pcb;
/* What tcp_demux_before changed that tcp_demux_after undoes. */
struct tcp_demux {
    bool hidden;                          /* lwIP's lists are empty for this one segment */
    struct tcp_pcb *active, *time_wait;   /* ... and these were their heads */
};

/* Called with the received Ethernet frame just before lwIP's input of it, and after it. */
void tcp_demux_before(const void *frame, size_t len, struct tcp_demux *d);
void tcp_demux_after(const struct tcp_demux *d);
