/* The resolver's view of the network: once DHCP has named DNS servers, /etc/resolv.conf reads as
 * those servers, whatever the image holds (the image's file is the fallback for static addresses
 * or no network). The file is a kernel-made file (kfile.h), registered in net_init. */
#include "kernel.h"
#include "net.h"
#include "kfile.h"
#include "memfile.h"
#include <string.h>

#define MAX_SERVERS 3   /* glibc's MAXNS */

static struct file *resolv_conf_open(const char *path, int flags)
{
    char servers[MAX_SERVERS][46];
    char text[MAX_SERVERS * 64];
    size_t len = 0;
    net_await_address();   /* the servers come with the lease */
    int n = net_dns_servers(servers, MAX_SERVERS);
    if (n <= 0)
        return NULL;
    len += snprintf(text, sizeof(text), "# from DHCP, by the unibuild kernel\n");
    for (int i = 0; i < n; i++)
        len += snprintf(text + len, sizeof(text) - len, "nameserver %s\n", servers[i]);
    return memfile_open(text, len, 0644, flags);
}

void resolv_conf_init(void)
{
    kfile_register("/etc/resolv.conf", resolv_conf_open, 0);   /* the image's file when DHCP named none */
}
