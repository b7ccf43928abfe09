/* AF_UNIX probe: `unixsock DIR` prints what Linux does for socketpairs (stream, datagram,
 * seqpacket), pathname and abstract listeners, datagram addressing, shutdown and EOF, and the
 * errors around them. The oracle is this program under qemu-aarch64-static. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fflush(stdout);
}

static const char *res(long r) { return r < 0 ? strerrorname_np(errno) : "ok"; }

static short events(int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP, 0 };
    poll(&p, 1, 0);
    return p.revents;
}

static socklen_t addr(struct sockaddr_un *a, const char *path, int abstract)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    if (abstract) {
        memcpy(a->sun_path + 1, path, strlen(path));
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(path));
    }
    strcpy(a->sun_path, path);
    return sizeof(*a);
}

static void show_name(const char *what, int fd, int peer)
{
    struct sockaddr_un a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a));
    int r = peer ? getpeername(fd, (struct sockaddr *)&a, &len) : getsockname(fd, (struct sockaddr *)&a, &len);
    if (r) {
        say("   %s: %s\n", what, strerrorname_np(errno));
        return;
    }
    int abstract = len > 2 && a.sun_path[0] == 0;
    say("   %s: len %u %s\"%s\"\n", what, len, abstract ? "abstract " : "", abstract ? a.sun_path + 1 : a.sun_path);
}

int main(int argc, char **argv)
{
    if (argc < 2 || chdir(argv[1]))
        return 2;
    char buf[64];
    int sv[2];

    say("1. stream socketpair\n");
    say("   socketpair: %s\n", res(socketpair(AF_UNIX, SOCK_STREAM, 0, sv)));
    say("   write: %zd %zd\n", write(sv[0], "abc", 3), write(sv[0], "def", 3));
    say("   poll: %#x\n", events(sv[1]));
    memset(buf, 0, sizeof(buf));
    say("   read: %zd \"%s\"\n", read(sv[1], buf, sizeof(buf)), buf);
    say("   nonblocking read: %s\n", res(recv(sv[1], buf, 4, MSG_DONTWAIT)));
    show_name("sockname", sv[0], 0);
    show_name("peername", sv[0], 1);
    struct ucred cred;
    socklen_t cl = sizeof(cred);
    say("   SO_PEERCRED: %s, pid matches %d\n", res(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &cl)),
        cred.pid == getpid());
    int type;
    socklen_t tl = sizeof(type);
    getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &tl);
    say("   SO_TYPE %d\n", type);
    say("   shutdown write: %s\n", res(shutdown(sv[0], SHUT_WR)));
    say("   peer reads EOF: %zd, poll %#x\n", read(sv[1], buf, sizeof(buf)), events(sv[1]));
    say("   write after shutdown: %s\n", res(send(sv[0], "x", 1, MSG_NOSIGNAL)));
    close(sv[1]);
    say("   poll after peer close: %#x\n", events(sv[0]));
    close(sv[0]);

    say("   a full queue: ");
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    static char chunk[4096];
    long total = 0, r;
    while ((r = send(sv[0], chunk, sizeof(chunk), 0)) > 0)
        total += r;
    say("%s after more than 64 KiB %d\n", strerrorname_np(errno), total > 65536);
    close(sv[0]);
    close(sv[1]);

    say("2. datagram and seqpacket pairs keep message boundaries\n");
    for (int t = 0; t < 2; t++) {
        socketpair(AF_UNIX, t ? SOCK_SEQPACKET : SOCK_DGRAM, 0, sv);
        send(sv[0], "one", 3, 0);
        send(sv[0], "three", 5, 0);
        memset(buf, 0, sizeof(buf));
        ssize_t a = recv(sv[1], buf, sizeof(buf), 0);
        say("   %s: %zd \"%s\",", t ? "seqpacket" : "dgram", a, buf);
        memset(buf, 0, sizeof(buf));
        a = recv(sv[1], buf, 2, MSG_TRUNC);
        say(" truncated %zd \"%s\"\n", a, buf);
        close(sv[1]);
        say("   send to closed peer: %s\n", res(send(sv[0], "x", 1, MSG_NOSIGNAL)));
        close(sv[0]);
    }

    say("3. pathname listener\n");
    struct sockaddr_un a;
    socklen_t al = addr(&a, "sock", 0);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    say("   listen unbound: %s\n", res(listen(l, 4)));
    say("   bind: %s, listen: %s\n", res(bind(l, (struct sockaddr *)&a, al)), res(listen(l, 4)));
    struct stat st;
    say("   stat: %s, socket %d\n", res(stat("sock", &st)), S_ISSOCK(st.st_mode));
    say("   open the socket file: %s\n", res(open("sock", 0)));
    int l2 = socket(AF_UNIX, SOCK_STREAM, 0);
    say("   bind again: %s\n", res(bind(l2, (struct sockaddr *)&a, al)));
    close(l2);
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("   connect: %s\n", res(connect(c, (struct sockaddr *)&a, al)));
    say("   connect again: %s\n", res(connect(c, (struct sockaddr *)&a, al)));
    say("   listener poll: %#x\n", events(l));
    int s = accept(l, NULL, NULL);
    say("   accept: %s\n", res(s));
    show_name("accepted sockname", s, 0);
    show_name("client peername", c, 1);
    show_name("client sockname", c, 0);
    say("   send/recv: %zd %zd\n", send(c, "ping", 4, 0), recv(s, buf, sizeof(buf), 0));
    close(c);
    say("   read after client close: %zd\n", read(s, buf, sizeof(buf)));
    close(s);
    close(l);
    struct sockaddr_un missing;
    socklen_t ml = addr(&missing, "nosuch", 0);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    say("   connect to a closed listener: %s\n", res(connect(c, (struct sockaddr *)&a, al)));
    say("   connect to a missing path: %s\n", res(connect(c, (struct sockaddr *)&missing, ml)));
    close(c);
    say("   unlink the socket file: %s\n", res(unlink("sock")));

    say("4. abstract names and datagram addressing\n");
    struct sockaddr_un srv, cli;
    socklen_t sl = addr(&srv, "probe-srv", 1), cl2 = addr(&cli, "probe-cli", 1);
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("   bind: %s %s\n", res(bind(d1, (struct sockaddr *)&srv, sl)), res(bind(d2, (struct sockaddr *)&cli, cl2)));
    show_name("sockname", d1, 0);
    say("   sendto: %zd\n", sendto(d2, "hi", 2, 0, (struct sockaddr *)&srv, sl));
    struct sockaddr_un from;
    socklen_t fl = sizeof(from);
    memset(buf, 0, sizeof(buf));
    ssize_t n = recvfrom(d1, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
    say("   recvfrom: %zd \"%s\" from len %u \"%s\"\n", n, buf, fl, from.sun_path + 1);
    say("   send unconnected: %s\n", res(send(d2, "x", 1, 0)));
    struct sockaddr_un nobody;
    socklen_t nl = addr(&nobody, "probe-nobody", 1);
    say("   sendto nobody: %s\n", res(sendto(d2, "x", 1, 0, (struct sockaddr *)&nobody, nl)));
    int d3 = socket(AF_UNIX, SOCK_DGRAM, 0);
    say("   bind taken abstract name: %s\n", res(bind(d3, (struct sockaddr *)&srv, sl)));
    close(d1);
    close(d2);
    close(d3);

    say("5. errors\n");
    say("   socket type 0: %s\n", res(socket(AF_UNIX, 0, 0)));
    say("   protocol 7: %s\n", res(socket(AF_UNIX, SOCK_STREAM, 7)));
    say("   inet socketpair: %s\n", res(socketpair(AF_INET, SOCK_STREAM, 0, sv)));
    return 0;
}
