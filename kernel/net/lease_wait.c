/* Waiting for DHCP where the address is first needed, not at boot. Boot starts DHCP on every
 * interface without a static address and goes on: a program that never makes an AF_INET or
 * AF_INET6 socket nor reads /etc/resolv.conf (hello) does not wait for DHCP's round trips (4-5 ms
 * under TCG of a 20 ms boot), and lwIP carries on in the background (device interrupts taken in
 * user mode and every wait poll it), so the `en1: assigned ADDR` line comes when the lease does.
 * The first call that needs an address waits here, as the boot used to, for at most
 * DHCP_WAIT_MS after the interface came up; a lease still missing then is one console line and
 * the call goes on without it (DHCP keeps asking). */
#include "kernel.h"
#include "errno.h"
#include "net.h"
#include "net_lease.h"
#include "timer.h"
#include "wait.h"
#include "lwip/dhcp.h"
#include "lwip/netif.h"

#define DHCP_WAIT_MS 3000
#define MAX_WAITING 4    /* interfaces whose first lease is awaited; later ones are not waited for */

static struct netif *waiting[MAX_WAITING];
static unsigned waiting_count;
static uint64_t started_ns, deadline_ns;

void net_lease_expect(struct netif *nif)
{
    if (waiting_count == MAX_WAITING)
        return;
    if (!waiting_count) {
        started_ns = wait_now_ns();
        deadline_ns = started_ns + (uint64_t)DHCP_WAIT_MS * 1000000;
    }
    waiting[waiting_count++] = nif;
}

static bool all_leased(void *arg)
{
    (void)arg;
    for (unsigned i = 0; i < waiting_count; i++)
        if (!dhcp_supplied_address(waiting[i]))
            return false;
    return true;
}

void net_await_address(void)
{
    if (!waiting_count)
        return;
    int r = 0;
    while (!all_leased(NULL) && (r = wait_until(all_leased, NULL, deadline_ns)) == 0)
        ;
    if (r == -EINTR)
        return;   /* a signal to act on: the call goes on, the next one waits out the rest */
    for (unsigned i = 0; i < waiting_count; i++) {
        char name[8];
        snprintf(name, sizeof(name), "%c%c%u", waiting[i]->name[0], waiting[i]->name[1], waiting[i]->num);
        if (dhcp_supplied_address(waiting[i]))
            kinfo("%s: DHCP lease in %lu ms\n", name, (wait_now_ns() - started_ns) / 1000000);
        else
            kprintf("%s: no DHCP lease after %d ms; still asking\n", name, DHCP_WAIT_MS);
    }
    waiting_count = 0;   /* waited once: later calls take the network as it is */
}
