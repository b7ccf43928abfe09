/* BSD sockets over loopback inside one program, printed so that the output can be compared line
 * by line with the same program on Linux (qemu-aarch64-static). Usage: sock errors|tcp|udp|tcp6|memory|bench|serve PORT.
 * Nothing printed may depend on timing, port numbers or buffer sizes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("%s=-1 %s\n", what, strerrorname_np(errno));
    else
        printf("%s=%ld\n", what, r);
}

static int revents(int fd, short events, int timeout)
{
    struct pollfd p = { fd, events, 0 };
    int r = poll(&p, 1, timeout);
    return r < 0 ? -1 : p.revents;
}

static struct sockaddr_in loopback(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static uint16_t port_of(int fd)
{
    struct sockaddr_storage a;
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    return ntohs(((struct sockaddr_in *)&a)->sin_port);
}

static int getint(int fd, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof(v);
    return getsockopt(fd, level, name, &v, &len) < 0 ? -errno : v;
}

static void test_errors(void)
{
    show("socket_bad_family", socket(12345, SOCK_STREAM, 0));
    show("socket_bad_type", socket(AF_INET, 15, 0));
    show("socket_tcp_as_udp", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    show("socket_seqpacket", socket(AF_INET, SOCK_SEQPACKET, 0));
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    printf("getfl=%o getfd=%d\n", fcntl(s, F_GETFL), fcntl(s, F_GETFD));
    struct stat st;
    fstat(s, &st);
    printf("issock=%d\n", S_ISSOCK(st.st_mode));
    printf("type=%d protocol=%d domain=%d acceptconn=%d error=%d\n", getint(s, SOL_SOCKET, SO_TYPE),
           getint(s, SOL_SOCKET, SO_PROTOCOL), getint(s, SOL_SOCKET, SO_DOMAIN),
           getint(s, SOL_SOCKET, SO_ACCEPTCONN), getint(s, SOL_SOCKET, SO_ERROR));
    printf("poll_fresh=%#x\n", revents(s, POLLIN | POLLOUT, 0));
    int file = open("/etc/passwd", O_RDONLY);
    struct sockaddr_in a = loopback(0);
    show("bind_not_socket", bind(file, (struct sockaddr *)&a, sizeof(a)));
    show("bind_bad_fd", bind(999, (struct sockaddr *)&a, sizeof(a)));
    show("bind_short", bind(s, (struct sockaddr *)&a, sizeof(a) - 1));
    show("bind_huge_len", bind(s, (struct sockaddr *)&a, 1000));
    a.sin_family = AF_INET6;
    show("bind_wrong_family", bind(s, (struct sockaddr *)&a, sizeof(a)));
    a = loopback(0);
    a.sin_addr.s_addr = htonl(0x0a0b0c0d);
    show("bind_foreign_address", bind(s, (struct sockaddr *)&a, sizeof(a)));
    a = loopback(0);
    show("bind", bind(s, (struct sockaddr *)&a, sizeof(a)));
    show("bind_again", bind(s, (struct sockaddr *)&a, sizeof(a)));
    printf("bound_port_nonzero=%d\n", port_of(s) != 0);
    show("accept_not_listening", accept(s, NULL, NULL));
    show("accept4_bad_flags", accept4(s, NULL, NULL, 0x1));
    char c;
    show("recv_not_connected", recv(s, &c, 1, 0));
    signal(SIGPIPE, SIG_IGN);
    show("send_not_connected", send(s, "x", 1, 0));
    show("shutdown_not_connected", shutdown(s, SHUT_RDWR));
    show("shutdown_bad_how", shutdown(s, 7));
    struct sockaddr_in peer;
    socklen_t len = sizeof(peer);
    show("getpeername_not_connected", getpeername(s, (struct sockaddr *)&peer, &len));
    show("setsockopt_short", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &c, 1));
    int one = 1, v = 8192;
    show("setsockopt_unknown", setsockopt(s, SOL_SOCKET, 12345, &one, sizeof(one)));
    show("getsockopt_unknown", getint(s, SOL_SOCKET, 12345) == -ENOPROTOOPT ? -1 : 0);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v));
    printf("reuseaddr=%d reuseport=%d keepalive=%d nodelay=%d rcvbuf=%d sndbuf=%d\n",
           getint(s, SOL_SOCKET, SO_REUSEADDR), getint(s, SOL_SOCKET, SO_REUSEPORT),
           getint(s, SOL_SOCKET, SO_KEEPALIVE), getint(s, IPPROTO_TCP, TCP_NODELAY),
           getint(s, SOL_SOCKET, SO_RCVBUF), getint(s, SOL_SOCKET, SO_SNDBUF));
    printf("keepidle=%d keepintvl=%d keepcnt=%d\n", getint(s, IPPROTO_TCP, TCP_KEEPIDLE),
           getint(s, IPPROTO_TCP, TCP_KEEPINTVL), getint(s, IPPROTO_TCP, TCP_KEEPCNT));
    v = 0;
    show("keepidle_zero", setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v)));
    v = 128;
    show("keepcnt_too_big", setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof(v)));
    v = 30;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof(v));
    printf("keepidle_set=%d\n", getint(s, IPPROTO_TCP, TCP_KEEPIDLE));
    struct linger lg = { 1, 5 };
    show("linger_short", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4));
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    lg.l_onoff = 0;
    lg.l_linger = 9;
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    socklen_t lglen = sizeof(lg);
    getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &lglen);
    printf("linger onoff=%d linger=%d len=%d\n", lg.l_onoff, lg.l_linger, lglen);
    show("listen", listen(s, 5));
    printf("acceptconn=%d\n", getint(s, SOL_SOCKET, SO_ACCEPTCONN));
    show("accept_nothing", accept(s, NULL, NULL));
    printf("poll_listener=%#x\n", revents(s, POLLIN | POLLOUT, 0));
    int s2 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in b = loopback(port_of(s));
    show("bind_in_use", bind(s2, (struct sockaddr *)&b, sizeof(b)));
    close(s2);
    s2 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in closed = loopback(1);
    show("connect_refused", connect(s2, (struct sockaddr *)&closed, sizeof(closed)));
    close(s2);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    show("listen_udp", listen(u, 1));
    show("send_udp_no_dest", send(u, "x", 1, 0));
    show("tcp_nodelay_on_udp", setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
    show("lseek_socket", lseek(u, 0, SEEK_SET));
    close(u);
    close(s);
}

static void test_tcp(void)
{
    char buf[65536];
    int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = loopback(0);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 4);
    a = loopback(port_of(l));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    show("connect_nonblock", connect(c, (struct sockaddr *)&a, sizeof(a)));
    printf("poll_connecting_out=%#x\n", revents(c, POLLOUT, 5000) & POLLOUT);
    printf("so_error=%d\n", getint(c, SOL_SOCKET, SO_ERROR));
    show("connect_again", connect(c, (struct sockaddr *)&a, sizeof(a)));
    printf("poll_listener=%#x\n", revents(l, POLLIN, 5000));
    struct sockaddr_in peer;
    socklen_t len = sizeof(peer);
    int s = accept4(l, (struct sockaddr *)&peer, &len, SOCK_NONBLOCK);
    printf("accepted=%d len=%d family=%d peer_is_client=%d\n", s >= 0, len, peer.sin_family,
           ntohs(peer.sin_port) == port_of(c));
    struct sockaddr_in name;
    len = sizeof(name);
    getpeername(c, (struct sockaddr *)&name, &len);
    printf("client_peer_is_listener_port=%d addr=%s\n", ntohs(name.sin_port) == port_of(l), inet_ntoa(name.sin_addr));
    printf("accepted_local_port_is_listener=%d\n", port_of(s) == port_of(l));
    show("accept_empty", accept(l, NULL, NULL));
    printf("poll_idle=%#x\n", revents(s, POLLIN | POLLOUT | POLLRDHUP, 0));
    show("send", send(c, "hello", 5, 0));
    printf("poll_data=%#x\n", revents(s, POLLIN, 5000));
    int n = 0;
    ioctl(s, FIONREAD, &n);
    printf("fionread=%d\n", n);
    show("recv_peek", recv(s, buf, 3, MSG_PEEK));
    show("recv", recv(s, buf, sizeof(buf), 0));
    printf("got=%.5s\n", buf);
    show("recv_empty", recv(s, buf, sizeof(buf), 0));
    show("recv_oob_none", recv(s, buf, sizeof(buf), MSG_OOB));
    struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
    show("writev", writev(c, iov, 2));
    revents(s, POLLIN, 5000);
    show("read", read(s, buf, sizeof(buf)));
    struct msghdr m = { 0 };
    struct iovec riov[2] = { { buf, 2 }, { buf + 10, 10 } };
    send(s, "12345", 5, 0);
    revents(c, POLLIN, 5000);
    m.msg_iov = riov;
    m.msg_iovlen = 2;
    show("recvmsg", recvmsg(c, &m, 0));
    printf("split=%.2s|%.3s flags=%d\n", buf, buf + 10, m.msg_flags);

    /* a writer much faster than the reader: nothing lost, all in order */
    long sent = 0, received = 0;
    uint32_t sum_out = 0, sum_in = 0;
    unsigned char out[8192];
    int blocked = 0;
    while (sent < 2 * 1024 * 1024) {
        for (int i = 0; i < (int)sizeof(out); i++)
            out[i] = (unsigned char)((sent + i) * 7);
        long want = 2 * 1024 * 1024 - sent < (long)sizeof(out) ? 2 * 1024 * 1024 - sent : (long)sizeof(out);
        long r = send(c, out, want, 0);
        if (r < 0 && errno == EAGAIN) {
            blocked = 1;
            long got = recv(s, buf, sizeof(buf), 0);
            if (got <= 0)
                revents(s, POLLIN, 1000);
            for (long i = 0; i < got; i++)
                sum_in += (unsigned char)buf[i] * (uint32_t)(received + i + 1);
            if (got > 0)
                received += got;
            continue;
        }
        for (long i = 0; i < r; i++)
            sum_out += out[i] * (uint32_t)(sent + i + 1);
        sent += r;
    }
    shutdown(c, SHUT_WR);
    for (;;) {
        long got = recv(s, buf, sizeof(buf), 0);
        if (got == 0)
            break;
        if (got < 0) {
            revents(s, POLLIN, 1000);
            continue;
        }
        for (long i = 0; i < got; i++)
            sum_in += (unsigned char)buf[i] * (uint32_t)(received + i + 1);
        received += got;
    }
    printf("bulk sent=%ld received=%ld same=%d\n", sent, received, sum_in == sum_out);
    (void)blocked;
    printf("poll_after_fin=%#x\n", revents(s, POLLIN | POLLOUT | POLLRDHUP, 0));
    show("recv_eof", recv(s, buf, 10, 0));
    show("send_after_shut_wr", send(c, "x", 1, MSG_NOSIGNAL));
    show("send_back", send(s, "bye", 3, 0));
    revents(c, POLLIN, 5000);
    show("recv_back", recv(c, buf, 10, 0));
    close(s);
    revents(c, POLLIN, 5000);
    show("recv_after_peer_close", recv(c, buf, 10, 0));
    printf("poll_closed=%#x\n", revents(c, POLLIN | POLLOUT | POLLRDHUP, 0));
    close(c);

    /* epoll on a listener and an edge-triggered connection */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 };
    epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev);
    c = socket(AF_INET, SOCK_STREAM, 0);
    show("connect_blocking", connect(c, (struct sockaddr *)&a, sizeof(a)));
    struct epoll_event got[4];
    n = epoll_wait(ep, got, 4, 5000);
    printf("epoll_listener=%d events=%#x data=%u\n", n, got[0].events, got[0].data.u32);
    s = accept(l, NULL, NULL);
    ev.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
    ev.data.u32 = 2;
    epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
    send(c, "x", 1, 0);
    n = epoll_wait(ep, got, 4, 5000);
    printf("epoll_data=%d events=%#x data=%u\n", n, got[0].events, got[0].data.u32);
    n = epoll_wait(ep, got, 4, 0);
    printf("epoll_et_again=%d\n", n);
    close(c);
    n = epoll_wait(ep, got, 4, 5000);
    printf("epoll_peer_closed=%d events=%#x\n", n, got[0].events);
    close(s);
    close(ep);

    /* SO_LINGER with 0 s: close resets the connection */
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    s = accept(l, NULL, NULL);
    struct linger lg = { 1, 0 };
    setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(s);
    printf("poll_reset=%#x\n", revents(c, POLLIN | POLLOUT | POLLRDHUP, 5000));
    show("recv_reset", recv(c, buf, 10, 0));
    show("recv_after_reset", recv(c, buf, 10, 0));
    close(c);
    close(l);
}

static void test_udp(void)
{
    char buf[100];
    int a = socket(AF_INET, SOCK_DGRAM, 0), b = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in aa = loopback(0), ba = loopback(0), from;
    bind(a, (struct sockaddr *)&aa, sizeof(aa));
    bind(b, (struct sockaddr *)&ba, sizeof(ba));
    aa = loopback(port_of(a));
    ba = loopback(port_of(b));
    printf("poll_empty=%#x\n", revents(b, POLLIN | POLLOUT, 0));
    show("recv_empty", recv(b, buf, sizeof(buf), 0));
    show("sendto", sendto(a, "first", 5, 0, (struct sockaddr *)&ba, sizeof(ba)));
    show("sendto_second", sendto(a, "second!", 7, 0, (struct sockaddr *)&ba, sizeof(ba)));
    show("sendto_empty", sendto(a, "", 0, 0, (struct sockaddr *)&ba, sizeof(ba)));
    show("sendto_short_addr", sendto(a, "x", 1, 0, (struct sockaddr *)&ba, 8));
    printf("poll_ready=%#x\n", revents(b, POLLIN, 5000));
    int n = 0;
    ioctl(b, FIONREAD, &n);
    printf("fionread=%d\n", n);
    socklen_t len = sizeof(from);
    show("recvfrom", recvfrom(b, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len));
    printf("got=%.5s from_is_a=%d len=%d\n", buf, ntohs(from.sin_port) == port_of(a), len);
    struct msghdr m = { 0 };
    struct iovec iov = { buf, 3 };
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    show("recvmsg_truncated", recvmsg(b, &m, 0));
    printf("flags_trunc=%d namelen=%d\n", !!(m.msg_flags & MSG_TRUNC), m.msg_namelen);
    show("recv_empty_datagram", recv(b, buf, sizeof(buf), 0));
    show("recv_none_left", recv(b, buf, sizeof(buf), 0));
    sendto(a, "abcdef", 6, 0, (struct sockaddr *)&ba, sizeof(ba));
    revents(b, POLLIN, 5000);
    show("recv_msg_trunc_flag", recv(b, buf, 2, MSG_TRUNC));
    show("connect", connect(b, (struct sockaddr *)&aa, sizeof(aa)));
    show("send_connected", send(b, "reply", 5, 0));
    show("recv_blocking", recv(a, buf, sizeof(buf), 0));
    struct sockaddr_in name;
    len = sizeof(name);
    show("getpeername", getpeername(b, (struct sockaddr *)&name, &len));
    printf("peer_is_a=%d\n", ntohs(name.sin_port) == port_of(a));
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    show("disconnect", connect(b, &unspec, sizeof(unspec)));
    show("getpeername_after", getpeername(b, (struct sockaddr *)&name, &len));
    struct iovec parts[2] = { { "ab", 2 }, { "cd", 2 } };
    m = (struct msghdr){ .msg_name = &aa, .msg_namelen = sizeof(aa), .msg_iov = parts, .msg_iovlen = 2 };
    show("sendmsg", sendmsg(b, &m, 0));
    show("recv_one_datagram", recv(a, buf, sizeof(buf), 0));
    connect(b, (struct sockaddr *)&aa, sizeof(aa));
    show("writev_datagram", writev(b, parts, 2));
    struct iovec rparts[2] = { { buf, 1 }, { buf + 1, 10 } };
    show("readv_one_datagram", readv(a, rparts, 2));
    static char big[70000];
    show("send_oob_udp", sendto(a, "x", 1, MSG_OOB, (struct sockaddr *)&ba, sizeof(ba)));
    show("sendto_too_big", sendto(a, big, sizeof(big), 0, (struct sockaddr *)&ba, sizeof(ba)));
    show("shutdown_unconnected", shutdown(a, SHUT_RD));
    show("recv_after_shut_rd", recv(a, buf, sizeof(buf), 0));
    close(a);
    close(b);
}

static void test_tcp6(void)
{
    char buf[16];
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
    show("bind_any6", bind(l, (struct sockaddr *)&a, sizeof(a)));
    show("listen", listen(l, 2));
    socklen_t len = sizeof(a);
    getsockname(l, (struct sockaddr *)&a, &len);
    char text[64];
    printf("name len=%d family=%d addr=%s\n", len, a.sin6_family, inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text)));
    uint16_t port = ntohs(a.sin6_port);
    int c6 = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 to6 = { .sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    show("connect6", connect(c6, (struct sockaddr *)&to6, sizeof(to6)));
    int s6 = accept(l, (struct sockaddr *)&a, &len);
    printf("peer6=%s\n", inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text)));
    send(c6, "six", 3, 0);
    show("recv6", recv(s6, buf, sizeof(buf), 0));
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to4 = loopback(port);
    show("connect4_to_dual_stack", connect(c4, (struct sockaddr *)&to4, sizeof(to4)));
    len = sizeof(a);
    int s4 = accept(l, (struct sockaddr *)&a, &len);
    printf("peer4_mapped=%s\n", inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof(text)));
    send(c4, "four", 4, 0);
    show("recv4", recv(s4, buf, sizeof(buf), 0));
    close(s4); close(c4); close(s6); close(c6); close(l);
}

/* serve PORT: TCP echo for one connection (slowly at first, to hold the sender back), then UDP
 * echo of one datagram on the same port number, for a host on the other side of a port forward. */
static void serve(int port)
{
    static char buf[65536];
    int one = 1;
    int l = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    if (bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) || bind(u, (struct sockaddr *)&a, sizeof(a))) {
        perror("serve");
        exit(1);
    }
    printf("listening\n");
    int s = accept(l, NULL, NULL);
    long total = 0, n;
    struct timespec pause = { 0, 20000000 };
    for (int i = 0; (n = read(s, buf, i < 10 ? 1000 : sizeof(buf))) > 0; i++) {
        if (i < 10)
            nanosleep(&pause, NULL);   /* a slow reader: the window must close, not data vanish */
        for (long off = 0; off < n; ) {
            long w = write(s, buf + off, n - off);
            if (w <= 0) {
                perror("write");
                exit(1);
            }
            off += w;
        }
        total += n;
    }
    close(s);
    printf("tcp echoed %ld\n", total);
    struct sockaddr_in from;
    socklen_t len = sizeof(from);
    n = recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
    sendto(u, buf, n, 0, (struct sockaddr *)&from, len);
    printf("udp echoed %ld\n", n);
}

/* memory: connections that die with data queued both ways give their buffers back. Rounds of
 * the same work must not leave the free memory shrinking (the first round warms the heap). */
static long connection_round(int l, const struct sockaddr_in *a, int count)
{
    static char chunk[65536];
    struct sysinfo si;
    for (int i = 0; i < count; i++) {
        int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(c, (const struct sockaddr *)a, sizeof(*a));
        revents(c, POLLOUT, 5000);
        int s = accept4(l, NULL, NULL, 0);
        for (int k = 0; k < 4; k++) {
            send(c, chunk, sizeof(chunk), 0);   /* queued in the server's receive queue, unread */
            send(s, chunk, sizeof(chunk), MSG_DONTWAIT);
        }
        revents(s, POLLIN, 5000);
        close(s);
        close(c);
    }
    struct timespec settle = { 0, 300000000 };
    nanosleep(&settle, NULL);
    sysinfo(&si);
    return (long)si.freeram;
}

static void test_memory(void)
{
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(0);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 8);
    a = loopback(port_of(l));
    long first = connection_round(l, &a, 40);
    long second = connection_round(l, &a, 40);
    long third = connection_round(l, &a, 40);
    printf("free after rounds: %ld %ld %ld KiB\n", first >> 10, second >> 10, third >> 10);
    printf("memory_returned=%d\n", third >= first - (256L << 10));
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* bench: throughput of a pipe and of a loopback TCP connection (one thread alternating writer
 * and reader), and the round trip of an eventfd through epoll_wait. */
static void bench(void)
{
    static char buf[65536];
    const long total = 32L << 20;
    int p[2];
    pipe2(p, O_NONBLOCK);
    double t0 = seconds();
    for (long moved = 0; moved < total; ) {
        long w = write(p[1], buf, sizeof(buf));
        long r = read(p[0], buf, sizeof(buf));
        if (w < 0 || r < 0)
            exit(1);
        moved += r;
    }
    printf("pipe %.1f MB/s\n", total / (seconds() - t0) / 1e6);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = loopback(0);
    bind(l, (struct sockaddr *)&a, sizeof(a));
    listen(l, 1);
    a = loopback(port_of(l));
    int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    connect(c, (struct sockaddr *)&a, sizeof(a));
    int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
    t0 = seconds();
    for (long moved = 0, sent = 0; moved < total; ) {
        if (sent < total) {
            long w = send(c, buf, sizeof(buf), 0);
            if (w > 0)
                sent += w;
        }
        long r = recv(s, buf, sizeof(buf), 0);
        if (r > 0)
            moved += r;
        else
            revents(s, POLLIN, 1000);
    }
    printf("tcp loopback %.1f MB/s\n", total / (seconds() - t0) / 1e6);
    int ep = epoll_create1(0), e = eventfd(0, EFD_NONBLOCK);
    struct epoll_event ev = { .events = EPOLLIN }, got;
    epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
    uint64_t one = 1;
    const int rounds = 20000;
    t0 = seconds();
    for (int i = 0; i < rounds; i++) {
        write(e, &one, 8);
        epoll_wait(ep, &got, 1, -1);
        read(e, &one, 8);
    }
    printf("eventfd+epoll round trip %.2f us\n", (seconds() - t0) / rounds * 1e6);
}

/* The source address a UDP connect picks (getsockname right after), and the order glibc's
 * getaddrinfo gives localhost's addresses in (it sorts by those source addresses). */
static void test_source(void)
{
    const char *dsts[] = { "127.0.0.1", "::1", "::ffff:127.0.0.1" };
    for (int i = 0; i < 3; i++) {
        int v6 = strchr(dsts[i], ':') != NULL;
        int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        struct sockaddr_storage dst = { 0 }, me;
        socklen_t len = v6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        if (v6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&dst;
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(9);
            inet_pton(AF_INET6, dsts[i], &a->sin6_addr);
        } else {
            struct sockaddr_in *a = (struct sockaddr_in *)&dst;
            a->sin_family = AF_INET;
            a->sin_port = htons(9);
            inet_pton(AF_INET, dsts[i], &a->sin_addr);
        }
        int r = connect(s, (struct sockaddr *)&dst, len);
        socklen_t mlen = sizeof(me);
        getsockname(s, (struct sockaddr *)&me, &mlen);
        char text[64];
        if (me.ss_family == AF_INET6)
            inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&me)->sin6_addr, text, sizeof(text));
        else
            inet_ntop(AF_INET, &((struct sockaddr_in *)&me)->sin_addr, text, sizeof(text));
        printf("udp connect %s: %d, source %s\n", dsts[i], r, text);
        struct sockaddr_in any = { .sin_family = AF_UNSPEC };
        connect(s, (struct sockaddr *)&any, sizeof(any));
        mlen = sizeof(me);
        getsockname(s, (struct sockaddr *)&me, &mlen);
        printf("  after disconnect: family %d\n", me.ss_family);
        close(s);
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res;
    int e = getaddrinfo("localhost", "80", &hints, &res);
    printf("getaddrinfo localhost: %s\n", e ? gai_strerror(e) : "ok");
    for (struct addrinfo *r = res; !e && r; r = r->ai_next) {
        char host[64];
        getnameinfo(r->ai_addr, r->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
        printf("  %s\n", host);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "errors"))
        test_errors();
    else if (!strcmp(what, "tcp"))
        test_tcp();
    else if (!strcmp(what, "udp"))
        test_udp();
    else if (!strcmp(what, "tcp6"))
        test_tcp6();
    else if (!strcmp(what, "memory"))
        test_memory();
    else if (!strcmp(what, "source"))
        test_source();
    else if (!strcmp(what, "bench"))
        bench();
    else if (!strcmp(what, "serve") && argc > 2)
        serve(atoi(argv[2]));
    else {
        fprintf(stderr, "usage: sock errors|tcp|udp|tcp6\n");
        return 2;
    }
    return 0;
}
