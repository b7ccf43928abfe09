/*
 * init: PID 1 of the Linux reference guest (bench/linux_guest.py). Debian's arm64 kernel has
 * virtio-pci and virtio-net as modules and no CONFIG_IP_PNP (no `ip=` boot parameter), so this
 * does what an initramfs's init would, and nothing else:
 *
 *   1. loads the modules named in /modules/order, in that order (finit_module; the list is
 *      already sorted so that each module's dependencies come before it);
 *   2. brings up lo, and eth0 with the address the user-mode backend (passt or slirp) expects:
 *      the kernel parameters netaddr=A.B.C.D/PREFIX and netgw=A.B.C.D, which Linux hands to init
 *      as environment variables (unknown parameters without a dot), plus a default route;
 *   3. runs the program given after `--` on the kernel command line (Linux passes those words
 *      as init's arguments), waits for it, and powers off with one line giving its status.
 *
 * Every failure is one line on the console and a power-off, never a panic or a hang.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MODULES_DIR "/modules"
#define ETH "eth0"
#define ETH_WAIT_MS 10000   /* a probe that has not made eth0 by then never will */

static void power_off(void)
{
    sync();
    reboot(RB_POWER_OFF);
    for (;;)
        pause();   /* reboot() does not return for PID 1 with CAP_SYS_BOOT */
}

static void die(const char *what)
{
    fprintf(stderr, "linux-guest init: %s: %s\n", what, strerror(errno));
    power_off();
}

static void load_modules(void)
{
    FILE *order = fopen(MODULES_DIR "/order", "r");
    if (order == NULL)
        die(MODULES_DIR "/order");
    char name[256];
    while (fgets(name, sizeof name, order) != NULL) {
        name[strcspn(name, "\n")] = '\0';
        if (name[0] == '\0')
            continue;
        char path[512];
        snprintf(path, sizeof path, MODULES_DIR "/%s", name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            die(path);
        if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)
            die(path);
        close(fd);
    }
    fclose(order);
}

static void set_addr(int sock, unsigned long request, const char *ifname, struct in_addr addr, const char *what)
{
    struct ifreq ifr = {0};
    struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    sin->sin_family = AF_INET;
    sin->sin_addr = addr;
    if (ioctl(sock, request, &ifr) != 0)
        die(what);
}

static void set_up(int sock, const char *ifname)
{
    struct ifreq ifr = {0};
    strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) != 0)
        die("SIOCGIFFLAGS");
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    if (ioctl(sock, SIOCSIFFLAGS, &ifr) != 0)
        die("SIOCSIFFLAGS");
}

/* eth0 appears when virtio_net's probe has run; normally before finit_module returns. */
static void wait_for_eth(void)
{
    for (int waited = 0; if_nametoindex(ETH) == 0; waited += 10) {
        if (waited >= ETH_WAIT_MS) {
            errno = ENODEV;
            die(ETH);
        }
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
}

static struct in_addr parse_ipv4(const char *text, const char *what)
{
    struct in_addr addr;
    if (text == NULL || inet_pton(AF_INET, text, &addr) != 1) {
        fprintf(stderr, "linux-guest init: %s '%s' is not an IPv4 address\n", what, text ? text : "(unset)");
        power_off();
    }
    return addr;
}

static void configure_network(void)
{
    char address[64];
    const char *given = getenv("netaddr");
    snprintf(address, sizeof address, "%s", given ? given : "");
    char *slash = strchr(address, '/');
    int prefix = slash ? atoi(slash + 1) : -1;
    if (slash)
        *slash = '\0';
    if (prefix < 1 || prefix > 30) {
        fprintf(stderr, "linux-guest init: netaddr=%s needs a prefix length /1../30\n", given ? given : "");
        power_off();
    }
    struct in_addr ip = parse_ipv4(address, "netaddr");
    struct in_addr gw = parse_ipv4(getenv("netgw"), "netgw");
    struct in_addr mask = {htonl(~0u << (32 - prefix))};

    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        die("socket");
    set_up(sock, "lo");
    wait_for_eth();
    set_addr(sock, SIOCSIFADDR, ETH, ip, "SIOCSIFADDR");
    set_addr(sock, SIOCSIFNETMASK, ETH, mask, "SIOCSIFNETMASK");
    set_up(sock, ETH);

    struct rtentry route = {0};
    struct sockaddr_in *dst = (struct sockaddr_in *)&route.rt_dst;
    struct sockaddr_in *gateway = (struct sockaddr_in *)&route.rt_gateway;
    struct sockaddr_in *genmask = (struct sockaddr_in *)&route.rt_genmask;
    dst->sin_family = gateway->sin_family = genmask->sin_family = AF_INET;
    gateway->sin_addr = gw;
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    route.rt_dev = ETH;
    if (ioctl(sock, SIOCADDRT, &route) != 0)
        die("SIOCADDRT (default route)");
    close(sock);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "linux-guest init: no program; put `-- PROGRAM ARGS` on the kernel command line\n");
        power_off();
    }
    /* What a program may look at; none of it is on the request path. */
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    load_modules();
    configure_network();

    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        execv(argv[1], argv + 1);
        fprintf(stderr, "linux-guest init: exec %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    if (WIFSIGNALED(status))
        fprintf(stderr, "linux-guest init: %s killed by signal %d\n", argv[1], WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "linux-guest init: %s exited with status %d\n", argv[1], WEXITSTATUS(status));
    power_off();
}
