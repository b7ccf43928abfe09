/* Socket conformance sweep: every call's answer (return value or errno name, flags, lengths,
 * option values) printed section by section, loopback and AF_UNIX only. The oracle is this
 * program under qemu-aarch64-static on the host's kernel. Nothing that differs between two
 * correct kernels is printed: port numbers only as "nonzero", no addresses of the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/select.h>
#include <linux/sockios.h>
#include <linux/errqueue.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "probe_print.h"

/* A new descriptor is printed as "fd" (its number is the kernel's choice). */
static int rfd(const char *what, int fd)
{
    if (fd < 0)
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = fd\n", what);
    return fd;
}

static struct sockaddr_in lo4(int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len))
        return -1;
    return ntohs(a.sin_port);
}

static int tcp_listener(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo4(0);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    listen(fd, 8);
    return fd;
}

/* A port with nobody listening: bound then closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = lo4(0);
    bind(fd, (struct sockaddr *)&a, sizeof a);
    int port = port_of(fd);
    close(fd);
    return port;
}

static void tcp_pair(int *client, int *server)
{
    int l = tcp_listener();
    struct sockaddr_in a = lo4(port_of(l));
    *client = socket(AF_INET, SOCK_STREAM, 0);
    connect(*client, (struct sockaddr *)&a, sizeof a);
    *server = accept(l, NULL, NULL);
    close(l);
}

static void opt(const char *what, int fd, int level, int name)
{
    int v = -7;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len))
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = %d (len %u)\n", what, v, len);
}

static void revents(const char *what, int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP};
    int n = poll(&p, 1, 0);
    say("   poll %s = %d:%s%s%s%s%s\n", what, n, p.revents & POLLIN ? " IN" : "", p.revents & POLLOUT ? " OUT" : "",
        p.revents & POLLRDHUP ? " RDHUP" : "", p.revents & POLLHUP ? " HUP" : "", p.revents & POLLERR ? " ERR" : "");
}

static void sec_socket(void)
{
    say("1. socket\n");
    rfd("AF 12345", socket(12345, SOCK_STREAM, 0));
    rfd("AF_INET type 99", socket(AF_INET, 99, 0));
    rfd("AF_INET STREAM proto 17", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    rfd("AF_INET DGRAM proto 6", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    rfd("AF_INET STREAM proto 6", socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    rfd("AF_INET SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0));
    rfd("AF_UNIX STREAM proto 1", socket(AF_UNIX, SOCK_STREAM, 1));
    rfd("AF_UNIX RAW", socket(AF_UNIX, SOCK_RAW, 0));
    rfd("flags 0x40000000", socket(AF_INET, SOCK_STREAM | 0x40000000, 0));
    rfd("AF_INET proto -1", socket(AF_INET, SOCK_STREAM, -1));
    int fd = rfd("STREAM|NONBLOCK|CLOEXEC", socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    say("   F_GETFL nonblock %d F_GETFD %d\n", !!(fcntl(fd, F_GETFL) & O_NONBLOCK), fcntl(fd, F_GETFD));
    close(fd);
    fd = rfd("AF_UNIX SEQPACKET", socket(AF_UNIX, SOCK_SEQPACKET, 0));
    opt("  its SO_TYPE", fd, SOL_SOCKET, SO_TYPE);
    close(fd);
}

static void sec_bind(void)
{
    say("2. bind\n");
    int a = socket(AF_INET, SOCK_STREAM, 0), b = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = lo4(0);
    r("bind port 0", bind(a, (struct sockaddr *)&sa, sizeof sa));
    say("   port nonzero %d\n", port_of(a) > 0);
    r("bind again", bind(a, (struct sockaddr *)&sa, sizeof sa));
    sa = lo4(port_of(a));
    r("second socket same port", bind(b, (struct sockaddr *)&sa, sizeof sa));
    r("bind short addrlen", bind(b, (struct sockaddr *)&sa, sizeof sa - 1));
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    r("bind AF_INET6 address to AF_INET", bind(b, (struct sockaddr *)&s6, sizeof sa));
    struct sockaddr_in un = lo4(0);
    un.sin_family = AF_UNIX;
    r("bind AF_UNIX family to AF_INET", bind(b, (struct sockaddr *)&un, sizeof un));
    listen(a, 1);
    int on = 1;
    setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    r("SO_REUSEADDR on listening port", bind(b, (struct sockaddr *)&sa, sizeof sa));
    close(b);
    close(a);
    a = socket(AF_INET, SOCK_STREAM, 0);
    b = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(a, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    sa = lo4(0);
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    sa = lo4(port_of(a));
    r("both SO_REUSEADDR, neither listening", bind(b, (struct sockaddr *)&sa, sizeof sa));
    close(a);
    close(b);
    a = socket(AF_INET, SOCK_DGRAM, 0);
    b = socket(AF_INET, SOCK_DGRAM, 0);
    setsockopt(a, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    setsockopt(b, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    sa = lo4(0);
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    sa = lo4(port_of(a));
    r("UDP both SO_REUSEPORT", bind(b, (struct sockaddr *)&sa, sizeof sa));
    close(a);
    close(b);
}

static void name_len(const char *what, int fd, int peer)
{
    struct sockaddr_un u;
    memset(&u, 0x55, sizeof u);
    socklen_t len = sizeof u;
    int ret = peer ? getpeername(fd, (struct sockaddr *)&u, &len) : getsockname(fd, (struct sockaddr *)&u, &len);
    if (ret < 0) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    say("   %s: len %u family %d", what, len, u.sun_family);
    if (len > sizeof(sa_family_t)) {
        if (u.sun_path[0])
            say(" path %s", u.sun_path);
        else
            say(" abstract %d bytes", (int)(len - sizeof(sa_family_t)));
    }
    say("\n");
}

static void sec_unix_names(const char *dir)
{
    say("3. AF_UNIX names\n");
    const char *path = "sock";         /* relative: the name is the same in both directories */
    if (chdir(dir))
        say("   chdir: %s\n", strerrorname_np(errno));
    struct sockaddr_un u = {.sun_family = AF_UNIX};
    strcpy(u.sun_path, path);
    socklen_t plen = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
    int a = socket(AF_UNIX, SOCK_STREAM, 0);
    name_len("unbound getsockname", a, 0);
    name_len("unbound getpeername", a, 1);
    r("bind path", bind(a, (struct sockaddr *)&u, plen));
    struct stat st;
    if (stat(path, &st) == 0)
        say("   socket file is S_IFSOCK %d\n", S_ISSOCK(st.st_mode));
    name_len("path getsockname", a, 0);
    int b = socket(AF_UNIX, SOCK_STREAM, 0);
    r("bind existing path", bind(b, (struct sockaddr *)&u, plen));
    r("bind again", bind(a, (struct sockaddr *)&u, plen));
    r("bind addrlen 1", bind(b, (struct sockaddr *)&u, 1));
    r("listen", listen(a, 4));
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    r("connect path", connect(c, (struct sockaddr *)&u, plen));
    int s = accept(a, NULL, NULL);
    name_len("client getpeername", c, 1);
    name_len("client getsockname", c, 0);
    name_len("accepted getpeername", s, 1);
    close(s), close(c), close(a), close(b);
    r("connect to closed socket path", connect(c = socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&u, plen));
    close(c);
    unlink(path);
    r("connect to missing path", connect(c = socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&u, plen));
    close(c);
    a = socket(AF_UNIX, SOCK_DGRAM, 0);
    r("autobind", bind(a, (struct sockaddr *)&u, sizeof(sa_family_t)));
    name_len("autobound getsockname", a, 0);
    close(a);
    a = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0sockconf-abstract", 18);
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 18;
    r("bind abstract", bind(a, (struct sockaddr *)&ab, alen));
    name_len("abstract getsockname", a, 0);
    b = socket(AF_UNIX, SOCK_STREAM, 0);
    r("bind abstract in use", bind(b, (struct sockaddr *)&ab, alen));
    r("connect abstract not listening", connect(b, (struct sockaddr *)&ab, alen));
    listen(a, 1);
    r("connect abstract", connect(b, (struct sockaddr *)&ab, alen));
    name_len("abstract client getpeername", b, 1);
    close(a), close(b);
    a = socket(AF_UNIX, SOCK_STREAM, 0);
    u.sun_family = AF_INET;
    r("bind AF_INET family to AF_UNIX", bind(a, (struct sockaddr *)&u, plen));
    close(a);
}

static void sec_connect(void)
{
    say("4. listen, accept, connect\n");
    int a = socket(AF_INET, SOCK_STREAM, 0);
    r("accept not listening", accept(a, NULL, NULL));
    r("getpeername unconnected", getpeername(a, (struct sockaddr *)&(struct sockaddr_in){0}, &(socklen_t){16}));
    struct sockaddr_in sa = lo4(closed_port());
    r("connect closed port", connect(a, (struct sockaddr *)&sa, sizeof sa));
    r("connect again after refusal", connect(a, (struct sockaddr *)&sa, sizeof sa));
    close(a);
    a = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r("nonblocking connect closed port", connect(a, (struct sockaddr *)&sa, sizeof sa));
    struct pollfd p = {.fd = a, .events = POLLOUT};
    poll(&p, 1, 5000);
    say("   poll revents OUT %d ERR %d HUP %d\n", !!(p.revents & POLLOUT), !!(p.revents & POLLERR), !!(p.revents & POLLHUP));
    opt("SO_ERROR", a, SOL_SOCKET, SO_ERROR);
    opt("SO_ERROR again", a, SOL_SOCKET, SO_ERROR);
    close(a);
    int l = tcp_listener();
    opt("SO_ACCEPTCONN listening", l, SOL_SOCKET, SO_ACCEPTCONN);
    r("listen again", listen(l, 4));
    sa = lo4(port_of(l));
    a = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    r("nonblocking connect", connect(a, (struct sockaddr *)&sa, sizeof sa));
    p = (struct pollfd){.fd = a, .events = POLLOUT};
    poll(&p, 1, 5000);
    say("   poll revents OUT %d ERR %d\n", !!(p.revents & POLLOUT), !!(p.revents & POLLERR));
    opt("SO_ERROR", a, SOL_SOCKET, SO_ERROR);
    r("connect again", connect(a, (struct sockaddr *)&sa, sizeof sa));
    int s = rfd("accept4 NONBLOCK|CLOEXEC", accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    say("   nonblock %d cloexec %d\n", !!(fcntl(s, F_GETFL) & O_NONBLOCK), fcntl(s, F_GETFD));
    r("accept4 bad flags", accept4(l, NULL, NULL, 0x1000));
    int nb = fcntl(l, F_GETFL);
    fcntl(l, F_SETFL, nb | O_NONBLOCK);
    r("accept nothing pending", accept(l, NULL, NULL));
    opt("SO_ACCEPTCONN accepted", s, SOL_SOCKET, SO_ACCEPTCONN);
    r("listen on connected", listen(a, 1));
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    r("getpeername", getpeername(a, (struct sockaddr *)&peer, &plen));
    say("   len %u family %d port matches %d\n", plen, peer.sin_family, ntohs(peer.sin_port) == port_of(l));
    plen = 4;
    r("getsockname short len", getsockname(a, (struct sockaddr *)&peer, &plen));
    say("   len %u\n", plen);
    close(s), close(a), close(l);
}

static void sec_sendrecv(void)
{
    say("5. send and recv\n");
    int c, s;
    char buf[64];
    tcp_pair(&c, &s);
    r("send", send(c, "hello", 5, 0));
    usleep(100000);
    r("recv MSG_PEEK", recv(s, buf, 3, MSG_PEEK));
    int n = 0;
    r("FIONREAD", ioctl(s, FIONREAD, &n));
    say("   = %d\n", n);
    r("recv", recv(s, buf, sizeof buf, 0));
    for (int i = 0; i < 50 && ioctl(c, SIOCOUTQ, &n) == 0 && n; i++)
        usleep(20000);                 /* the peer's ACK may be delayed */
    r("SIOCOUTQ once acknowledged", ioctl(c, SIOCOUTQ, &n));
    say("   = %d\n", n);
    n = -1;
    say("   SIOCOUTQNSD: %d\n", ioctl(c, SIOCOUTQNSD, &n) ? -errno : n);
    r("recv MSG_DONTWAIT empty", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    r("recv 0 bytes", recv(s, buf, 0, MSG_DONTWAIT));
    r("sendto on connected TCP with address", sendto(c, "x", 1, 0, (struct sockaddr *)&(struct sockaddr_in){0}, 16));
    recv(s, buf, 1, 0);
    r("shutdown SHUT_WR", shutdown(c, SHUT_WR));
    usleep(100000);
    revents("reader after peer SHUT_WR", s);
    r("recv at EOF", recv(s, buf, sizeof buf, 0));
    r("send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    revents("writer after own SHUT_WR", c);
    r("shutdown bad how", shutdown(c, 7));
    close(s);
    usleep(100000);
    revents("after peer close", c);
    r("send after peer close NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);
    tcp_pair(&c, &s);
    send(s, "unread", 6, 0);
    usleep(100000);
    close(c);   /* unread data: an RST */
    usleep(100000);
    revents("peer closed with unread data", s);
    r("send to reset peer", send(s, "x", 1, MSG_NOSIGNAL));
    r("recv after reset", recv(s, buf, sizeof buf, 0));
    close(s);
    tcp_pair(&c, &s);
    r("shutdown SHUT_RD", shutdown(s, SHUT_RD));
    revents("after own SHUT_RD", s);
    r("recv after SHUT_RD", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    r("shutdown SHUT_RDWR", shutdown(c, SHUT_RDWR));
    revents("after own SHUT_RDWR", c);
    close(c), close(s);
    tcp_pair(&c, &s);
    send(c, "ab", 2, 0);
    usleep(100000);
    send(c, "cd", 2, 0);
    r("recv MSG_WAITALL 4", recv(s, buf, 4, MSG_WAITALL));
    close(c);
    r("recv MSG_WAITALL across EOF", recv(s, buf, 4, MSG_WAITALL));
    close(s);
    c = socket(AF_INET, SOCK_STREAM, 0);
    r("send unconnected TCP", send(c, "x", 1, MSG_NOSIGNAL));
    r("recv unconnected TCP", recv(c, buf, 1, 0));
    r("shutdown unconnected TCP", shutdown(c, SHUT_RDWR));
    n = -1;
    r("SIOCOUTQ unconnected TCP", ioctl(c, SIOCOUTQ, &n));
    say("   = %d\n", n);
    close(c);
    signal(SIGPIPE, SIG_IGN);
    tcp_pair(&c, &s);
    shutdown(c, SHUT_WR);
    r("send after SHUT_WR without NOSIGNAL (SIGPIPE ignored)", send(c, "x", 1, 0));
    close(c), close(s);
    signal(SIGPIPE, SIG_DFL);
}

static void sec_udp(void)
{
    say("6. UDP\n");
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM, 0), o = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = lo4(0);
    bind(a, (struct sockaddr *)&sa, sizeof sa);
    bind(o, (struct sockaddr *)&sa, sizeof sa);
    struct sockaddr_in to = lo4(port_of(a));
    char buf[64];
    r("send unconnected no address", send(b, "x", 1, 0));
    r("sendto", sendto(b, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof to));
    r("recv MSG_TRUNC 4", recv(a, buf, 4, MSG_TRUNC));
    sendto(b, "0123456789", 10, 0, (struct sockaddr *)&to, sizeof to);
    struct iovec iov = {buf, 4};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    r("recvmsg short", recvmsg(a, &m, 0));
    say("   msg_flags MSG_TRUNC %d\n", !!(m.msg_flags & MSG_TRUNC));
    r("recv 0-length datagram", (sendto(b, "", 0, 0, (struct sockaddr *)&to, sizeof to), recv(a, buf, sizeof buf, 0)));
    struct sockaddr_in bto = lo4(port_of(b));
    r("connect a to b", connect(a, (struct sockaddr *)&bto, sizeof bto));
    sendto(o, "other", 5, 0, (struct sockaddr *)&to, sizeof to);
    sendto(b, "fromb", 5, 0, (struct sockaddr *)&to, sizeof to);
    r("recv filters other senders", recv(a, buf, sizeof buf, 0));
    r("then nothing", recv(a, buf, sizeof buf, MSG_DONTWAIT));
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    r("connect AF_UNSPEC", connect(a, &unspec, sizeof unspec));
    r("getpeername after disconnect", getpeername(a, (struct sockaddr *)&sa, &(socklen_t){16}));
    sendto(o, "other", 5, 0, (struct sockaddr *)&to, sizeof to);
    usleep(50000);
    r("recv after disconnect", recv(a, buf, sizeof buf, MSG_DONTWAIT));
    /* A connected UDP socket's ECONNREFUSED after an ICMP port unreachable: section 12. */
    int outq = -1;
    r("SIOCOUTQ", ioctl(a, SIOCOUTQ, &outq));
    say("   = %d\n", outq);
    r("SIOCOUTQNSD on UDP", ioctl(a, SIOCOUTQNSD, &outq));
    close(a), close(b), close(o);
}

static void sec_opts(void)
{
    say("7. socket options\n");
    int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0), x = socket(AF_UNIX, SOCK_DGRAM, 0);
    opt("TCP SO_TYPE", t, SOL_SOCKET, SO_TYPE);
    opt("TCP SO_DOMAIN", t, SOL_SOCKET, SO_DOMAIN);
    opt("TCP SO_PROTOCOL", t, SOL_SOCKET, SO_PROTOCOL);
    opt("UDP SO_PROTOCOL", u, SOL_SOCKET, SO_PROTOCOL);
    opt("UNIX SO_DOMAIN", x, SOL_SOCKET, SO_DOMAIN);
    opt("UNIX SO_PROTOCOL", x, SOL_SOCKET, SO_PROTOCOL);
    opt("SO_ACCEPTCONN", t, SOL_SOCKET, SO_ACCEPTCONN);
    opt("SO_ERROR", t, SOL_SOCKET, SO_ERROR);
    int v = 10000;
    r("set SO_RCVBUF 10000", setsockopt(t, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    opt("SO_RCVBUF", t, SOL_SOCKET, SO_RCVBUF);
    v = 10;
    setsockopt(t, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    opt("SO_RCVBUF after 10", t, SOL_SOCKET, SO_RCVBUF);
    v = 10;
    setsockopt(t, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    opt("SO_SNDBUF after 10", t, SOL_SOCKET, SO_SNDBUF);
    v = 20000;
    setsockopt(u, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    opt("UDP SO_SNDBUF after 20000", u, SOL_SOCKET, SO_SNDBUF);
    struct timeval tv = {0, 200000}, got;
    r("set SO_RCVTIMEO", setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    socklen_t len = sizeof got;
    r("get SO_RCVTIMEO", getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &got, &len));
    say("   = %ld.%06ld len %u\n", (long)got.tv_sec, (long)got.tv_usec, len);
    struct sockaddr_in sa = lo4(0);
    bind(u, (struct sockaddr *)&sa, sizeof sa);
    char buf[4];
    r("recv past SO_RCVTIMEO", recv(u, buf, sizeof buf, 0));
    tv = (struct timeval){0, 2000000};
    r("set SO_SNDTIMEO usec 2000000", setsockopt(u, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    r("set SO_RCVTIMEO short", setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, 4));
    struct linger lg = {1, 5}, lgot;
    r("set SO_LINGER", setsockopt(t, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    len = sizeof lgot;
    r("get SO_LINGER", getsockopt(t, SOL_SOCKET, SO_LINGER, &lgot, &len));
    say("   = %d %d len %u\n", lgot.l_onoff, lgot.l_linger, len);
    v = 1;
    r("set SO_KEEPALIVE", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    opt("SO_KEEPALIVE", t, SOL_SOCKET, SO_KEEPALIVE);
    v = 5;
    r("set SO_KEEPALIVE 5", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v));
    opt("SO_KEEPALIVE", t, SOL_SOCKET, SO_KEEPALIVE);
    opt("SO_REUSEADDR", t, SOL_SOCKET, SO_REUSEADDR);
    /* asyncio's and ftplib's servers set it on every connection (CPython's test_ftplib) */
    opt("SO_OOBINLINE", t, SOL_SOCKET, SO_OOBINLINE);
    v = 1;
    r("set SO_OOBINLINE", setsockopt(t, SOL_SOCKET, SO_OOBINLINE, &v, sizeof v));
    opt("SO_OOBINLINE", t, SOL_SOCKET, SO_OOBINLINE);
    r("set UDP SO_OOBINLINE", setsockopt(u, SOL_SOCKET, SO_OOBINLINE, &v, sizeof v));
    opt("UDP SO_OOBINLINE", u, SOL_SOCKET, SO_OOBINLINE);
    r("set UNIX SO_OOBINLINE", setsockopt(x, SOL_SOCKET, SO_OOBINLINE, &v, sizeof v));
    opt("UNIX SO_OOBINLINE", x, SOL_SOCKET, SO_OOBINLINE);
    opt("TCP_NODELAY", t, IPPROTO_TCP, TCP_NODELAY);
    v = 1;
    r("set TCP_NODELAY", setsockopt(t, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    opt("TCP_NODELAY", t, IPPROTO_TCP, TCP_NODELAY);
    opt("TCP_KEEPIDLE", t, IPPROTO_TCP, TCP_KEEPIDLE);
    opt("TCP_KEEPINTVL", t, IPPROTO_TCP, TCP_KEEPINTVL);
    opt("TCP_KEEPCNT", t, IPPROTO_TCP, TCP_KEEPCNT);
    v = 30;
    r("set TCP_KEEPIDLE 30", setsockopt(t, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    opt("TCP_KEEPIDLE", t, IPPROTO_TCP, TCP_KEEPIDLE);
    v = 0;
    r("set TCP_KEEPIDLE 0", setsockopt(t, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    r("set TCP_NODELAY on UDP", setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    opt("TCP_NODELAY on UDP", u, IPPROTO_TCP, TCP_NODELAY);
    struct tcp_info ti;
    len = sizeof ti;
    r("TCP_INFO unconnected", getsockopt(t, IPPROTO_TCP, TCP_INFO, &ti, &len));
    say("   full length %d state %d\n", len == sizeof ti, ti.tcpi_state);
    opt("IP_TOS", t, IPPROTO_IP, IP_TOS);
    v = 0x10;
    r("set IP_TOS 0x10", setsockopt(t, IPPROTO_IP, IP_TOS, &v, sizeof v));
    opt("IP_TOS", t, IPPROTO_IP, IP_TOS);
    opt("unknown SOL_SOCKET 9999", t, SOL_SOCKET, 9999);
    opt("unknown IPPROTO_TCP 9999", t, IPPROTO_TCP, 9999);
    opt("unknown level 9999", t, 9999, 1);
    r("set unknown SOL_SOCKET 9999", setsockopt(t, SOL_SOCKET, 9999, &v, sizeof v));
    r("set SO_KEEPALIVE optlen 2", setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, &v, 2));
    len = 2;
    short sh = 0;
    r("get SO_TYPE optlen 2", getsockopt(t, SOL_SOCKET, SO_TYPE, &sh, &len));
    say("   len %u\n", len);
    len = 0;
    r("get SO_TYPE optlen 0", getsockopt(t, SOL_SOCKET, SO_TYPE, &sh, &len));
    say("   len %u\n", len);
    len = -1;
    r("get SO_TYPE optlen -1", getsockopt(t, SOL_SOCKET, SO_TYPE, &v, &len));
    opt("SO_SNDLOWAT", t, SOL_SOCKET, SO_SNDLOWAT);
    opt("SO_RCVLOWAT", t, SOL_SOCKET, SO_RCVLOWAT);
    int s6 = socket(AF_INET6, SOCK_STREAM, 0);
    if (s6 >= 0) {
        opt("IPV6_V6ONLY", s6, IPPROTO_IPV6, IPV6_V6ONLY);
        v = 1;
        r("set IPV6_V6ONLY", setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
        opt("IPV6_V6ONLY", s6, IPPROTO_IPV6, IPV6_V6ONLY);
        close(s6);
    }
    close(t), close(u), close(x);
    int c, s;
    tcp_pair(&c, &s);
    len = sizeof ti;
    r("TCP_INFO connected", getsockopt(c, IPPROTO_TCP, TCP_INFO, &ti, &len));
    say("   state %d\n", ti.tcpi_state);
    opt("SO_ERROR connected", c, SOL_SOCKET, SO_ERROR);
    v = 1;
    setsockopt(c, SOL_SOCKET, SO_OOBINLINE, &v, sizeof v);
    r("recv MSG_OOB with SO_OOBINLINE", recv(c, &v, 1, MSG_OOB | MSG_DONTWAIT));
    close(c), close(s);
    /* CPython's test_ssl (TestPreHandshakeClose) sets it on its listener: the close is a close */
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in la = lo4(0);
    bind(l, (struct sockaddr *)&la, sizeof la);
    listen(l, 4);
    lg = (struct linger){1, 0};
    r("set SO_LINGER 0 on a listener", setsockopt(l, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    r("close the listener", close(l));
}

static void sec_pairs(void)
{
    say("8. socketpair\n");
    int sv[2];
    char buf[16];
    struct ucred cr;
    socklen_t len;
    r("socketpair AF_INET", socketpair(AF_INET, SOCK_STREAM, 0, sv));
    r("socketpair AF_UNIX proto 2", socketpair(AF_UNIX, SOCK_STREAM, 2, sv));
    static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    static const char *names[] = {"STREAM", "DGRAM", "SEQPACKET"};
    for (int i = 0; i < 3; i++) {
        say("  %s\n", names[i]);
        r("socketpair", socketpair(AF_UNIX, types[i] | SOCK_CLOEXEC, 0, sv));
        say("   cloexec %d\n", fcntl(sv[1], F_GETFD));
        send(sv[0], "abc", 3, 0);
        send(sv[0], "defg", 4, 0);
        int n = 0;
        ioctl(sv[1], FIONREAD, &n);
        say("   FIONREAD %d\n", n);
        r("recv 16", recv(sv[1], buf, sizeof buf, 0));
        r("recv 2 MSG_TRUNC", recv(sv[1], buf, 2, MSG_TRUNC | MSG_DONTWAIT));
        r("recv empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
        len = sizeof cr;
        r("SO_PEERCRED", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &len));
        say("   pid is ours %d uid %d len %u\n", cr.pid == getpid(), cr.uid == getuid(), len);
        opt("SO_TYPE", sv[0], SOL_SOCKET, SO_TYPE);
        name_len("getpeername", sv[0], 1);
        r("send 0 bytes", send(sv[0], "", 0, 0));
        r("recv after 0-byte send", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
        r("shutdown SHUT_WR", shutdown(sv[0], SHUT_WR));
        revents("peer after SHUT_WR", sv[1]);
        r("recv after peer SHUT_WR", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
        close(sv[0]);
        revents("peer after close", sv[1]);
        r("recv after peer close", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
        r("send after peer close", send(sv[1], "x", 1, MSG_NOSIGNAL));
        close(sv[1]);
    }
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    len = sizeof cr;
    r("SO_PEERCRED unconnected", getsockopt(l, SOL_SOCKET, SO_PEERCRED, &cr, &len));
    say("   pid %d uid %d gid %d len %u\n", cr.pid, (int)cr.uid, (int)cr.gid, len);
    listen(l, 1);
    r("SO_PEERCRED listening", getsockopt(l, SOL_SOCKET, SO_PEERCRED, &cr, &len));
    say("   pid is ours %d\n", cr.pid == getpid());
    close(l);
    l = socket(AF_INET, SOCK_STREAM, 0);
    r("SO_PEERCRED on TCP", getsockopt(l, SOL_SOCKET, SO_PEERCRED, &cr, &len));
    say("   pid %d uid %d gid %d len %u\n", cr.pid, (int)cr.uid, (int)cr.gid, len);
    close(l);
}

static void sec_more(void)
{
    say("9. IPv6, seqpacket connections, timeouts\n");
    int a = socket(AF_INET6, SOCK_STREAM, 0), b;
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    r("bind ::1 port 0", bind(a, (struct sockaddr *)&s6, sizeof s6));
    struct sockaddr_in6 got;
    socklen_t len = sizeof got;
    getsockname(a, (struct sockaddr *)&got, &len);
    say("   getsockname len %u family %d port nonzero %d\n", len, got.sin6_family, got.sin6_port != 0);
    int v = 1;
    r("IPV6_V6ONLY after bind", setsockopt(a, IPPROTO_IPV6, IPV6_V6ONLY, &v, sizeof v));
    r("bind short sockaddr_in6", bind(b = socket(AF_INET6, SOCK_STREAM, 0), (struct sockaddr *)&s6, sizeof(struct sockaddr_in)));
    struct sockaddr_in v4 = lo4(0);
    r("bind sockaddr_in to AF_INET6", bind(b, (struct sockaddr *)&v4, sizeof v4));
    close(b);
    listen(a, 2);
    s6.sin6_port = got.sin6_port;
    b = socket(AF_INET6, SOCK_STREAM, 0);
    r("connect ::1", connect(b, (struct sockaddr *)&s6, sizeof s6));
    int s = accept(a, NULL, NULL);
    len = sizeof got;
    r("getpeername", getpeername(s, (struct sockaddr *)&got, &len));
    say("   len %u family %d\n", len, got.sin6_family);
    opt("SO_DOMAIN", s, SOL_SOCKET, SO_DOMAIN);
    opt("IP_TOS on AF_INET6", s, IPPROTO_IP, IP_TOS);
    close(s), close(b), close(a);
    a = socket(AF_INET6, SOCK_DGRAM, 0);
    s6.sin6_port = 0;
    bind(a, (struct sockaddr *)&s6, sizeof s6);
    len = sizeof got;
    getsockname(a, (struct sockaddr *)&got, &len);
    char buf[16];
    r("UDP ::1 sendto self", sendto(a, "six", 3, 0, (struct sockaddr *)&got, len));
    r("recv MSG_PEEK", recv(a, buf, sizeof buf, MSG_PEEK));
    r("recv", recv(a, buf, sizeof buf, 0));
    close(a);

    struct sockaddr_un ab = {.sun_family = AF_UNIX};
    memcpy(ab.sun_path, "\0sockconf-seq", 13);
    socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 13;
    a = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    r("seqpacket listen unbound", listen(a, 1));
    bind(a, (struct sockaddr *)&ab, alen);
    r("seqpacket listen", listen(a, 1));
    b = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    r("seqpacket connect", connect(b, (struct sockaddr *)&ab, alen));
    s = accept(a, NULL, NULL);
    send(b, "one", 3, 0);
    send(b, "three", 5, 0);
    r("recv keeps boundaries", recv(s, buf, sizeof buf, 0));
    r("recv keeps boundaries", recv(s, buf, sizeof buf, 0));
    r("DGRAM sendto a seqpacket name", sendto(socket(AF_UNIX, SOCK_DGRAM, 0), "x", 1, 0, (struct sockaddr *)&ab, alen));
    r("sendto on connected seqpacket", sendto(b, "x", 1, 0, (struct sockaddr *)&ab, alen));
    b = socket(AF_UNIX, SOCK_STREAM, 0);
    r("STREAM bind the seqpacket's abstract name", bind(b, (struct sockaddr *)&ab, alen));
    close(b);
    b = socket(AF_UNIX, SOCK_STREAM, 0);
    r("STREAM connect to it", connect(b, (struct sockaddr *)&ab, alen));
    close(s), close(b), close(a);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct timeval tv = {0, 100000};
    setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    static char big[65536];
    long total = 0, n;
    int rounds = 0;
    while ((n = send(sv[0], big, sizeof big, 0)) > 0 && ++rounds < 64)
        total += n;
    say("   send until full: last = %ld %s, filled some %d\n", n, n < 0 ? strerrorname_np(errno) : "", total > 0);
    close(sv[0]), close(sv[1]);
}

static void sec_edges(void)
{
    say("10. edges: wrong socket kinds, addresses, lengths\n");
    char buf[16];
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r("listen on UDP", listen(u, 1));
    r("accept on UDP", accept(u, NULL, NULL));
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    r("getsockname unbound UDP", getsockname(u, (struct sockaddr *)&a, &len));
    say("   len %u family %d port %d addr %08x\n", len, a.sin_family, ntohs(a.sin_port), ntohl(a.sin_addr.s_addr));
    struct sockaddr_in far = lo4(9);
    far.sin_addr.s_addr = htonl(0x0a0b0c0d);
    r("bind non-local address", bind(u, (struct sockaddr *)&far, sizeof far));
    struct sockaddr_in any = lo4(0);
    r("connect addrlen 0", connect(u, (struct sockaddr *)&any, 0));
    r("sendto addrlen 3", sendto(u, "x", 1, 0, (struct sockaddr *)&any, 3));
    struct sockaddr_in self = lo4(0);
    bind(u, (struct sockaddr *)&self, sizeof self);
    self = lo4(port_of(u));
    sendto(u, "from", 4, 0, (struct sockaddr *)&self, sizeof self);
    struct sockaddr_in from;
    len = 4;
    r("recvfrom short addrlen", recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    say("   addrlen %u family %d\n", len, from.sin_family);
    sendto(u, "from", 4, 0, (struct sockaddr *)&self, sizeof self);
    len = sizeof from;
    r("recvfrom", recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    say("   addrlen %u port is ours %d\n", len, from.sin_port == self.sin_port);
    r("recv MSG_OOB on UDP", recv(u, buf, sizeof buf, MSG_OOB | MSG_DONTWAIT));
    r("shutdown unconnected UDP", shutdown(u, SHUT_RD));
    int v = 1;
    r("SO_BROADCAST", setsockopt(u, SOL_SOCKET, SO_BROADCAST, &v, sizeof v));
    opt("SO_BROADCAST", u, SOL_SOCKET, SO_BROADCAST);
    close(u);

    int x = socket(AF_UNIX, SOCK_STREAM, 0);
    r("shutdown unconnected AF_UNIX", shutdown(x, SHUT_RDWR));
    r("send unconnected AF_UNIX", send(x, "x", 1, MSG_NOSIGNAL));
    r("recv unconnected AF_UNIX", recv(x, buf, 1, MSG_DONTWAIT));
    r("accept unbound AF_UNIX", accept(x, NULL, NULL));
    opt("AF_UNIX SO_SNDBUF", x, SOL_SOCKET, SO_SNDBUF);
    opt("AF_UNIX IPPROTO_TCP TCP_NODELAY", x, IPPROTO_TCP, TCP_NODELAY);
    r("set AF_UNIX TCP_NODELAY", setsockopt(x, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v));
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    r("connect empty path", connect(x, (struct sockaddr *)&un, sizeof un));
    r("connect addrlen 2", connect(x, (struct sockaddr *)&un, 2));
    close(x);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    /* Not swept: MSG_OOB on an AF_UNIX stream (Linux keeps the byte aside; we refuse it). */
    int dg[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    r("MSG_OOB send on AF_UNIX DGRAM", send(dg[0], "x", 1, MSG_OOB));
    r("MSG_OOB recv on AF_UNIX DGRAM", recv(dg[1], buf, 1, MSG_OOB | MSG_DONTWAIT));
    close(dg[0]), close(dg[1]);
    r("sendto with address on connected stream", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&un, sizeof un));
    r("connect connected pair", connect(sv[0], (struct sockaddr *)&un, sizeof un));
    send(sv[0], "peek", 4, 0);
    r("recv MSG_PEEK", recv(sv[1], buf, sizeof buf, MSG_PEEK));
    r("recv MSG_PEEK|MSG_TRUNC", recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC));
    r("recv", recv(sv[1], buf, sizeof buf, 0));
    close(sv[0]), close(sv[1]);

    int l = tcp_listener();
    struct sockaddr_in to = lo4(port_of(l));
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&to, sizeof to);
    len = 4;
    int s = rfd("accept short addrlen", accept(l, (struct sockaddr *)&from, &len));
    say("   addrlen %u\n", len);
    int n = -1;
    r("FIONREAD on listening", ioctl(l, FIONREAD, &n));
    r("SIOCOUTQ on listening", ioctl(l, SIOCOUTQ, &n));
    r("SIOCOUTQNSD on listening", ioctl(l, SIOCOUTQNSD, &n));
    struct linger lg = {1, 0};
    setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(c);                          /* linger 0: a reset */
    usleep(100000);
    revents("after a reset", s);
    opt("SO_ERROR after a reset", s, SOL_SOCKET, SO_ERROR);
    r("recv after a reset", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    close(s), close(l);
}

static void sec_reuse(void)
{
    say("11. TIME_WAIT and SO_REUSEADDR, timeouts on accept, disconnect names\n");
    int c, s, on = 1;
    char buf[8];
    int l = tcp_listener();
    int port = port_of(l);
    struct sockaddr_in to = lo4(port);
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&to, sizeof to);
    s = accept(l, NULL, NULL);
    close(l);
    close(s);                          /* the server closes first: its port goes to TIME_WAIT */
    usleep(50000);
    recv(c, buf, sizeof buf, 0);
    close(c);
    usleep(50000);
    int b = socket(AF_INET, SOCK_STREAM, 0);
    r("bind port in TIME_WAIT", bind(b, (struct sockaddr *)&to, sizeof to));
    close(b);
    b = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(b, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    r("with SO_REUSEADDR", bind(b, (struct sockaddr *)&to, sizeof to));
    r("listen", listen(b, 1));
    struct timeval tv = {0, 100000};
    r("SO_RCVTIMEO on listener", setsockopt(b, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    r("accept past it", accept(b, NULL, NULL));
    close(b);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r("UDP connect autobinds", connect(u, (struct sockaddr *)&to, sizeof to));
    say("   port nonzero %d\n", port_of(u) > 0);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    connect(u, &unspec, sizeof unspec);
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    getsockname(u, (struct sockaddr *)&a, &len);
    say("   after disconnect port %d addr %08x\n", ntohs(a.sin_port), ntohl(a.sin_addr.s_addr));
    close(u);
    u = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in fixed = lo4(port);
    bind(u, (struct sockaddr *)&fixed, sizeof fixed);
    connect(u, (struct sockaddr *)&to, sizeof to);
    connect(u, &unspec, sizeof unspec);
    len = sizeof a;
    getsockname(u, (struct sockaddr *)&a, &len);
    say("   bound port kept after disconnect %d\n", ntohs(a.sin_port) == port);
    close(u);
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    r("AF_UNIX DGRAM SO_RCVTIMEO", setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    r("recv past it", recv(sv[1], buf, sizeof buf, 0));
    opt("AF_UNIX DGRAM SO_SNDBUF", sv[0], SOL_SOCKET, SO_SNDBUF);
    close(sv[0]), close(sv[1]);
}

/* A UDP port with nobody bound to it: bound then closed. */
static int closed_udp_port(int family)
{
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    struct sockaddr_in a4 = lo4(0);
    int fd = socket(family, SOCK_DGRAM, 0);
    bind(fd, family == AF_INET6 ? (struct sockaddr *)&a6 : (struct sockaddr *)&a4,
         family == AF_INET6 ? sizeof a6 : sizeof a4);
    struct sockaddr_in6 got;
    socklen_t len = sizeof got;
    getsockname(fd, (struct sockaddr *)&got, &len);
    close(fd);
    return ntohs(got.sin6_port);       /* sin_port and sin6_port sit at the same offset */
}

/* One recvmsg(MSG_ERRQUEUE): the sock_extended_err and where it says the error came from. The
 * quoted payload's length is only bounded: how much of the datagram an ICMP error quotes is
 * the sender's choice (Linux up to 576 bytes, lwIP the 8 bytes RFC 792 asks for). */
static void errqueue_line(const char *what, int fd, int family, int port)
{
    char data[16], ctl[128];
    struct sockaddr_in6 name;
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_name = &name, .msg_namelen = sizeof name, .msg_iov = &iov, .msg_iovlen = 1,
                       .msg_control = ctl, .msg_controllen = sizeof ctl};
    ssize_t n = recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (n < 0) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    say("   %s = at most the datagram %d, flags ERRQUEUE %d, name len %u family %d port ok %d\n", what, n <= 1,
        !!(m.msg_flags & MSG_ERRQUEUE), m.msg_namelen, name.sin6_family, ntohs(name.sin6_port) == port);
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
        struct sock_extended_err ee;
        memcpy(&ee, CMSG_DATA(h), sizeof ee);
        struct sockaddr_in6 off;
        memset(&off, 0, sizeof off);
        memcpy(&off, CMSG_DATA(h) + sizeof ee, h->cmsg_len - CMSG_LEN(sizeof ee) < sizeof off ? h->cmsg_len - CMSG_LEN(sizeof ee) : sizeof off);
        int loop = family == AF_INET ? ((struct sockaddr_in *)&off)->sin_addr.s_addr == htonl(INADDR_LOOPBACK)
                                     : IN6_IS_ADDR_LOOPBACK(&off.sin6_addr);
        say("      level %d type %d len %zu: errno %s origin %d type %d code %d info %u data %u, offender family %d loopback %d\n",
            h->cmsg_level, h->cmsg_type, (size_t)h->cmsg_len, strerrorname_np(ee.ee_errno), ee.ee_origin, ee.ee_type,
            ee.ee_code, ee.ee_info, ee.ee_data, off.sin6_family, loop);
    }
}

static void sec_icmp_errors(void)
{
    say("12. ICMP errors on UDP sockets\n");
    char buf[8];
    struct sockaddr_in to = lo4(closed_udp_port(AF_INET));
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r("connect to a closed port", connect(u, (struct sockaddr *)&to, sizeof to));
    r("send", send(u, "x", 1, 0));
    usleep(20000);                     /* the port unreachable comes back over loopback */
    revents("after the port unreachable", u);
    opt("SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    opt("SO_ERROR again", u, SOL_SOCKET, SO_ERROR);
    revents("after SO_ERROR", u);
    r("send", send(u, "x", 1, 0));
    usleep(20000);
    r("recv", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    r("recv again", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    r("send", send(u, "x", 1, 0));
    usleep(20000);
    r("the next send", send(u, "x", 1, 0));
    usleep(20000);
    struct timeval tv = {2, 0};        /* a backstop: the error ends the wait at once */
    setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    r("send then blocking recv", (send(u, "x", 1, 0), recv(u, buf, sizeof buf, 0)));
    struct iovec iov = {buf, sizeof buf};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
    r("recvmsg MSG_ERRQUEUE", recvmsg(u, &m, MSG_ERRQUEUE | MSG_DONTWAIT));
    close(u);
    u = socket(AF_INET, SOCK_DGRAM, 0);
    r("unconnected sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    usleep(20000);
    revents("unconnected", u);
    opt("unconnected SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    r("unconnected recv", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    int on = 1;
    r("IP_RECVERR", setsockopt(u, IPPROTO_IP, IP_RECVERR, &on, sizeof on));
    r("sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    usleep(20000);
    opt("with IP_RECVERR SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    revents("with the error queued", u);
    errqueue_line("recvmsg MSG_ERRQUEUE", u, AF_INET, ntohs(to.sin_port));
    revents("after reading it", u);
    errqueue_line("again", u, AF_INET, ntohs(to.sin_port));
    r("sendto", sendto(u, "x", 1, 0, (struct sockaddr *)&to, sizeof to));
    usleep(20000);
    r("sendto with the error pending", sendto(u, "y", 1, 0, (struct sockaddr *)&to, sizeof to));
    r("sendto", sendto(u, "y", 1, 0, (struct sockaddr *)&to, sizeof to));
    usleep(20000);
    opt("two errors queued: SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    errqueue_line("the first", u, AF_INET, ntohs(to.sin_port));
    opt("SO_ERROR is the next one's", u, SOL_SOCKET, SO_ERROR);
    long n = recv(u, buf, sizeof buf, MSG_ERRQUEUE | MSG_DONTWAIT);
    say("   recv MSG_ERRQUEUE = %s\n", n == 0 || n == 1 ? "at most the datagram" : "other");
    opt("SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    close(u);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    r("TCP recvmsg MSG_ERRQUEUE", recvmsg(t, &m, MSG_ERRQUEUE));
    close(t);
    u = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 to6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT,
                               .sin6_port = htons(closed_udp_port(AF_INET6))};
    r("IPv6 connect to a closed port", connect(u, (struct sockaddr *)&to6, sizeof to6));
    r("send", send(u, "x", 1, 0));
    usleep(20000);
    opt("IPv6 SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    r("send", send(u, "x", 1, 0));
    usleep(20000);
    r("IPv6 recv", recv(u, buf, sizeof buf, MSG_DONTWAIT));
    r("IPV6_RECVERR", setsockopt(u, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on));
    send(u, "x", 1, 0);
    usleep(20000);
    errqueue_line("IPv6 recvmsg MSG_ERRQUEUE", u, AF_INET6, ntohs(to6.sin6_port));
    opt("IPv6 SO_ERROR", u, SOL_SOCKET, SO_ERROR);
    close(u);
}

static void ioctl_int(const char *what, int fd, unsigned long cmd)
{
    int v = -7;
    if (ioctl(fd, cmd, &v))
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        say("   %s = %d\n", what, v);
}

/* SIOCOUTQ on AF_UNIX counts the memory (Linux: skb truesize) of what the peer has not read:
 * only whether it covers the bytes is the same on two kernels. */
static void outq_covers(const char *what, int fd, int bytes)
{
    int v = -7;
    int ret = ioctl(fd, SIOCOUTQ, &v);
    say("   SIOCOUTQ %s = %d, nonzero %d, covers %d bytes %d\n", what, ret, v != 0, bytes, v >= bytes);
}

static void sec_unix_queues(const char *dir)
{
    say("13. AF_UNIX SIOCINQ and SIOCOUTQ\n");
    static const int types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET};
    static const char *names[] = {"STREAM", "DGRAM", "SEQPACKET"};
    char buf[32];
    for (int i = 0; i < 3; i++) {
        int sv[2];
        socketpair(AF_UNIX, types[i], 0, sv);
        say("  %s\n", names[i]);
        ioctl_int("SIOCOUTQ empty", sv[0], SIOCOUTQ);
        ioctl_int("SIOCINQ empty", sv[1], SIOCINQ);
        send(sv[0], "0123456789", 10, 0);
        send(sv[0], "abc", 3, 0);
        outq_covers("after 13 bytes", sv[0], 13);
        ioctl_int("SIOCINQ of the reader", sv[1], SIOCINQ);
        ioctl_int("SIOCINQ of the writer", sv[0], SIOCINQ);
        ioctl_int("SIOCOUTQ of the reader", sv[1], SIOCOUTQ);
        r("recv 4", recv(sv[1], buf, 4, 0));
        ioctl_int("SIOCINQ", sv[1], SIOCINQ);
        outq_covers("after reading 4", sv[0], 3);
        while (recv(sv[1], buf, sizeof buf, MSG_DONTWAIT) > 0)
            ;
        ioctl_int("SIOCOUTQ all read", sv[0], SIOCOUTQ);
        ioctl_int("SIOCOUTQNSD on AF_UNIX", sv[0], SIOCOUTQNSD);
        close(sv[0]), close(sv[1]);
    }
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/q.sock", dir);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    ioctl_int("SIOCINQ listening", l, SIOCINQ);
    ioctl_int("SIOCOUTQ listening", l, SIOCOUTQ);
    close(l);
    unlink(a.sun_path);
}

/* The SCM_CREDENTIALS a recvmsg returned, relative to the pids the probe knows. */
static void recv_creds(const char *what, int fd, pid_t child)
{
    char data[32];
    union { char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } c;
    memset(&c, 0, sizeof c);
    struct iovec iov = {data, sizeof data};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
    ssize_t n = recvmsg(fd, &m, MSG_DONTWAIT);
    if (n < 0) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    say("   %s = %zd, controllen %zu flags %x\n", what, n, (size_t)m.msg_controllen, m.msg_flags);
    for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h)) {
        if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_CREDENTIALS) {
            struct ucred cr;
            memcpy(&cr, CMSG_DATA(h), sizeof cr);
            say("      SCM_CREDENTIALS len %zu pid %s uid %d gid %d\n", (size_t)h->cmsg_len,
                cr.pid == getpid() ? "self" : cr.pid == child ? "child" : cr.pid == 0 ? "0" : "other",
                (int)cr.uid, (int)cr.gid);
        } else if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
            int fd2;
            memcpy(&fd2, CMSG_DATA(h), sizeof fd2);
            say("      SCM_RIGHTS len %zu\n", (size_t)h->cmsg_len);
            close(fd2);
        } else {
            say("      level %d type %d\n", h->cmsg_level, h->cmsg_type);
        }
    }
}

static long send_creds(int fd, const char *data, pid_t pid, size_t cmsg_len)
{
    union { char buf[CMSG_SPACE(sizeof(struct ucred))]; struct cmsghdr align; } c;
    memset(&c, 0, sizeof c);
    struct iovec iov = {(void *)data, strlen(data)};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.buf, .msg_controllen = sizeof c.buf};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_CREDENTIALS;
    h->cmsg_len = cmsg_len;
    struct ucred cr = {pid, getuid(), getgid()};
    memcpy(CMSG_DATA(h), &cr, sizeof cr);
    return sendmsg(fd, &m, 0);
}

static void sec_passcred(void)
{
    say("14. SO_PASSCRED and SCM_CREDENTIALS\n");
    int on = 1, off = 0, sv[2];
    char buf[16];
    alarm(10);                         /* the child below never outlives the probe */
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    opt("SO_PASSCRED", sv[1], SOL_SOCKET, SO_PASSCRED);
    send(sv[0], "early", 5, 0);
    r("set SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    opt("SO_PASSCRED", sv[1], SOL_SOCKET, SO_PASSCRED);
    recv_creds("STREAM sent before SO_PASSCRED", sv[1], child);
    send(sv[0], "hi", 2, 0);
    recv_creds("STREAM without credentials sent", sv[1], child);
    r("send own credentials", send_creds(sv[0], "ab", getpid(), CMSG_LEN(sizeof(struct ucred))));
    r("send the child's pid as root", send_creds(sv[0], "cd", child, CMSG_LEN(sizeof(struct ucred))));
    recv_creds("a read stops where the sender changes", sv[1], child);
    recv_creds("then", sv[1], child);
    r("send a reaped pid", send_creds(sv[0], "ef", gone, CMSG_LEN(sizeof(struct ucred))));
    r("send a short cmsg_len", send_creds(sv[0], "ef", getpid(), CMSG_LEN(sizeof(struct ucred)) - 1));
    r("send credentials with pid 0", send_creds(sv[0], "ef", 0, CMSG_LEN(sizeof(struct ucred))));
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &off, sizeof off);
    send_creds(sv[0], "gh", child, CMSG_LEN(sizeof(struct ucred)));
    send(sv[0], "ij", 2, 0);
    recv_creds("without SO_PASSCRED a read merges", sv[1], child);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    int spare = dup(0);
    {
        union { char b[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } c;
        memset(&c, 0, sizeof c);
        struct iovec iov = {"fd", 2};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b, .msg_controllen = sizeof c.b};
        struct cmsghdr *h = CMSG_FIRSTHDR(&m);
        h->cmsg_level = SOL_SOCKET, h->cmsg_type = SCM_RIGHTS, h->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(h), &spare, sizeof spare);
        r("send SCM_RIGHTS", sendmsg(sv[0], &m, 0));
    }
    close(spare);
    recv_creds("credentials and rights", sv[1], child);
    close(sv[0]), close(sv[1]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    send(sv[0], "early", 5, 0);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    recv_creds("DGRAM sent before SO_PASSCRED", sv[1], child);
    send(sv[0], "x", 1, 0);
    recv_creds("DGRAM", sv[1], child);
    send_creds(sv[0], "y", child, CMSG_LEN(sizeof(struct ucred)));
    recv_creds("DGRAM the child's pid", sv[1], child);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &off, sizeof off);
    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    send(sv[0], "z", 1, 0);
    setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    recv_creds("DGRAM the sender's SO_PASSCRED", sv[1], child);
    close(sv[0]), close(sv[1]);
    /* SO_PASSCRED gives an unnamed sender a name (Linux autobinds it). */
    int d = socket(AF_UNIX, SOCK_DGRAM, 0), u = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un da = {.sun_family = AF_UNIX};   /* abstract names are the host's: ours alone */
    socklen_t dlen = offsetof(struct sockaddr_un, sun_path) + 1 +
                     snprintf(da.sun_path + 1, sizeof da.sun_path - 1, "sockconf-pc-%d", (int)getpid());
    bind(d, (struct sockaddr *)&da, dlen);
    setsockopt(u, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    sendto(u, "n", 1, 0, (struct sockaddr *)&da, dlen);
    struct sockaddr_un from;
    socklen_t flen = sizeof from;
    r("recvfrom an SO_PASSCRED sender", recvfrom(d, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen));
    say("   its address length %u\n", flen);
    close(d), close(u);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    alarm(0);
}

/* Bytes sent to fd from a child after a pause, so that a blocking read has to wait for them. */
static pid_t send_later(int fd, const char *data)
{
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        send(fd, data, strlen(data), 0);
        _exit(0);
    }
    return pid;
}

static void selected(const char *what, int fd)
{
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(fd, &rd);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &rd, NULL, NULL, &tv);
    say("   select %s = %d readable %d\n", what, n, n > 0 && FD_ISSET(fd, &rd));
}

static void lowat_on(const char *kind, int c, int s)
{
    char buf[32];
    int v = 5;
    say("  %s\n", kind);
    opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    r("set SO_RCVLOWAT 5", setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
    opt("SO_RCVLOWAT", s, SOL_SOCKET, SO_RCVLOWAT);
    send(c, "abc", 3, 0);
    usleep(20000);
    revents("3 bytes below it", s);
    selected("3 bytes below it", s);
    ioctl_int("FIONREAD", s, FIONREAD);
    r("non-blocking recv", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    /* Linux's TCP wakes a reader only when the bytes it has not yet copied reach the mark, so
     * this read may wait out SO_RCVTIMEO; it returns the six bytes either way. */
    struct timeval tv = {0, 200000};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    send(c, "abc", 3, 0);
    pid_t pid = send_later(c, "def");
    r("blocking recv waits for the mark", recv(s, buf, sizeof buf, 0));
    waitpid(pid, NULL, 0);
    send(c, "abcdef", 6, 0);
    usleep(20000);
    revents("6 bytes", s);
    selected("6 bytes", s);
    r("recv 4 (a mark past the buffer is the buffer)", recv(s, buf, 4, 0));
    r("recv the rest", recv(s, buf, sizeof buf, 0));
    send(c, "ab", 2, 0);
    r("blocking recv ended by SO_RCVTIMEO", recv(s, buf, sizeof buf, 0));
    send(c, "ab", 2, 0);
    r("MSG_WAITALL recv 3", (send_later(c, "c") > 0 ? recv(s, buf, 3, MSG_WAITALL) : -1));
    wait(NULL);
    send(c, "ab", 2, 0);
    shutdown(c, SHUT_WR);
    usleep(20000);
    revents("2 bytes and the end", s);
    r("recv", recv(s, buf, sizeof buf, 0));
    v = 0;
    setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v);
    opt("SO_RCVLOWAT after 0", s, SOL_SOCKET, SO_RCVLOWAT);
    r("set SO_SNDLOWAT", setsockopt(s, SOL_SOCKET, SO_SNDLOWAT, &v, sizeof v));
}

static void sec_rcvlowat(void)
{
    say("15. SO_RCVLOWAT\n");
    int c, s, sv[2], v;
    tcp_pair(&c, &s);
    v = 1;                             /* each send leaves at once (no wait for an ACK) */
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v);
    lowat_on("TCP", c, s);
    close(c), close(s);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    lowat_on("AF_UNIX STREAM", sv[0], sv[1]);
    v = -1;
    r("set SO_RCVLOWAT -1", setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
    opt("SO_RCVLOWAT", sv[1], SOL_SOCKET, SO_RCVLOWAT);
    close(sv[0]), close(sv[1]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    v = 5;
    r("AF_UNIX DGRAM set SO_RCVLOWAT 5", setsockopt(sv[1], SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
    send(sv[0], "x", 1, 0);
    revents("a 1-byte datagram", sv[1]);
    r("recv", recv(sv[1], (char[8]){0}, 8, MSG_DONTWAIT));
    close(sv[0]), close(sv[1]);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    r("UDP set SO_RCVLOWAT 5", setsockopt(u, SOL_SOCKET, SO_RCVLOWAT, &v, sizeof v));
    opt("UDP SO_RCVLOWAT", u, SOL_SOCKET, SO_RCVLOWAT);
    close(u);
}

/* Linux 6.1's struct tcp_info (232 bytes; glibc's <netinet/tcp.h> stops at total_retrans). */
struct tcp_info61 {
    uint8_t state, ca_state, retransmits, probes, backoff, options, wscale, app_limited;
    uint32_t rto, ato, snd_mss, rcv_mss, unacked, sacked, lost, retrans, fackets;
    uint32_t last_data_sent, last_ack_sent, last_data_recv, last_ack_recv;
    uint32_t pmtu, rcv_ssthresh, rtt, rttvar, snd_ssthresh, snd_cwnd, advmss, reordering;
    uint32_t rcv_rtt, rcv_space, total_retrans;
    uint64_t pacing_rate, max_pacing_rate, bytes_acked, bytes_received;
    uint32_t segs_out, segs_in, notsent_bytes, min_rtt, data_segs_in, data_segs_out;
    uint64_t delivery_rate, busy_time, rwnd_limited, sndbuf_limited;
    uint32_t delivered, delivered_ce;
    uint64_t bytes_sent, bytes_retrans;
    uint32_t dsack_dups, reord_seen, rcv_ooopack, snd_wnd;
};

/* Which fields a connection that moved data has filled: values only where two correct stacks
 * agree (state, the byte counts, empty queues), "set" for the rest. */
static void tcp_info_of(const char *side, int fd, int sent, int received)
{
    struct tcp_info61 ti;
    memset(&ti, 0, sizeof ti);
    socklen_t len = sizeof ti;
    r(side, getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len));
    say("      len %u state %d unacked %u notsent %u\n", len, ti.state, ti.unacked, ti.notsent_bytes);
    say("      bytes_acked covers %d, bytes_received %d, bytes_sent covers %d\n",
        ti.bytes_acked >= (uint64_t)sent && ti.bytes_acked <= (uint64_t)sent + 1, ti.bytes_received == (uint64_t)received,
        ti.bytes_sent >= (uint64_t)sent);
    say("      set: rto %d ato %d snd_mss %d rcv_mss %d advmss %d pmtu %d rtt %d min_rtt %d\n", !!ti.rto, !!ti.ato,
        !!ti.snd_mss, !!ti.rcv_mss, !!ti.advmss, !!ti.pmtu, !!ti.rtt, !!ti.min_rtt);
    say("      set: snd_cwnd %d snd_ssthresh %d reordering %d rcv_ssthresh %d rcv_space %d snd_wnd %d\n",
        !!ti.snd_cwnd, !!ti.snd_ssthresh, !!ti.reordering, !!ti.rcv_ssthresh, !!ti.rcv_space, !!ti.snd_wnd);
    say("      set: pacing_rate %d max_pacing_rate %d data_segs_in %d wscale option %d\n", !!ti.pacing_rate,
        ti.max_pacing_rate == UINT64_MAX, !!ti.data_segs_in, !!(ti.options & 4));
    /* Ages in ms: each event was at least the probe's sleep ago, so none reads 0. */
    say("      set: last_data_sent %d last_data_recv %d last_ack_recv %d\n", !!ti.last_data_sent,
        !!ti.last_data_recv, !!ti.last_ack_recv);
}

static void sec_tcp_info(void)
{
    say("16. TCP_INFO of a connection that moved data\n");
    int c, s;
    char buf[1000];
    memset(buf, 'x', sizeof buf);
    tcp_pair(&c, &s);
    send(c, buf, 1000, 0);
    for (int got = 0; got < 1000; ) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0)
            break;
        got += n;
    }
    send(s, buf, 300, 0);
    recv(c, buf, sizeof buf, MSG_WAITALL | MSG_DONTWAIT);
    usleep(300000);                    /* the last ACKs arrive (a delayed one within 250 ms) */
    recv(c, buf, 300, MSG_DONTWAIT);
    tcp_info_of("client", c, 1000, 300);
    tcp_info_of("server", s, 300, 1000);
    close(c), close(s);
}

static void peercred_line(const char *what, int fd, pid_t parent, pid_t child)
{
    struct ucred cr;
    socklen_t len = sizeof cr;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    say("   %s: pid %s uid %d gid %d\n", what,
        cr.pid == parent ? "parent" : cr.pid == child ? "child" : cr.pid == 0 ? "0" : "other", (int)cr.uid, (int)cr.gid);
}

static void sec_peercred(const char *dir)
{
    say("17. SO_PEERCRED across processes\n");
    pid_t parent = getpid();
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    alarm(10);
    pid_t child = fork();
    if (child == 0) {
        peercred_line("socketpair, in the child", sv[1], parent, getpid());
        _exit(0);
    }
    waitpid(child, NULL, 0);
    peercred_line("socketpair, in the parent", sv[0], parent, child);
    close(sv[0]), close(sv[1]);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    snprintf(a.sun_path, sizeof a.sun_path, "%s/peer.sock", dir);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 1);
    int ready[2];
    pipe(ready);
    child = fork();
    if (child == 0) {
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        connect(c, (struct sockaddr *)&a, sizeof a);
        peercred_line("connected client, in the child", c, parent, getpid());
        write(ready[1], "r", 1);
        char b;
        read(c, &b, 1);                /* until the parent has looked */
        _exit(0);
    }
    char b;
    read(ready[0], &b, 1);
    int s = accept(l, NULL, NULL);
    peercred_line("accepted, in the parent", s, parent, child);
    write(s, "x", 1);
    waitpid(child, NULL, 0);
    peercred_line("after the client exited", s, parent, child);
    close(s), close(l), close(ready[0]), close(ready[1]);
    unlink(a.sun_path);
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un da = {.sun_family = AF_UNIX};
    socklen_t dlen = offsetof(struct sockaddr_un, sun_path) + 1 +
                     snprintf(da.sun_path + 1, sizeof da.sun_path - 1, "sockconf-peer-%d", (int)getpid());
    bind(d1, (struct sockaddr *)&da, dlen);
    connect(d2, (struct sockaddr *)&da, dlen);
    peercred_line("connected DGRAM", d2, parent, -1);
    close(d1), close(d2);
    alarm(0);
}

/* One IPv6 loopback datagram from tx to rx, sent with control data ctl (ctllen bytes), received
 * with a control buffer of room bytes: the sendmsg result, then each control message's level,
 * type, length and int value, and the flags. */
static void hop_tclass_line(const char *what, int tx, int rx, const void *ctl, size_t ctllen, size_t room)
{
    char data[] = "x", cbuf[256];
    struct iovec v = {data, 1};
    struct msghdr m = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = (void *)ctl, .msg_controllen = ctllen};
    say("   %s:\n", what);
    long n = sendmsg(tx, &m, 0);
    r("sendmsg", n);
    if (n < 0)
        return;
    struct msghdr in = {.msg_iov = &v, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = room};
    r("recvmsg", recvmsg(rx, &in, MSG_DONTWAIT));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&in); c; c = CMSG_NXTHDR(&in, c)) {
        int val = -1;
        if (c->cmsg_len >= CMSG_LEN(sizeof val))
            memcpy(&val, CMSG_DATA(c), sizeof val);
        say("    cmsg level %d type %d len %zu value %d\n", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len, val);
    }
    say("    controllen %zu flags 0x%x\n", (size_t)in.msg_controllen, in.msg_flags);
}

/* A control buffer holding one int message of level/type (len: its cmsg_len). */
static size_t int_cmsg(char *buf, size_t at, int level, int type, int value, size_t len)
{
    struct cmsghdr *c = (struct cmsghdr *)(buf + at);
    c->cmsg_level = level;
    c->cmsg_type = type;
    c->cmsg_len = len;
    memcpy(CMSG_DATA(c), &value, sizeof value);
    return at + CMSG_SPACE(sizeof value);
}

#define UDPLITE_SEND_CSCOV 10             /* linux/udplite.h, which glibc's headers lack */
#define UDPLITE_RECV_CSCOV 11

static void sec_udplite_hoplimit(void)
{
    say("18. UDP-Lite, IPv6 hop limit and traffic class\n");
    int v, lite = rfd("socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE)", socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE));
    rfd("socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE)", socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDPLITE));
    rfd("socket(AF_INET, SOCK_STREAM, IPPROTO_UDPLITE)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDPLITE));
    socklen_t len = sizeof v;
    getsockopt(lite, SOL_SOCKET, SO_PROTOCOL, &v, &len);
    say("   SO_PROTOCOL %d\n", v);
    int plain = socket(AF_INET, SOCK_DGRAM, 0);
    struct { const char *what; int level, name, value; } sets[] = {
        {"UDPLITE_SEND_CSCOV 4", IPPROTO_UDPLITE, UDPLITE_SEND_CSCOV, 4},
        {"UDPLITE_RECV_CSCOV 70000", IPPROTO_UDPLITE, UDPLITE_RECV_CSCOV, 70000},
        {"UDPLITE_SEND_CSCOV 0 at SOL_UDP", IPPROTO_UDP, UDPLITE_SEND_CSCOV, 0},
    };
    for (int i = 0; i < 3; i++) {
        for (int k = 0; k < 2; k++) {
            int fd = k ? plain : lite;
            char what[96];
            snprintf(what, sizeof what, "%s %s", k ? "udp" : "udplite", sets[i].what);
            r(what, setsockopt(fd, sets[i].level, sets[i].name, &sets[i].value, sizeof sets[i].value));
            len = sizeof v;
            v = -1;
            long g = getsockopt(fd, sets[i].level, sets[i].name, &v, &len);
            if (g < 0)
                r("  read back", g);
            else
                say("     read back %d\n", v);
        }
    }
    /* a UDP-Lite datagram over loopback, with a partial coverage of 12 bytes */
    struct sockaddr_in a = lo4(0);
    len = sizeof a;
    int lrx = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE);
    bind(lrx, (struct sockaddr *)&a, sizeof a);
    getsockname(lrx, (struct sockaddr *)&a, &len);
    v = 12;
    setsockopt(lite, IPPROTO_UDPLITE, UDPLITE_SEND_CSCOV, &v, sizeof v);
    r("udplite sendto", sendto(lite, "lite data", 9, 0, (struct sockaddr *)&a, sizeof a));
    char buf[32] = {0};
    struct pollfd pfd = {lrx, POLLIN, 0};
    poll(&pfd, 1, 2000);
    long n = recv(lrx, buf, sizeof buf, MSG_DONTWAIT);
    r("udplite recv", n);
    say("     got \"%s\"\n", n > 0 ? buf : "");
    close(lite), close(lrx), close(plain);

    int rx = socket(AF_INET6, SOCK_DGRAM, 0), tx = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
    len = sizeof a6;
    bind(rx, (struct sockaddr *)&a6, sizeof a6);
    getsockname(rx, (struct sockaddr *)&a6, &len);
    connect(tx, (struct sockaddr *)&a6, sizeof a6);
    int tclasses[] = {-2, -1, 0, 0x28, 255, 256};
    for (int i = 0; i < 6; i++) {
        char what[48];
        snprintf(what, sizeof what, "IPV6_TCLASS %d", tclasses[i]);
        r(what, setsockopt(tx, IPPROTO_IPV6, IPV6_TCLASS, &tclasses[i], sizeof v));
        len = sizeof v;
        getsockopt(tx, IPPROTO_IPV6, IPV6_TCLASS, &v, &len);
        say("     read back %d\n", v);
    }
    hop_tclass_line("nothing asked", tx, rx, NULL, 0, 256);
    v = 1;
    r("IPV6_RECVHOPLIMIT 1", setsockopt(rx, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &v, sizeof v));
    hop_tclass_line("hop limit asked", tx, rx, NULL, 0, 256);
    r("IPV6_RECVTCLASS 1", setsockopt(rx, IPPROTO_IPV6, IPV6_RECVTCLASS, &v, sizeof v));
    len = sizeof v;
    getsockopt(rx, IPPROTO_IPV6, IPV6_RECVTCLASS, &v, &len);
    say("     IPV6_RECVTCLASS reads %d\n", v);
    hop_tclass_line("both asked", tx, rx, NULL, 0, 256);
    hop_tclass_line("both asked, room for one", tx, rx, NULL, 0, CMSG_SPACE(sizeof(int)));
    hop_tclass_line("both asked, room for a header", tx, rx, NULL, 0, sizeof(struct cmsghdr));
    char ctl[128] = {0};
    size_t at = int_cmsg(ctl, 0, IPPROTO_IPV6, IPV6_HOPLIMIT, 2, CMSG_LEN(sizeof(int)));
    hop_tclass_line("sent with hop limit 2", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, IPPROTO_IPV6, IPV6_TCLASS, 0x10, CMSG_LEN(sizeof(int)));
    at = int_cmsg(ctl, at, IPPROTO_IPV6, IPV6_HOPLIMIT, -1, CMSG_LEN(sizeof(int)));
    hop_tclass_line("sent with traffic class 0x10, hop limit -1", tx, rx, ctl, at, 256);
    hop_tclass_line("the next one without", tx, rx, NULL, 0, 256);
    at = int_cmsg(ctl, 0, IPPROTO_IPV6, IPV6_TCLASS, 0, CMSG_LEN(sizeof(int)) + 1);
    hop_tclass_line("traffic class one byte long", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, IPPROTO_IPV6, IPV6_HOPLIMIT, 256, CMSG_LEN(sizeof(int)));
    hop_tclass_line("hop limit 256", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, IPPROTO_IPV6, 1000, 0, CMSG_LEN(sizeof(int)));
    hop_tclass_line("unknown IPv6 type", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, IPPROTO_TCP, 1, 0, CMSG_LEN(sizeof(int)));
    hop_tclass_line("another level", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, SOL_SOCKET, 1000, 0, CMSG_LEN(sizeof(int)));
    hop_tclass_line("unknown SOL_SOCKET type", tx, rx, ctl, at, 256);
    at = int_cmsg(ctl, 0, IPPROTO_IPV6, IPV6_HOPLIMIT, 3, 300);
    hop_tclass_line("message longer than the buffer", tx, rx, ctl, at, 256);
    close(rx), close(tx);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    sec_socket();
    sec_bind();
    sec_unix_names(dir);
    sec_connect();
    sec_sendrecv();
    sec_udp();
    sec_opts();
    sec_pairs();
    sec_more();
    sec_edges();
    sec_reuse();
    sec_icmp_errors();
    sec_unix_queues(dir);
    sec_passcred();
    sec_rcvlowat();
    sec_tcp_info();
    sec_peercred(dir);
    sec_udplite_hoplimit();
    return 0;
}
