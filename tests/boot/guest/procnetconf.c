/* Interfaces and sockets as Linux shows them, for tests/boot/test_procnet.py: the SIOCGIF*
 * requests (SIOCGIFCONF's length rules, each getter on lo, errors, the setters' checks) on
 * AF_INET, AF_INET6 and AF_UNIX sockets, and /proc/net/{dev,tcp,tcp6,udp,udp6,unix}: their
 * headers and line widths, and the line of each socket this program made (found by its inode),
 * with ports and paths printed as names; /proc/net/route and if_inet6 whole; lo's /sys/class/net. Run in the guest with --net none, and on Linux inside a
 * fresh network namespace (PROCNET_NETNS=1: lo only, brought up here; nothing else is changed).
 * Pointers, reference counts, RTO and window columns are not printed: they are the kernel's
 * bookkeeping, not the program's view. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_print.h"

#ifndef SIOCGIFMAP
#define SIOCGIFMAP 0x8970
#endif

static void lo_up_in_fresh_netns(void)
{
    if (!getenv("PROCNET_NETNS"))
        return;
    struct if_nameindex *ni = if_nameindex();
    int only_lo = ni && ni[0].if_name && !strcmp(ni[0].if_name, "lo") && !ni[1].if_name;
    if_freenameindex(ni);
    if (!only_lo) {
        say("PROCNET_NETNS set but this is not a fresh namespace: refusing to touch interfaces\n");
        exit(1);
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
        ifr.ifr_flags |= IFF_UP;
        ioctl(s, SIOCSIFFLAGS, &ifr);
    }
    close(s);
    usleep(200000);
}

static const char *in4(const struct sockaddr *sa)
{
    static char buf[64];
    const struct sockaddr_in *sin = (const void *)sa;
    snprintf(buf, sizeof(buf), "family %d %s port %d", sin->sin_family, inet_ntoa(sin->sin_addr), sin->sin_port);
    return buf;
}

static void ifconf(int fd)
{
    struct ifconf ifc = { 0 };
    r("SIOCGIFCONF NULL buffer", ioctl(fd, SIOCGIFCONF, &ifc));
    say("   needed %d (ifreq %zu)\n", ifc.ifc_len, sizeof(struct ifreq));
    struct ifreq reqs[8];
    int sizes[] = { (int)sizeof(reqs), (int)sizeof(struct ifreq), (int)sizeof(struct ifreq) - 1, 0, -5 };
    for (int i = 0; i < 5; i++) {
        memset(reqs, 0x55, sizeof(reqs));
        ifc.ifc_len = sizes[i];
        ifc.ifc_req = reqs;
        long ret = ioctl(fd, SIOCGIFCONF, &ifc);
        say("   SIOCGIFCONF len %d: %ld len now %d\n", sizes[i], ret, ifc.ifc_len);
        for (int k = 0; ret == 0 && k < ifc.ifc_len / (int)sizeof(struct ifreq); k++)
            say("     %s %s\n", reqs[k].ifr_name, in4(&reqs[k].ifr_addr));
    }
    r("SIOCGIFCONF bad ifconf", ioctl(fd, SIOCGIFCONF, (void *)8));
    ifc.ifc_len = sizeof(reqs);
    ifc.ifc_buf = (void *)8;
    r("SIOCGIFCONF bad buffer", ioctl(fd, SIOCGIFCONF, &ifc));
}

static long req(int fd, unsigned long cmd, const char *name, struct ifreq *ifr)
{
    memset(ifr, 0, sizeof(*ifr));
    strncpy(ifr->ifr_name, name, IFNAMSIZ - 1);
    return ioctl(fd, cmd, ifr);
}

/* Every getter on one socket, for lo and the names that fail. */
static void getters(int fd)
{
    struct ifreq ifr;
    static const struct { unsigned long cmd; const char *name; } addr_reqs[] = {
        { SIOCGIFADDR, "SIOCGIFADDR" }, { SIOCGIFNETMASK, "SIOCGIFNETMASK" },
        { SIOCGIFBRDADDR, "SIOCGIFBRDADDR" }, { SIOCGIFDSTADDR, "SIOCGIFDSTADDR" },
    };
    const char *names[] = { "lo", "lo:0", "nosuch" };
    for (int n = 0; n < 3; n++) {
        say("   %s:\n", names[n]);
        long ret = req(fd, SIOCGIFFLAGS, names[n], &ifr);
        if (ret == 0)
            say("   flags = %#x\n", (unsigned short)ifr.ifr_flags);
        else
            r("flags", ret);
        for (int i = 0; i < 4; i++) {
            ret = req(fd, addr_reqs[i].cmd, names[n], &ifr);
            if (ret == 0)
                say("   %s = %s\n", addr_reqs[i].name, in4(&ifr.ifr_addr));
            else
                r(addr_reqs[i].name, ret);
        }
        ret = req(fd, SIOCGIFHWADDR, names[n], &ifr);
        if (ret == 0)
            say("   hwaddr family %d %02x:%02x:%02x:%02x:%02x:%02x\n", ifr.ifr_hwaddr.sa_family,
                (unsigned char)ifr.ifr_hwaddr.sa_data[0], (unsigned char)ifr.ifr_hwaddr.sa_data[1],
                (unsigned char)ifr.ifr_hwaddr.sa_data[2], (unsigned char)ifr.ifr_hwaddr.sa_data[3],
                (unsigned char)ifr.ifr_hwaddr.sa_data[4], (unsigned char)ifr.ifr_hwaddr.sa_data[5]);
        else
            r("hwaddr", ret);
        ret = req(fd, SIOCGIFMTU, names[n], &ifr);
        say("   mtu %ld %d\n", ret, ret ? -errno : ifr.ifr_mtu);
        ret = req(fd, SIOCGIFINDEX, names[n], &ifr);
        say("   index %ld %d\n", ret, ret ? -errno : ifr.ifr_ifindex);
        ret = req(fd, SIOCGIFTXQLEN, names[n], &ifr);
        say("   txqlen %ld %d\n", ret, ret ? -errno : ifr.ifr_qlen);
        ret = req(fd, SIOCGIFMETRIC, names[n], &ifr);
        say("   metric %ld %d\n", ret, ret ? -errno : ifr.ifr_metric);
        memset(&ifr.ifr_map, 0x55, sizeof(ifr.ifr_map));
        ret = req(fd, SIOCGIFMAP, names[n], &ifr);
        say("   map %ld %lx %lx %x %x %x %x\n", ret, ifr.ifr_map.mem_start, ifr.ifr_map.mem_end,
            ifr.ifr_map.base_addr, ifr.ifr_map.irq, ifr.ifr_map.dma, ifr.ifr_map.port);
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_ifindex = 1;
    r("SIOCGIFNAME 1", ioctl(fd, SIOCGIFNAME, &ifr));
    say("   name %s\n", ifr.ifr_name);
    ifr.ifr_ifindex = 99;
    r("SIOCGIFNAME 99", ioctl(fd, SIOCGIFNAME, &ifr));
    r("SIOCGIFFLAGS bad pointer", ioctl(fd, SIOCGIFFLAGS, (void *)8));
    /* an ifreq is 40 bytes: one that ends 32 bytes before an unmapped page is not whole */
    char *page = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(page + 4096, 4096);
    strcpy(page + 4096 - 32, "lo");
    r("SIOCGIFFLAGS 32-byte ifreq", ioctl(fd, SIOCGIFFLAGS, page + 4096 - 32));
    munmap(page, 4096);
    r("SIOCGIFMEM", req(fd, 0x891f, "lo", &ifr));
    r("SIOCDEVPRIVATE+15", req(fd, 0x89ff, "lo", &ifr));
    r("SIOCDEVPRIVATE nosuch", req(fd, 0x89f0, "nosuch", &ifr));
    r("unknown 0x8950", req(fd, 0x8950, "lo", &ifr));
}

/* The setters: as root, what keeps lo as it is, and what Linux refuses; unprivileged, EPERM. */
static void setters(int fd, int privileged)
{
    struct ifreq ifr;
    req(fd, SIOCGIFFLAGS, "lo", &ifr);
    r("SIOCSIFFLAGS same", ioctl(fd, SIOCSIFFLAGS, &ifr));
    strcpy(ifr.ifr_name, "nosuch");
    r("SIOCSIFFLAGS nosuch", ioctl(fd, SIOCSIFFLAGS, &ifr));
    req(fd, SIOCGIFMTU, "lo", &ifr);
    r("SIOCSIFMTU same", ioctl(fd, SIOCSIFMTU, &ifr));
    req(fd, SIOCGIFMTU, "lo", &ifr);
    ifr.ifr_mtu = -1;
    r("SIOCSIFMTU -1", ioctl(fd, SIOCSIFMTU, &ifr));
    req(fd, SIOCGIFTXQLEN, "lo", &ifr);
    r("SIOCSIFTXQLEN same", ioctl(fd, SIOCSIFTXQLEN, &ifr));
    req(fd, SIOCGIFTXQLEN, "lo", &ifr);
    ifr.ifr_qlen = -1;
    r("SIOCSIFTXQLEN -1", ioctl(fd, SIOCSIFTXQLEN, &ifr));
    r("SIOCSIFMETRIC", req(fd, SIOCSIFMETRIC, "lo", &ifr));
    r("SIOCSIFMAP", req(fd, SIOCSIFMAP, "lo", &ifr));
    req(fd, SIOCGIFHWADDR, "lo", &ifr);
    r("SIOCSIFHWADDR", ioctl(fd, SIOCSIFHWADDR, &ifr));
    req(fd, SIOCGIFADDR, "lo", &ifr);
    ifr.ifr_addr.sa_family = AF_INET6;
    r("SIOCSIFADDR family AF_INET6", ioctl(fd, SIOCSIFADDR, &ifr));
    req(fd, SIOCGIFADDR, "nosuch", &ifr);
    ifr.ifr_addr.sa_family = AF_INET;
    strcpy(ifr.ifr_name, "nosuch");
    r("SIOCSIFNETMASK nosuch", ioctl(fd, SIOCSIFNETMASK, &ifr));
    (void)privileged;
}

static void section_ioctls(void)
{
    int fams[] = { AF_INET, AF_INET6, AF_UNIX };
    const char *fam_names[] = { "AF_INET", "AF_INET6", "AF_UNIX" };
    for (int i = 0; i < 3; i++) {
        say("%d. interface requests on %s\n", i + 1, fam_names[i]);
        int fd = socket(fams[i], SOCK_DGRAM, 0);
        ifconf(fd);
        getters(fd);
        say("   as root:\n");
        setters(fd, 1);
        pid_t child = fork();
        if (child == 0) {
            alarm(20);
            if (setuid(65534)) {
                say("setuid failed\n");
                _exit(1);
            }
            say("   unprivileged:\n");
            setters(fd, 0);
            _exit(0);
        }
        int status;
        waitpid(child, &status, 0);
        close(fd);
    }
}

static char *slurp(const char *path)
{
    static char buf[1 << 17];
    FILE *f = fopen(path, "r");
    if (!f) {
        say("   %s: %s\n", path, strerrorname_np(errno));
        buf[0] = 0;
        return buf;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static void section_dev(void)
{
    say("4. /proc/net/dev\n");
    char *t = slurp("/proc/net/dev");
    int line = 0;
    for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n"), line++) {
        if (line < 2) {
            say("   [%s]\n", l);
            continue;
        }
        char name[32];
        unsigned long v[16];
        int n = sscanf(l, " %31[^:]: %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu %lu", name, &v[0], &v[1],
                       &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14],
                       &v[15]);
        say("   %s: %d fields, name column %d wide, errors %lu %lu %lu %lu\n", name, n, (int)(strchr(l, ':') - l), v[2],
            v[3], v[10], v[11]);
    }
}

/* Our sockets, by inode, and their ports and paths, by the names printed for them. */
struct mine {
    unsigned long ino;
    const char *name;
};
static struct mine mine[32];
static int nmine;
static struct { int port; const char *name; } ports[16];
static int nports;

static void remember(int fd, const char *name)
{
    struct stat st;
    fstat(fd, &st);
    mine[nmine].ino = st.st_ino;
    mine[nmine++].name = name;
}


static int local_port(int fd, const char *name)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &len);
    int port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    ports[nports].port = port;
    ports[nports++].name = name;
    return port;
}

/* "ADDR:PORT" with a port of ours as its name. */
static void put_endpoint(const char *ep)
{
    const char *colon = strrchr(ep, ':');
    int port = (int)strtol(colon + 1, NULL, 16);
    const char *pname = NULL;
    for (int i = 0; i < nports; i++)
        if (ports[i].port == port && port)
            pname = ports[i].name;
    if (pname)
        say(" %.*s:<%s>", (int)(colon - ep), ep, pname);
    else
        say(" %.*s:%04X", (int)(colon - ep), ep, port);
}

/* The header, every line's width and our sockets' lines of one tcp/udp file, in our order. */
static void inet_file(const char *path, int udp)
{
    static char copy[1 << 17];
    say("   %s\n", path);
    char *t = slurp(path);
    strcpy(copy, t);
    char *first_nl = strchr(copy, '\n');
    if (first_nl)
        *first_nl = 0;
    say("   header [%s]\n", copy);
    int widths_ok = 1, lines = 0;
    size_t header_len = first_nl ? strlen(copy) : 0;
    char *rows[64];
    for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n")) {
        if (strlen(l) != header_len && !strchr(path, '6'))
            widths_ok = 0;
        if (lines < 64)
            rows[lines] = l;
        lines++;
    }
    say("   every line as wide as the header: %d\n", widths_ok);
    for (int m = 0; m < nmine; m++)
        for (int i = 1; i < lines && i < 64; i++) {
            char sl[16], local[64], remote[64], st[8], queues[32], timer[32], retr[16], uid[16], tmo[16];
            unsigned long ino;
            if (sscanf(rows[i], "%15s %63s %63s %7s %31s %31s %15s %15s %15s %lu", sl, local, remote, st, queues, timer,
                       retr, uid, tmo, &ino) != 10 || ino != mine[m].ino)
                continue;
            say("   %s:", mine[m].name);
            put_endpoint(local);
            put_endpoint(remote);
            if (udp) {                 /* rx_queue is buffer memory on Linux: only whether any */
                unsigned tx, rx;
                sscanf(queues, "%x:%x", &tx, &rx);
                say(" st %s tx %u rx %s timer %s retr %s uid %s timeout %s\n", st, tx, rx ? "some" : "none", timer,
                    retr, uid, tmo);
            } else {
                say(" st %s queues %s timer %s retr %s uid %s timeout %s\n", st, queues, timer, retr, uid, tmo);
            }
        }
}

static int tcp_listener(int family, const char *addr, const char *name)
{
    int fd = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (void *)&ss;
        sin->sin_family = AF_INET;
        inet_pton(AF_INET, addr, &sin->sin_addr);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (void *)&ss;
        sin6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, addr, &sin6->sin6_addr);
        len = sizeof(*sin6);
    }
    if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 8))
        say("   listen %s: %s\n", name, strerrorname_np(errno));
    local_port(fd, name);
    remember(fd, name);
    return fd;
}

static int connect_to(int family, const char *addr, int port, const char *name)
{
    int fd = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (void *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        inet_pton(AF_INET, addr, &sin->sin_addr);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (void *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        inet_pton(AF_INET6, addr, &sin6->sin6_addr);
        len = sizeof(*sin6);
    }
    if (connect(fd, (struct sockaddr *)&ss, len))
        say("   connect %s: %s\n", name, strerrorname_np(errno));
    local_port(fd, name);
    remember(fd, name);
    return fd;
}

static void section_tcp(void)
{
    say("5. /proc/net/tcp and tcp6\n");
    int l4 = tcp_listener(AF_INET, "127.0.0.1", "listener4");
    int l6 = tcp_listener(AF_INET6, "::1", "listener6");
    int dual = tcp_listener(AF_INET6, "::", "dual");
    int c4 = connect_to(AF_INET, "127.0.0.1", ports[0].port, "client4");
    int s4 = accept(l4, NULL, NULL);
    remember(s4, "server4");
    int c6 = connect_to(AF_INET6, "::1", ports[1].port, "client6");
    int s6 = accept(l6, NULL, NULL);
    remember(s6, "server6");
    int cd = connect_to(AF_INET, "127.0.0.1", ports[2].port, "client-to-dual");
    int sd = accept(dual, NULL, NULL);
    remember(sd, "server-dual");
    int pending = connect_to(AF_INET, "127.0.0.1", ports[0].port, "client-pending");
    write(c4, "hello", 5);             /* unread by server4: its receive queue */
    write(s6, "hi!", 3);               /* unread by client6 */
    for (int i = 0; i < 100; i++) {    /* until both are acknowledged (a delayed ACK: up to 200 ms) */
        int q4 = 0, q6 = 0;
        ioctl(c4, SIOCOUTQ, &q4);
        ioctl(s6, SIOCOUTQ, &q6);
        if (!q4 && !q6)
            break;
        usleep(20000);
    }
    inet_file("/proc/net/tcp", 0);
    inet_file("/proc/net/tcp6", 0);
    int fds[] = { l4, l6, dual, c4, s4, c6, s6, cd, sd, pending };
    for (int i = 0; i < 10; i++)
        close(fds[i]);
    nmine = nports = 0;
}

static int udp_socket(int family, const char *addr, int connect_port, const char *name)
{
    int fd = socket(family, SOCK_DGRAM, 0);
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    if (family == AF_INET) {
        struct sockaddr_in *sin = (void *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(connect_port);
        inet_pton(AF_INET, addr, &sin->sin_addr);
        len = sizeof(*sin);
    } else {
        struct sockaddr_in6 *sin6 = (void *)&ss;
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(connect_port);
        inet_pton(AF_INET6, addr, &sin6->sin6_addr);
        len = sizeof(*sin6);
    }
    if ((connect_port ? connect : bind)(fd, (struct sockaddr *)&ss, len))
        say("   %s: %s\n", name, strerrorname_np(errno));
    local_port(fd, name);
    remember(fd, name);
    return fd;
}

static void section_udp(void)
{
    say("6. /proc/net/udp and udp6\n");
    int b4 = udp_socket(AF_INET, "127.0.0.1", 0, "bound4");
    int b6 = udp_socket(AF_INET6, "::1", 0, "bound6");
    int any6 = udp_socket(AF_INET6, "::", 0, "any6");
    int c4 = udp_socket(AF_INET, "127.0.0.1", ports[0].port, "connected4");
    int c6 = udp_socket(AF_INET6, "::1", ports[1].port, "connected6");
    int unbound = socket(AF_INET, SOCK_DGRAM, 0);
    remember(unbound, "unbound");
    send(c4, "x", 1, 0);               /* queued on bound4 */
    usleep(100000);
    inet_file("/proc/net/udp", 1);
    inet_file("/proc/net/udp6", 1);
    int fds[] = { b4, b6, any6, c4, c6, unbound };
    for (int i = 0; i < 6; i++)
        close(fds[i]);
    nmine = nports = 0;
}

static void section_unix(const char *dir)
{
    say("7. /proc/net/unix\n");
    char path[200];
    snprintf(path, sizeof(path), "%s/procnet.sock", dir);
    unlink(path);
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    strcpy(a.sun_path, path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 4);
    remember(l, "listener");
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    remember(c, "client");
    int s = accept(l, NULL, NULL);
    remember(s, "accepted");
    int pair[2];
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair);
    remember(pair[0], "seqpacket-pair");
    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    remember(d, "dgram-unbound");
    int ab = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un abs = { .sun_family = AF_UNIX };
    memcpy(abs.sun_path, "\0procnet\0probe", 14);
    bind(ab, (struct sockaddr *)&abs, offsetof(struct sockaddr_un, sun_path) + 14);
    remember(ab, "abstract");
    char *t = slurp("/proc/net/unix");
    char *nl = strchr(t, '\n');
    say("   header [%.*s]\n", nl ? (int)(nl - t) : 0, t);
    for (int m = 0; m < nmine; m++)
        for (char *line = nl ? nl + 1 : t; line && *line;) {
            char *end = strchr(line, '\n');
            if (end)
                *end = 0;
            char num[32], refs[16], proto[16], flags[16], type[8], st[8], name[256] = "";
            unsigned long ino;
            int n = sscanf(line, "%31s %15s %15s %15s %7s %7s %lu %255[^\n]", num, refs, proto, flags, type, st, &ino, name);
            if (n >= 7 && ino == mine[m].ino) {
                const char *shown = !strcmp(name, path) ? "<path>" : name;
                say("   %s: protocol %s flags %s type %s st %s name [%s]\n", mine[m].name, proto, flags, type, st, shown);
            }
            if (end)
                *end = '\n';
            line = end ? end + 1 : NULL;
        }
    close(l);
    close(c);
    close(s);
    close(pair[0]);
    close(pair[1]);
    close(d);
    close(ab);
    unlink(path);
    nmine = 0;
}

static void section_routes(void)
{
    say("8. /proc/net/route and if_inet6\n");
    const char *files[] = { "/proc/net/route", "/proc/net/if_inet6" };
    for (int i = 0; i < 2; i++) {
        say("   %s\n", files[i]);
        char *t = slurp(files[i]);
        for (char *l = strtok(t, "\n"); l; l = strtok(NULL, "\n"))
            say("   [%s]\n", l);
    }
}

/* lo's sysfs attributes (the same in any namespace: the oracle's /sys is the host's), not its
 * counters. */
static void section_sysfs(void)
{
    say("9. /sys/class/net/lo\n");
    char target[256];
    ssize_t n = readlink("/sys/class/net/lo", target, sizeof(target) - 1);
    say("   link %.*s\n", n > 0 ? (int)n : 0, target);
    const char *attrs[] = { "address", "mtu", "ifindex", "flags", "operstate", "carrier", "type", "tx_queue_len" };
    for (int i = 0; i < 8; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/sys/class/net/lo/%s", attrs[i]);
        say("   %s: %s", attrs[i], slurp(path));
    }
    struct stat st;
    say("   statistics/rx_bytes: %s\n", stat("/sys/class/net/lo/statistics/rx_bytes", &st) ? strerrorname_np(errno) : "a file");
}

int main(int argc, char **argv)
{
    alarm(60);
    lo_up_in_fresh_netns();
    section_ioctls();
    section_dev();
    section_tcp();
    section_udp();
    section_unix(argc > 1 ? argv[1] : "/tmp");
    section_routes();
    section_sysfs();
    return 0;
}
