/* The first DHCP lease, awaited where an address is first needed (kernel/net/lease_wait.c). */
#pragma once

struct netif;
/* nif started DHCP at boot: the first net_await_address waits for its lease. */
void net_lease_expect(struct netif *nif);
