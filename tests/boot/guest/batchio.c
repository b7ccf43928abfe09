/* sendmmsg/recvmmsg, splice/tee/vmsplice, SysV message queues, semaphores and shared memory, POSIX message queues, printed so that Linux (qemu-aarch64-static in a
 * tmpfs directory) and our kernel can be compared line by line: tests/boot/test_batch_io.py.
 * Sections 7 and 12 (argument `timeouts`) are recvmmsg's timeout, which qemu-user does not pass
 * to Linux (it loops over recvmsg itself and would block), and mq_notify, which it does not
 * implement: the test compares them with Linux's net/socket.c and ipc/mqueue.c instead. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <resolv.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/mman.h>
#include <mqueue.h>
#include <poll.h>
#include <time.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, long r)
{
    if (r < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("   %s = %ld\n", what, r);
}

static int queued(int fd)
{
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

/* n messages of sizes 1, 2, 3, ... (bytes 'a', 'b', ...), each in two iovecs. */
static struct mmsghdr msgs[8];
static struct iovec iovs[8][2];
static char data[8][64];

static void make_msgs(int n, struct sockaddr *to, socklen_t tolen)
{
    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < n; i++) {
        memset(data[i], 'a' + i, sizeof(data[i]));
        iovs[i][0] = (struct iovec){ data[i], 1 };
        iovs[i][1] = (struct iovec){ data[i] + 1, (size_t)i };
        msgs[i].msg_hdr = (struct msghdr){ .msg_name = to, .msg_namelen = tolen, .msg_iov = iovs[i], .msg_iovlen = 2 };
        msgs[i].msg_len = 999;
    }
}

static struct mmsghdr rmsgs[8];
static struct iovec riov[8];
static char rdata[8][64];
static struct sockaddr_in rfrom[8];

static void make_rmsgs(int n, size_t size)
{
    memset(rmsgs, 0, sizeof(rmsgs));
    memset(rdata, 0, sizeof(rdata));
    for (int i = 0; i < n; i++) {
        riov[i] = (struct iovec){ rdata[i], size };
        rmsgs[i].msg_hdr = (struct msghdr){ .msg_name = &rfrom[i], .msg_namelen = sizeof(rfrom[i]), .msg_iov = &riov[i], .msg_iovlen = 1 };
        rmsgs[i].msg_len = 999;
    }
}

static void show_rmsgs(int n)
{
    for (int i = 0; i < n; i++)
        printf("   msg %d: len %u flags %#x namelen %u data %.8s\n", i, rmsgs[i].msg_len, rmsgs[i].msg_hdr.msg_flags,
               rmsgs[i].msg_hdr.msg_namelen, rdata[i]);
}

static void udp_pair(int *a, int *b, struct sockaddr_in *baddr)
{
    *a = socket(AF_INET, SOCK_DGRAM, 0);
    *b = socket(AF_INET, SOCK_DGRAM, 0);
    *baddr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    bind(*b, (struct sockaddr *)baddr, sizeof(*baddr));
    socklen_t len = sizeof(*baddr);
    getsockname(*b, (struct sockaddr *)baddr, &len);
}

static void mmsg_udp(void)
{
    printf("1. sendmmsg/recvmmsg on UDP\n");
    int a, b;
    struct sockaddr_in to;
    udp_pair(&a, &b, &to);
    make_msgs(3, (struct sockaddr *)&to, sizeof(to));
    show("sendmmsg 3", sendmmsg(a, msgs, 3, 0));
    for (int i = 0; i < 3; i++)
        printf("   sent %d: len %u\n", i, msgs[i].msg_len);
    make_rmsgs(5, 64);
    show("recvmmsg 5 DONTWAIT", recvmmsg(b, rmsgs, 5, MSG_DONTWAIT, NULL));
    show_rmsgs(4);
    show("recvmmsg empty DONTWAIT", recvmmsg(b, rmsgs, 5, MSG_DONTWAIT, NULL));
    show("sendmmsg vlen 0", sendmmsg(a, msgs, 0, 0));
    show("recvmmsg vlen 0", recvmmsg(b, rmsgs, 0, MSG_DONTWAIT, NULL));
    make_msgs(2, (struct sockaddr *)&to, sizeof(to));
    sendmmsg(a, msgs, 2, 0);
    make_rmsgs(4, 64);
    show("recvmmsg 4 WAITFORONE", recvmmsg(b, rmsgs, 4, MSG_WAITFORONE, NULL));
    show_rmsgs(2);
    /* A message that does not fit: truncated, MSG_TRUNC in its msg_flags. */
    make_msgs(4, (struct sockaddr *)&to, sizeof(to));
    sendmmsg(a, msgs + 3, 1, 0);
    make_rmsgs(1, 2);
    show("recvmmsg truncated", recvmmsg(b, rmsgs, 1, MSG_DONTWAIT, NULL));
    show_rmsgs(1);
    /* Errors: the first message's error is the call's, a later one ends the batch. */
    static char big[70000];
    struct iovec bigv = { big, sizeof(big) };
    make_msgs(2, (struct sockaddr *)&to, sizeof(to));
    msgs[1].msg_hdr.msg_iov = &bigv;
    msgs[1].msg_hdr.msg_iovlen = 1;
    show("sendmmsg ok + too big", sendmmsg(a, msgs, 2, 0));
    printf("   lens %u %u\n", msgs[0].msg_len, msgs[1].msg_len);
    show("sendmmsg too big first", sendmmsg(a, msgs + 1, 1, 0));
    make_msgs(2, (struct sockaddr *)&to, sizeof(to));
    msgs[1].msg_hdr.msg_iov = (struct iovec *)8;
    show("sendmmsg ok + bad iovec", sendmmsg(a, msgs, 2, 0));
    make_rmsgs(4, 64);
    show("recvmmsg the one sent", recvmmsg(b, rmsgs, 4, MSG_DONTWAIT, NULL));
    show("recvmmsg bad vector", recvmmsg(b, (struct mmsghdr *)8, 1, MSG_DONTWAIT, NULL));
    show("sendmmsg bad vector", sendmmsg(a, (struct mmsghdr *)8, 1, 0));
    show("sendmmsg bad fd", sendmmsg(99, msgs, 1, 0));
    show("recvmmsg not a socket", recvmmsg(0, rmsgs, 1, 0, NULL));
    show("sendmmsg unconnected, no address", sendmmsg(socket(AF_INET, SOCK_DGRAM, 0), (make_msgs(1, NULL, 0), msgs), 1, 0));
    close(a);
    close(b);
}

static void mmsg_stream(void)
{
    printf("2. sendmmsg/recvmmsg on TCP and AF_UNIX\n");
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    bind(l, (struct sockaddr *)&addr, sizeof(addr));
    listen(l, 1);
    getsockname(l, (struct sockaddr *)&addr, &len);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&addr, sizeof(addr));
    int s = accept(l, NULL, NULL);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    make_msgs(4, NULL, 0);
    show("tcp sendmmsg 4", sendmmsg(c, msgs, 4, 0));
    printf("   lens %u %u %u %u\n", msgs[0].msg_len, msgs[1].msg_len, msgs[2].msg_len, msgs[3].msg_len);
    make_rmsgs(5, 2);
    show("tcp recvmmsg 5x2 WAITALL", recvmmsg(s, rmsgs, 5, MSG_WAITALL, NULL));
    show_rmsgs(5);
    shutdown(c, SHUT_WR);
    make_rmsgs(2, 8);
    show("tcp recvmmsg at EOF", recvmmsg(s, rmsgs, 2, 0, NULL));
    show_rmsgs(2);
    show("tcp sendmmsg after SHUT_WR", sendmmsg(c, msgs, 2, MSG_NOSIGNAL));
    close(c);
    close(s);
    close(l);

    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    make_msgs(3, NULL, 0);
    show("unix dgram sendmmsg 3", sendmmsg(sv[0], msgs, 3, 0));
    make_rmsgs(4, 64);
    for (int i = 0; i < 4; i++)
        rmsgs[i].msg_hdr.msg_name = NULL, rmsgs[i].msg_hdr.msg_namelen = 0;
    show("unix dgram recvmmsg 4 DONTWAIT", recvmmsg(sv[1], rmsgs, 4, MSG_DONTWAIT, NULL));
    show_rmsgs(3);
    close(sv[0]);
    close(sv[1]);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    make_msgs(3, NULL, 0);
    show("unix stream sendmmsg 3", sendmmsg(sv[0], msgs, 3, 0));
    make_rmsgs(3, 64);
    for (int i = 0; i < 3; i++)
        rmsgs[i].msg_hdr.msg_name = NULL, rmsgs[i].msg_hdr.msg_namelen = 0;
    show("unix stream recvmmsg 3 DONTWAIT", recvmmsg(sv[1], rmsgs, 3, MSG_DONTWAIT, NULL));
    show_rmsgs(1);
    close(sv[1]);
    show("unix stream sendmmsg, peer gone", sendmmsg(sv[0], msgs, 3, MSG_NOSIGNAL));
    close(sv[0]);
}

static char *pattern(size_t n)
{
    char *p = malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (char)('A' + i % 23);
    return p;
}

static unsigned sum(const char *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + (unsigned char)p[i];
    return s;
}

/* Everything left in a pipe (the write end closed or not): its length and checksum. */
static void drain(const char *what, int fd)
{
    static char buf[1 << 17];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    size_t n = 0;
    ssize_t r;
    while ((r = read(fd, buf + n, sizeof(buf) - n)) > 0)
        n += (size_t)r;
    fcntl(fd, F_SETFL, fl);
    printf("   %s: %zu bytes, sum %08x\n", what, n, sum(buf, n));
}

static void splices(const char *dir)
{
    printf("3. splice\n");
    signal(SIGPIPE, SIG_IGN);
    char path[256], path2[256];
    snprintf(path, sizeof(path), "%s/splice-in", dir);
    snprintf(path2, sizeof(path2), "%s/splice-out", dir);
    int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char *pat = pattern(10000);
    write(f, pat, 10000);
    lseek(f, 0, SEEK_SET);
    int p[2];
    pipe(p);
    loff_t off = 100;
    show("file->pipe at 100, 20000", splice(f, &off, p[1], NULL, 20000, 0));
    printf("   off %lld, file offset %lld, queued %d\n", (long long)off, (long long)lseek(f, 0, SEEK_CUR), queued(p[0]));
    show("write 3 after", write(p[1], "xyz", 3));
    drain("pipe", p[0]);
    show("file->pipe at offset 0, 5000", splice(f, NULL, p[1], NULL, 5000, 0));
    printf("   file offset %lld\n", (long long)lseek(f, 0, SEEK_CUR));
    off = 10000;
    show("file->pipe at EOF", splice(f, &off, p[1], NULL, 100, 0));
    int o = open(path2, O_RDWR | O_CREAT | O_TRUNC, 0600);
    loff_t ooff = 10;
    show("pipe->file at 10", splice(p[0], NULL, o, &ooff, 1 << 20, SPLICE_F_NONBLOCK));
    struct stat st;
    fstat(o, &st);
    printf("   off %lld, size %lld, file offset %lld\n", (long long)ooff, (long long)st.st_size, (long long)lseek(o, 0, SEEK_CUR));
    show("pipe->file empty NONBLOCK", splice(p[0], NULL, o, NULL, 100, SPLICE_F_NONBLOCK));
    write(p[1], "hello", 5);
    show("pipe->file at offset", splice(p[0], NULL, o, NULL, 100, 0));
    printf("   file offset %lld\n", (long long)lseek(o, 0, SEEK_CUR));
    int ap = open(path2, O_WRONLY | O_APPEND);
    write(p[1], "x", 1);
    show("pipe->O_APPEND file", splice(p[0], NULL, ap, NULL, 100, 0));
    show("len 0, bad fds", splice(99, NULL, 98, NULL, 0, 0));
    show("bad flags", splice(p[0], NULL, o, NULL, 1, 0x10));
    show("bad fd", splice(99, NULL, p[1], NULL, 1, 0));
    show("offset on a pipe", splice(p[0], &off, o, NULL, 1, 0));
    show("offset on the out pipe", splice(f, NULL, p[1], &off, 1, 0));
    show("file->file", splice(f, NULL, o, NULL, 1, 0));
    show("same pipe", splice(p[0], NULL, p[1], NULL, 1, 0));
    show("from write end", splice(p[1], NULL, o, NULL, 1, 0));
    show("into read-only file", splice(p[0], NULL, f, NULL, 1, 0) < 0 ? -1 : 0);
    off = -1;
    show("negative offset", splice(f, &off, p[1], NULL, 1, 0));
    show("bad offset pointer", splice(f, (loff_t *)8, p[1], NULL, 1, 0));
    int ev = eventfd(0, 0);
    show("from eventfd", splice(ev, NULL, p[1], NULL, 1, 0));
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    show("from directory", splice(d, NULL, p[1], NULL, 1, 0));
    drain("left", p[0]);
    int z = open("/dev/zero", O_RDONLY), nul = open("/dev/null", O_WRONLY);
    show("/dev/zero->pipe", splice(z, NULL, p[1], NULL, 100000, 0));
    show("pipe->/dev/null", splice(p[0], NULL, nul, NULL, 100000, 0));
    /* A full pipe: EAGAIN with SPLICE_F_NONBLOCK or an O_NONBLOCK pipe. */
    static char fill[65536];
    write(p[1], fill, sizeof(fill));
    show("file->full pipe NONBLOCK", splice(f, NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK));
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    show("file->full O_NONBLOCK pipe", splice(f, NULL, p[1], NULL, 10, 0));
    drain("full", p[0]);
    /* Pipe to pipe: whole buffers move, the last one split. */
    int q[2];
    pipe(q);
    write(p[1], pat, 5000);
    show("pipe->pipe 4500", splice(p[0], NULL, q[1], NULL, 4500, 0));
    printf("   queued %d %d\n", queued(p[0]), queued(q[0]));
    show("write 10 after", write(q[1], pat, 10));
    show("pipe->pipe rest", splice(p[0], NULL, q[1], NULL, 4500, 0));
    show("pipe->pipe empty NONBLOCK", splice(p[0], NULL, q[1], NULL, 10, SPLICE_F_NONBLOCK));
    drain("out pipe", q[0]);
    write(p[1], "abc", 3);
    close(q[0]);
    show("pipe->pipe without reader", splice(p[0], NULL, q[1], NULL, 10, 0));
    show("file->pipe without reader", splice(f, NULL, q[1], NULL, 10, 0));
    close(q[1]);
    close(p[1]);
    show("pipe->file, no writer, 3 left", splice(p[0], NULL, o, NULL, 10, 0));
    show("pipe->file, no writer, empty", splice(p[0], NULL, o, NULL, 10, 0));
    close(p[0]);
    /* A ring resized with F_SETPIPE_SZ: as many buffers as it has slots. */
    pipe(p);
    show("F_SETPIPE_SZ 2 pages", fcntl(p[1], F_SETPIPE_SZ, 2 * (int)sysconf(_SC_PAGESIZE)));
    off = 0;
    show("file->2-slot pipe", splice(f, &off, p[1], NULL, 20000, 0));
    show("more NONBLOCK", splice(f, &off, p[1], NULL, 20000, SPLICE_F_NONBLOCK));
    drain("small pipe", p[0]);
    close(p[0]);
    close(p[1]);
    /* Sockets on either side. */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    write(sv[0], pat, 3000);
    show("socket->pipe", splice(sv[1], NULL, p[1], NULL, 10000, 0));
    off = 0;
    show("socket with offset", splice(sv[1], &off, p[1], NULL, 10, 0));
    show("socket->pipe empty NONBLOCK", splice(sv[1], NULL, p[1], NULL, 10, SPLICE_F_NONBLOCK) < 0 ? -1 : 0);
    show("pipe->socket", splice(p[0], NULL, sv[0], NULL, 10000, 0));
    drain("socket", sv[1]);
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
    int ls = socket(AF_INET, SOCK_DGRAM, 0), ls2;
    struct sockaddr_in to;
    udp_pair(&ls2, &ls, &to);
    connect(ls2, (struct sockaddr *)&to, sizeof(to));
    pipe(p);
    write(p[1], pat, 100);
    write(p[1], pat, 5000);
    show("pipe->udp (one datagram)", splice(p[0], NULL, ls2, NULL, 3000, 0));
    show("udp recv", recv(ls, fill, sizeof(fill), MSG_DONTWAIT));
    close(p[0]);
    close(p[1]);
    close(ls);
    close(ls2);
    close(f);
    close(o);
    close(ap);
    close(ev);
    close(d);
    close(z);
    close(nul);
    unlink(path);
    unlink(path2);
}

static void tees(void)
{
    printf("4. tee\n");
    int p[2], q[2];
    pipe(p);
    pipe(q);
    char *pat = pattern(5000);
    write(p[1], pat, 5000);
    show("tee 4500", tee(p[0], q[1], 4500, 0));
    printf("   queued %d %d\n", queued(p[0]), queued(q[0]));
    show("write 10 after", write(q[1], pat, 10));
    printf("   queued %d\n", queued(q[0]));
    show("tee all", tee(p[0], q[1], 100000, 0));
    drain("copy", q[0]);
    show("same pipe", tee(p[0], p[1], 10, 0));
    show("flags before len", tee(p[0], q[1], 0, 0x10));
    show("len 0", tee(99, 98, 0, 0));
    show("bad fd", tee(99, q[1], 1, 0));
    show("from write end", tee(p[1], q[1], 1, 0));
    int f = open("/dev/null", O_WRONLY);
    show("to a file", tee(p[0], f, 1, 0));
    drain("source", p[0]);
    show("empty NONBLOCK", tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
    static char fill[65536];
    write(p[1], "abc", 3);
    write(q[1], fill, sizeof(fill));
    show("into a full pipe NONBLOCK", tee(p[0], q[1], 10, SPLICE_F_NONBLOCK));
    drain("full", q[0]);
    close(q[0]);
    show("no reader", tee(p[0], q[1], 10, 0));
    drain("source", p[0]);
    close(p[1]);
    show("empty, no writer", tee(p[0], q[1], 10, 0));
    close(p[0]);
    close(q[1]);
    close(f);
}

static void vmsplices(void)
{
    printf("5. vmsplice\n");
    long page = sysconf(_SC_PAGESIZE);
    char *buf = NULL;
    posix_memalign((void **)&buf, (size_t)page, 32 * (size_t)page);
    memcpy(buf, pattern(32 * (size_t)page), 32 * (size_t)page);
    int p[2];
    pipe(p);
    struct iovec v[2] = { { buf + 100, 5000 }, { buf, 10 } };
    show("vmsplice 2 vectors", vmsplice(p[1], v, 2, 0));
    printf("   queued %d\n", queued(p[0]));
    show("write 10 after", write(p[1], buf, 10));
    printf("   queued %d\n", queued(p[0]));
    struct iovec all = { buf, 32 * (size_t)page };
    show("vmsplice until full", vmsplice(p[1], &all, 1, SPLICE_F_NONBLOCK));
    show("vmsplice full NONBLOCK", vmsplice(p[1], &all, 1, SPLICE_F_NONBLOCK));
    char *back = malloc(100000);
    struct iovec r[2] = { { back, 3000 }, { back + 3000, 100000 - 3000 } };
    show("vmsplice read end", vmsplice(p[0], r, 2, 0));
    printf("   sum %08x\n", sum(back, 5010));
    show("vmsplice read empty NONBLOCK", vmsplice(p[0], r, 2, SPLICE_F_NONBLOCK));
    show("bad flags", vmsplice(p[1], v, 1, 0x10));
    show("bad fd", vmsplice(99, v, 1, 0));
    show("bad vector", vmsplice(p[1], (struct iovec *)8, 1, 0));
    show("too many vectors", vmsplice(p[1], v, 1025, 0));
    show("zero vectors", vmsplice(p[1], v, 0, 0));
    int nul = open("/dev/null", O_WRONLY);
    show("not a pipe", vmsplice(nul, v, 1, 0));
    struct iovec zero = { buf, 0 };
    show("not a pipe, empty vector", vmsplice(nul, &zero, 1, 0));
    close(nul);
    struct iovec bad = { (void *)8, 10 };
    show("bad buffer", vmsplice(p[1], &bad, 1, 0));
    close(p[1]);
    show("read end, no writer", vmsplice(p[0], r, 2, 0));
    close(p[0]);
    pipe(p);
    close(p[0]);
    show("no reader", vmsplice(p[1], v, 1, 0));
    close(p[1]);
}

/* A DNS server on loopback answering A with 10.1.2.3 and AAAA with fd00::1:2:3, until both
 * came. glibc's resolver sends the two queries with one sendmmsg; the server takes them with
 * recvmmsg. */
static void dns_server(int s)
{
    int answered = 0;
    while (answered < 2) {
        static char q[2][512];
        struct mmsghdr m[2];
        struct iovec v[2];
        struct sockaddr_in from[2];
        for (int i = 0; i < 2; i++) {
            v[i] = (struct iovec){ q[i], sizeof(q[i]) };
            m[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i], .msg_namelen = sizeof(from[i]), .msg_iov = &v[i], .msg_iovlen = 1 } };
        }
        int n = recvmmsg(s, m, 2, MSG_WAITFORONE, NULL);
        if (n <= 0)
            _exit(1);
        for (int i = 0; i < n; i++) {
            char *r = q[i];
            unsigned len = m[i].msg_len, qend = 12;
            while (qend < len && r[qend])
                qend += (unsigned char)r[qend] + 1;
            qend += 5;
            int type = (unsigned char)r[qend - 3];
            r[2] |= 0x80;                  /* a response, */
            r[3] = (char)0x80;             /* recursion available, no error */
            r[7] = 1;                      /* one answer */
            r[9] = r[11] = 0;
            unsigned char ans[40] = { 0xc0, 12, 0, (unsigned char)type, 0, 1, 0, 0, 0, 60 };
            unsigned alen = 10;
            if (type == 1) {
                unsigned char a[] = { 0, 4, 10, 1, 2, 3 };
                memcpy(ans + alen, a, sizeof(a));
                alen += sizeof(a);
            } else {
                unsigned char a[18] = { 0, 16, 0xfd };
                a[15] = 1, a[17] = 2;
                memcpy(ans + alen, a, sizeof(a));
                alen += sizeof(a);
            }
            memcpy(r + qend, ans, alen);
            sendto(s, r, qend + alen, 0, (struct sockaddr *)&from[i], m[i].msg_hdr.msg_namelen);
            answered++;
        }
    }
    _exit(0);
}

static void resolver(void)
{
    printf("6. getaddrinfo through a DNS server on loopback\n");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    bind(s, (struct sockaddr *)&addr, sizeof(addr));
    getsockname(s, (struct sockaddr *)&addr, &len);
    pid_t pid = fork();
    if (pid == 0)
        dns_server(s);
    close(s);
    res_init();
    _res.nscount = 1;
    _res.nsaddr_list[0] = addr;
    _res.retrans = 5;
    _res.retry = 1;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM }, *res;
    int e = getaddrinfo("batch.unibuild.test", "53", &hints, &res);
    printf("   getaddrinfo: %s\n", e ? gai_strerror(e) : "ok");
    for (struct addrinfo *r = res; !e && r; r = r->ai_next) {
        char host[64];
        getnameinfo(r->ai_addr, r->ai_addrlen, host, sizeof(host), NULL, 0, NI_NUMERICHOST);
        printf("   %s\n", host);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("   server exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

struct text_msg { long type; char text[64]; };

static long send_text(int q, long type, const char *text, int flags)
{
    struct text_msg m = { type };
    memcpy(m.text, text, strlen(text));
    return msgsnd(q, &m, strlen(text), flags);
}

static void show_received(const char *what, int q, long type, size_t size, int flags)
{
    struct text_msg m = { 0 };
    long n = msgrcv(q, &m, size, type, flags);
    if (n < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("   %s = %ld: type %ld \"%.*s\"\n", what, n, m.type, (int)n, m.text);
}

static void show_stat(int q)
{
    struct msqid_ds ds;
    if (msgctl(q, IPC_STAT, &ds) < 0) {
        printf("   IPC_STAT = -1 %s\n", strerrorname_np(errno));
        return;
    }
    printf("   IPC_STAT: qnum %lu cbytes %lu qbytes %lu mode %o mine %d lspid %d\n", ds.msg_qnum,
           ds.__msg_cbytes, ds.msg_qbytes, ds.msg_perm.mode & 0777, ds.msg_perm.uid == getuid() && ds.msg_perm.cuid == getuid(),
           ds.msg_lspid == getpid() ? 1 : ds.msg_lspid != 0 ? 2 : 0);   /* qemu-user reports msg_lrpid as 0 */
}

/* Until process pid sleeps (its /proc/PID/stat state is S), for at most 10 s. */
static void wait_asleep(pid_t pid)
{
    char path[64], buf[256];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    for (int i = 0; i < 1000; i++) {
        FILE *f = fopen(path, "r");
        char *p = f && fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
        if (f)
            fclose(f);
        if (p && p[2] == 'S')
            return;
        usleep(10000);
    }
}

static void on_alarm(int sig) { (void)sig; }

static void sysv_msg(void)
{
    printf("8. SysV message queues\n");
    key_t key = 0x5e7b0000 | (getpid() & 0xffff);
    int priv = msgget(IPC_PRIVATE, 0600), priv2 = msgget(IPC_PRIVATE, 0600);
    printf("   private ok %d, a second is another %d\n", priv >= 0, priv2 != priv);
    show("key without IPC_CREAT", msgget(key, 0600));
    int q = msgget(key, IPC_CREAT | 0640);
    printf("   created ok %d, found again %d\n", q >= 0, msgget(key, IPC_CREAT | 0600) == q && msgget(key, 0) == q);
    show("IPC_CREAT|IPC_EXCL", msgget(key, IPC_CREAT | IPC_EXCL | 0600));
    show_stat(q);
    show("send type 0", send_text(q, 0, "x", 0));
    struct text_msg big = { 1 };
    show("send 8193 bytes", msgsnd(q, &big, 8193, 0));
    show("send bad buffer", msgsnd(q, (void *)8, 4, 0));
    show("send bad id", send_text(q + 1000000, 1, "x", 0));
    show("send -1 id", send_text(-1, 1, "x", 0));
    show("send 3 three", send_text(q, 3, "three", 0));
    show("send 1 one", send_text(q, 1, "one", 0));
    show("send 2 two", send_text(q, 2, "two", 0));
    show("send 1 uno", send_text(q, 1, "uno", 0));
    show("send 5 empty", send_text(q, 5, "", 0));
    show_stat(q);
    show_received("receive any", q, 0, 64, 0);
    show_received("receive type 1", q, 1, 64, 0);
    show_received("receive not 1", q, 1, 64, MSG_EXCEPT);
    show_received("receive <= 2", q, -2, 64, 0);
    show_received("receive type 5", q, 5, 64, 0);
    show_received("receive empty NOWAIT", q, 0, 64, IPC_NOWAIT);
    show_received("receive type 7 NOWAIT", q, 7, 64, IPC_NOWAIT);
    send_text(q, 4, "0123456789", 0);
    show_received("receive into 4", q, 0, 4, 0);
    show_received("receive into 4 NOERROR", q, 0, 4, MSG_NOERROR);
    show_received("receive negative size", q, 0, (size_t)-1, 0);
    show_stat(q);
    struct msqid_ds ds;
    msgctl(q, IPC_STAT, &ds);
    ds.msg_qbytes = 20;
    ds.msg_perm.mode = 0600;
    show("IPC_SET qbytes 20, mode 600", msgctl(q, IPC_SET, &ds));
    show("send 16", send_text(q, 1, "0123456789abcdef", 0));
    show("send 8 more NOWAIT", send_text(q, 1, "01234567", IPC_NOWAIT));
    show_stat(q);
    show_received("drain", q, 0, 64, 0);
    /* Blocked receivers: a sender in another process wakes one; a signal is EINTR. */
    pid_t pid = fork();
    if (pid == 0) {
        wait_asleep(getppid());
        send_text(q, 9, "from child", 0);
        _exit(0);
    }
    show_received("blocked until a child sends", q, 9, 64, 0);
    waitpid(pid, NULL, 0);
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { .it_value = { 0, 100000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    show_received("blocked, SIGALRM", q, 0, 64, 0);
    pid = fork();
    if (pid == 0) {
        struct text_msg m;
        _exit(msgrcv(q, &m, sizeof(m.text), 0, 0) < 0 ? errno : 0);
    }
    wait_asleep(pid);
    show("IPC_RMID", msgctl(q, IPC_RMID, NULL));
    int status;
    waitpid(pid, &status, 0);
    printf("   the child's blocked receive: %s\n", WEXITSTATUS(status) ? strerrorname_np(WEXITSTATUS(status)) : "ok");
    show("IPC_RMID again", msgctl(q, IPC_RMID, NULL));
    show("send to removed", send_text(q, 1, "x", 0));
    show("IPC_STAT removed", msgctl(q, IPC_STAT, &ds));
    show("IPC_STAT bad buffer", msgctl(priv, IPC_STAT, (struct msqid_ds *)8));
    show("key gone", msgget(key, 0600));
    msgctl(priv, IPC_RMID, NULL);
    msgctl(priv2, IPC_RMID, NULL);     /* the oracle runs on the host: leave no queue behind */
}

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static void show_sems(int s, int n)
{
    printf("   values");
    for (int i = 0; i < n; i++)
        printf(" %d", semctl(s, i, GETVAL));
    printf("\n");
}

static void sysv_sem(void)
{
    printf("9. SysV semaphores\n");
    key_t key = 0x5e7c0000 | (getpid() & 0xffff);
    show("nsems 0, private", semget(IPC_PRIVATE, 0, 0600));
    show("nsems 32001", semget(IPC_PRIVATE, 32001, 0600));
    show("key without IPC_CREAT", semget(key, 3, 0600));
    int s = semget(key, 3, IPC_CREAT | 0600);
    printf("   created ok %d, found again %d\n", s >= 0, semget(key, 2, 0) == s && semget(key, 0, 0) == s);
    show("found with more sems", semget(key, 4, 0));
    show("IPC_CREAT|IPC_EXCL", semget(key, 3, IPC_CREAT | IPC_EXCL | 0600));
    struct semid_ds ds;
    union semun arg = { .buf = &ds };
    show("IPC_STAT", semctl(s, 0, IPC_STAT, arg));
    printf("   nsems %lu mode %o mine %d\n", ds.sem_nsems, ds.sem_perm.mode & 0777, ds.sem_perm.uid == getuid());
    show_sems(s, 3);
    show("SETVAL 1 = 5", semctl(s, 1, SETVAL, (union semun){ .val = 5 }));
    show("SETVAL 32768", semctl(s, 1, SETVAL, (union semun){ .val = 32768 }));
    show("SETVAL -1", semctl(s, 1, SETVAL, (union semun){ .val = -1 }));
    show("SETVAL sem 3", semctl(s, 3, SETVAL, (union semun){ .val = 1 }));
    show("GETVAL sem -1", semctl(s, -1, GETVAL));
    show("GETPID", semctl(s, 1, GETPID) == getpid());
    unsigned short all[3] = { 1, 2, 3 };
    show("SETALL 1 2 3", semctl(s, 0, SETALL, (union semun){ .array = all }));
    unsigned short got[3] = { 9, 9, 9 };
    show("GETALL", semctl(s, 0, GETALL, (union semun){ .array = got }));
    printf("   all %d %d %d\n", got[0], got[1], got[2]);
    struct sembuf ops[3] = { { 0, -1, 0 }, { 1, 2, 0 }, { 2, -3, 0 } };
    show("semop -1 +2 -3", semop(s, ops, 3));
    show_sems(s, 3);
    struct sembuf nb[2] = { { 1, 1, 0 }, { 0, -1, IPC_NOWAIT } };
    show("semop +1, -1 NOWAIT on 0 (all or nothing)", semop(s, nb, 2));
    show_sems(s, 3);
    struct sembuf z = { 1, 0, IPC_NOWAIT };
    show("wait for zero NOWAIT", semop(s, &z, 1));
    struct sembuf big = { 1, 32767, 0 };
    show("over SEMVMX", semop(s, &big, 1));
    struct sembuf twice[2] = { { 2, 1, 0 }, { 2, -1, 0 } };
    show("+1 -1 on the same", semop(s, twice, 2));
    show("sem 3", semop(s, (struct sembuf[]){ { 3, 1, 0 } }, 1));
    show("no operations", semop(s, ops, 0));
    show("501 operations", semop(s, ops, 501));
    show("bad buffer", semop(s, (struct sembuf *)8, 1));
    show("bad id", semop(s + 1000000, ops, 1));
    struct timespec t = { 0, 1000000 };
    struct sembuf dec = { 0, -1, 0 };
    show("semtimedop 1 ms on 0", semtimedop(s, &dec, 1, &t));
    t.tv_nsec = 1000000000;
    show("semtimedop bad timeout", semtimedop(s, &dec, 1, &t));
    /* SEM_UNDO: a child's changes are undone when it exits. */
    semctl(s, 0, SETVAL, (union semun){ .val = 2 });
    pid_t pid = fork();
    if (pid == 0) {
        struct sembuf u[2] = { { 0, -2, SEM_UNDO }, { 2, 4, SEM_UNDO } };
        _exit(semop(s, u, 2) < 0 ? errno : 0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("   child's SEM_UNDO semop: %s\n", WEXITSTATUS(status) ? strerrorname_np(WEXITSTATUS(status)) : "ok");
    show_sems(s, 3);
    /* Undo clamps at 0: the child takes 1 with SEM_UNDO, the parent takes the other, the exit
     * cannot give back more than is there. */
    semctl(s, 0, SETVAL, (union semun){ .val = 2 });
    pid = fork();
    if (pid == 0) {
        struct sembuf u = { 0, 1, SEM_UNDO };
        semop(s, &u, 1);
        semctl(s, 0, SETVAL, (union semun){ .val = 0 });   /* SETVAL drops the adjustment */
        _exit(0);
    }
    waitpid(pid, &status, 0);
    show_sems(s, 3);
    /* Blocked semops: woken by another process, counted by GETNCNT/GETZCNT, EINTR, EIDRM. */
    pid = fork();
    if (pid == 0) {
        wait_asleep(getppid());
        printf("   ncnt while the parent waits: %d, zcnt %d\n", semctl(s, 0, GETNCNT), semctl(s, 0, GETZCNT));
        struct sembuf up = { 0, 3, 0 };
        semop(s, &up, 1);
        _exit(0);
    }
    struct sembuf down = { 0, -2, 0 };
    show("blocked until a child adds 3", semop(s, &down, 1));
    waitpid(pid, &status, 0);
    show_sems(s, 3);
    struct itimerval it = { .it_value = { 0, 100000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    struct sembuf zero0 = { 0, 0, 0 };
    show("wait for zero, SIGALRM", semop(s, &zero0, 1));
    pid = fork();
    if (pid == 0)
        _exit(semop(s, &zero0, 1) < 0 ? errno : 0);
    wait_asleep(pid);
    printf("   zcnt %d\n", semctl(s, 0, GETZCNT));
    show("IPC_RMID", semctl(s, 0, IPC_RMID));
    waitpid(pid, &status, 0);
    printf("   the child's blocked semop: %s\n", WEXITSTATUS(status) ? strerrorname_np(WEXITSTATUS(status)) : "ok");
    show("IPC_RMID again", semctl(s, 0, IPC_RMID));
    show("GETVAL removed", semctl(s, 0, GETVAL));
    show("key gone", semget(key, 1, 0));
}

static void show_shm(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0) {
        printf("   IPC_STAT = -1 %s\n", strerrorname_np(errno));
        return;
    }
    printf("   IPC_STAT: size %zu nattch %lu mode %o dest %d cpid mine %d private %d\n", ds.shm_segsz, ds.shm_nattch,
           ds.shm_perm.mode & 0777, !!(ds.shm_perm.mode & SHM_DEST), ds.shm_cpid == getpid(), ds.shm_perm.__key == IPC_PRIVATE);
}

static void sysv_shm(void)
{
    printf("10. SysV shared memory\n");
    long page = sysconf(_SC_PAGESIZE);
    key_t key = 0x5e7d0000 | (getpid() & 0xffff);
    show("size 0", shmget(IPC_PRIVATE, 0, 0600));
    show("key without IPC_CREAT", shmget(key, 100, 0600));
    int id = shmget(key, 10000, IPC_CREAT | 0600);
    printf("   created ok %d, found again %d\n", id >= 0, shmget(key, 5000, 0) == id && shmget(key, 0, 0) == id);
    show("found, larger size", shmget(key, 10001, 0));
    show("IPC_CREAT|IPC_EXCL", shmget(key, 100, IPC_CREAT | IPC_EXCL | 0600));
    show_shm(id);
    char *a = shmat(id, NULL, 0);
    printf("   attached ok %d, page aligned %d, zeroed %d\n", a != (void *)-1, ((uintptr_t)a % page) == 0, a[0] == 0 && a[9999] == 0);
    strcpy(a, "parent");
    char *b = shmat(id, NULL, SHM_RDONLY);
    printf("   second attachment sees it: %s\n", b);
    show_shm(id);
    /* A fork shares the segment: the child's write is the parent's. */
    pid_t pid = fork();
    if (pid == 0) {
        strcpy(a + 100, "child wrote");
        a[0] = 'P';
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("   after the child: %s, %s\n", a, a + 100);
    show_shm(id);
    show("detach the read-only one", shmdt(b));
    show("detach it again", shmdt(b));
    show("detach unaligned", shmdt(a + 1));
    show("detach an address inside", shmdt(a + page));
    /* Fixed addresses: SHM_RND rounds down, an occupied range needs SHM_REMAP. */
    char *area = mmap(NULL, 8 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("attach unaligned", (long)shmat(id, area + 1, 0) == -1 ? -1 : 0);
    show("attach over a mapping", (long)shmat(id, area, 0) == -1 ? -1 : 0);
    char *c = shmat(id, area + 1, SHM_RND | SHM_REMAP);
    printf("   SHM_RND|SHM_REMAP at the area: %d, sees %s\n", c == area, c == area ? c : "-");
    show("bad id", (long)shmat(id + 1000000, NULL, 0) == -1 ? -1 : 0);
    show_shm(id);
    /* Removed while attached: still there by id, gone with the last detach. */
    show("IPC_RMID", shmctl(id, IPC_RMID, NULL));
    show_shm(id);
    show("key gone", shmget(key, 100, 0));
    show("detach", shmdt(c));
    show_shm(id);
    show("last detach", shmdt(a));
    show_shm(id);
    /* A child's attachment goes with its exit. */
    int id2 = shmget(IPC_PRIVATE, page, 0600);
    pid = fork();
    if (pid == 0) {
        shmat(id2, NULL, 0);
        shmctl(id2, IPC_RMID, NULL);
        _exit(0);
    }
    waitpid(pid, &status, 0);
    show_shm(id2);
    int id3 = shmget(IPC_PRIVATE, page, 0600);
    show("IPC_STAT bad buffer", shmctl(id3, IPC_STAT, (struct shmid_ds *)8));
    shmctl(id3, IPC_RMID, NULL);
    munmap(area, 8 * page);
}

static volatile int mq_signo, mq_code, mq_value;

static void on_mq_signal(int sig, siginfo_t *si, void *ctx)
{
    (void)ctx;
    mq_signo = sig;
    mq_code = si->si_code;
    mq_value = si->si_value.sival_int;
}

static void show_attr(mqd_t q)
{
    struct mq_attr a;
    if (mq_getattr(q, &a) < 0)
        printf("   getattr = -1 %s\n", strerrorname_np(errno));
    else
        printf("   attr: flags %#lx maxmsg %ld msgsize %ld curmsgs %ld\n", a.mq_flags, a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static void show_mq_receive(const char *what, mqd_t q, size_t size, const struct timespec *abs)
{
    char buf[128] = { 0 };
    unsigned prio = 99;
    long n = abs ? mq_timedreceive(q, buf, size, &prio, abs) : mq_receive(q, buf, size, &prio);
    if (n < 0)
        printf("   %s = -1 %s\n", what, strerrorname_np(errno));
    else
        printf("   %s = %ld: prio %u \"%.*s\"\n", what, n, prio, (int)n, buf);
}

/* The descriptor's status line (its notification pid shown as whether it is ours). */
static void show_status(mqd_t q)
{
    char line[128] = { 0 };
    long n = pread(q, line, sizeof(line) - 1, 0);
    unsigned long size;
    int notify, signo, pid;
    if (sscanf(line, "QSIZE:%lu NOTIFY:%d SIGNO:%d NOTIFY_PID:%d", &size, &notify, &signo, &pid) != 4)
        printf("   status (%ld): unparsed\n", n);
    else
        printf("   status (%ld): qsize %lu notify %d signo %d pid %s\n", n, size, notify, signo,
               pid == getpid() ? "mine" : pid ? "other" : "0");
}

static struct timespec from_now(long ns)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += ns;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static void posix_mq(void)
{
    printf("11. POSIX message queues\n");
    char name[64];
    snprintf(name, sizeof(name), "/unibuild-batchio-%d", getpid());
    show("no leading slash", mq_open("unibuild-batchio", O_RDWR));
    show("not there", mq_open(name, O_RDWR));
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 };
    mqd_t q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    printf("   created ok %d, close-on-exec %d\n", q >= 0, fcntl(q, F_GETFD) & FD_CLOEXEC);
    show("O_CREAT|O_EXCL again", mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr));
    char other[80];
    snprintf(other, sizeof(other), "%s-x", name);
    struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 64 };
    show("maxmsg 0", mq_open(other, O_RDWR | O_CREAT, 0600, &bad));
    bad = (struct mq_attr){ .mq_maxmsg = 4, .mq_msgsize = 0 };
    show("msgsize 0", mq_open(other, O_RDWR | O_CREAT, 0600, &bad));
    mqd_t d = mq_open(other, O_RDWR | O_CREAT, 0600, NULL);
    show_attr(d);
    mq_close(d);
    mq_unlink(other);
    show_attr(q);
    show_status(q);
    show("send prio 1 a", mq_send(q, "a", 1, 1));
    show("send prio 5 bb", mq_send(q, "bb", 2, 5));
    show("send prio 1 ccc", mq_send(q, "ccc", 3, 1));
    show("send prio 3 dddd", mq_send(q, "dddd", 4, 3));
    show_attr(q);
    show_status(q);
    struct timespec before = from_now(0);
    before.tv_sec -= 1;
    show("send when full, past timeout", mq_timedsend(q, "e", 1, 1, &before));
    struct timespec soon = from_now(10000000);
    show("send when full, 10 ms", mq_timedsend(q, "e", 1, 1, &soon));
    struct pollfd pf = { q, POLLIN | POLLOUT, 0 };
    poll(&pf, 1, 0);
    printf("   poll when full: %#x\n", pf.revents);
    struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
    show("setattr O_NONBLOCK", mq_setattr(q, &nb, &old));
    printf("   old flags %#lx\n", old.mq_flags);
    show("send when full NONBLOCK", mq_send(q, "e", 1, 1));
    struct mq_attr badf = { .mq_flags = O_NONBLOCK | 1 };
    show("setattr other flags", mq_setattr(q, &badf, NULL));
    show("send 65 bytes", mq_send(q, (char[65]){ 0 }, 65, 1));
    show("send prio 32768", mq_send(q, "x", 1, 32768));
    struct timespec badt = { 0, 1000000000 };
    show("send bad timeout", mq_timedsend(q, "x", 1, 1, &badt));
    show_mq_receive("receive into 63", q, 63, NULL);
    show_mq_receive("receive", q, 64, NULL);
    show_mq_receive("receive", q, 64, NULL);
    show_mq_receive("receive", q, 64, NULL);
    show_mq_receive("receive", q, 64, NULL);
    show_mq_receive("receive empty NONBLOCK", q, 64, NULL);
    nb.mq_flags = 0;
    mq_setattr(q, &nb, NULL);
    struct timespec past = from_now(0);
    past.tv_sec -= 1;
    show_mq_receive("receive empty, past timeout", q, 64, &past);
    show_mq_receive("receive bad timeout", q, 64, &badt);
    pf.revents = 0;
    poll(&pf, 1, 0);
    printf("   poll when empty: %#x\n", pf.revents);
    mqd_t wo = mq_open(name, O_WRONLY), ro = mq_open(name, O_RDONLY);
    show_mq_receive("receive on write-only", wo, 64, NULL);
    show("send on read-only", mq_send(ro, "x", 1, 1));
    show("send on a pipe", ({ int p[2]; pipe(p); long r = mq_send(p[1], "x", 1, 1); close(p[0]); close(p[1]); r; }));
    show("getattr on stdin", ({ struct mq_attr a; mq_getattr(0, &a); }));
    mq_send(wo, "n", 1, 2);
    show_mq_receive("receive", q, 64, NULL);
    /* A blocked receiver in another process is woken by a send. */
    pid_t pid = fork();
    if (pid == 0) {
        char buf[64];
        unsigned prio;
        long n = mq_receive(q, buf, sizeof(buf), &prio);
        _exit(n == 5 && prio == 7 && !memcmp(buf, "hello", 5) ? 0 : 1);
    }
    wait_asleep(pid);
    mq_send(q, "hello", 5, 7);
    int status;
    waitpid(pid, &status, 0);
    printf("   the blocked child got it: %d\n", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    show("unlink", mq_unlink(name));
    show("unlink again", mq_unlink(name));
    show("open after unlink", mq_open(name, O_RDWR));
    show("send after unlink", mq_send(q, "z", 1, 0));
    show_mq_receive("receive after unlink", q, 64, NULL);
    mq_close(q);
    mq_close(wo);
    mq_close(ro);
}

/* mq_notify, which qemu-user does not implement (ENOSYS): compared with Linux's ipc/mqueue.c. */
static void mq_notifications(void)
{
    printf("12. mq_notify\n");
    char name[64];
    snprintf(name, sizeof(name), "/unibuild-notify-%d", getpid());
    mqd_t q = mq_open(name, O_RDWR | O_CREAT, 0600, NULL), wo = q;
    /* One-shot notification by signal when a message reaches the empty queue. */
    struct sigaction sa = { .sa_sigaction = on_mq_signal, .sa_flags = SA_SIGINFO };
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR1, .sigev_value.sival_int = 42 };
    show("notify SIGUSR1", mq_notify(q, &ev));
    show("notify again", mq_notify(q, &ev));
    show_status(q);
    struct sigevent evbad = { .sigev_notify = 7 };
    show("notify bad kind", mq_notify(q, &evbad));
    mq_send(wo, "n", 1, 2);
    printf("   signal %d code %d value %d\n", mq_signo, mq_code, mq_value);
    show_status(q);
    show("notify after it fired", mq_notify(q, &ev));
    show("notify removed", mq_notify(q, NULL));
    show("notify SIGEV_NONE", mq_notify(q, &(struct sigevent){ .sigev_notify = SIGEV_NONE }));
    show_status(q);
    mq_notify(q, NULL);
    mq_close(q);
    mq_unlink(name);
}

static void timeouts(void)
{
    printf("7. recvmmsg timeout\n");
    int a, b;
    struct sockaddr_in to;
    udp_pair(&a, &b, &to);
    make_msgs(3, (struct sockaddr *)&to, sizeof(to));
    sendmmsg(a, msgs, 3, 0);
    make_rmsgs(3, 64);
    struct timespec t = { 5, 0 };
    show("3 queued, timeout 5 s", recvmmsg(b, rmsgs, 3, 0, &t));
    printf("   left <= 5 s: %d\n", t.tv_sec < 5 || (t.tv_sec == 5 && t.tv_nsec == 0));
    sendmmsg(a, msgs, 2, 0);
    t = (struct timespec){ 0, 0 };
    show("2 queued, timeout 0", recvmmsg(b, rmsgs, 3, 0, &t));
    show("the other one", recvmmsg(b, rmsgs, 3, MSG_DONTWAIT, NULL));
    t = (struct timespec){ 0, 1000000000 };
    show("bad timeout", recvmmsg(b, rmsgs, 3, 0, &t));
    t = (struct timespec){ -1, 0 };
    show("negative timeout", recvmmsg(b, rmsgs, 3, 0, &t));
    show("timeout pointer bad", recvmmsg(b, rmsgs, 3, 0, (struct timespec *)8));
    close(a);
    close(b);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    mmsg_udp();
    mmsg_stream();
    splices(dir);
    tees();
    vmsplices();
    resolver();
    sysv_msg();
    sysv_sem();
    sysv_shm();
    posix_mq();
    if (argc > 2 && !strcmp(argv[2], "timeouts")) {
        timeouts();
        mq_notifications();
    }
    return 0;
}
