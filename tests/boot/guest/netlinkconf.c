/* AF_NETLINK / NETLINK_ROUTE conformance: socket and bind rules, port ids, dumps of links,
 * addresses and routes (attributes decoded), single requests, acks and errors (NLMSG_ERROR,
 * NLMSG_DONE with its status, extended-ack text), datagram semantics (MSG_PEEK, MSG_TRUNC,
 * truncation, sender addresses), readiness, options, unicast and multicast between user
 * sockets, and what glibc builds on it (getifaddrs, if_nameindex). Only lo is there: in the
 * guest with --net none, and on Linux inside a fresh network namespace (NLPROBE_NETNS=1, where
 * lo starts down and this program brings it up; nowhere else does it change an interface).
 * Port ids, stamps and pids are printed only as relations ("= getpid", "negative"). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "probe_print.h"

static uint32_t seqno = 100;

static int nl_socket(void)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        say("socket(AF_NETLINK) failed: %s\n", strerrorname_np(errno));
        exit(1);
    }
    return fd;
}

static uint32_t portid_of(int fd)
{
    struct sockaddr_nl a;
    socklen_t len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    return a.nl_pid;
}

/* A request: header, a family header of hlen bytes, then attributes appended by the caller. */
struct req {
    struct nlmsghdr h;
    unsigned char body[256];
};

static struct req *req_new(struct req *r, int type, int flags, const void *hdr, size_t hlen)
{
    memset(r, 0, sizeof(*r));
    r->h.nlmsg_len = NLMSG_LENGTH(hlen);
    r->h.nlmsg_type = type;
    r->h.nlmsg_flags = flags;
    r->h.nlmsg_seq = ++seqno;
    memcpy(r->body, hdr, hlen);
    return r;
}

static void req_attr(struct req *r, int type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
    a->rta_type = type;
    a->rta_len = RTA_LENGTH(len);
    memcpy(RTA_DATA(a), data, len);
    r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static long send_req(int fd, struct req *r)
{
    struct sockaddr_nl k = { .nl_family = AF_NETLINK };
    return sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k));
}

static void print_attr_value(int family_kind, int type, const unsigned char *v, int len)
{
    if (family_kind == 'L' && (type == IFLA_STATS64 || type == IFLA_STATS)) {
        say(" (counters)");                /* their values depend on the traffic so far */
    } else if (family_kind == 'L' && (type == IFLA_IFNAME || type == IFLA_QDISC)) {
        say(" \"%.*s\"", len, v);
    } else if (family_kind == 'A' && type == IFA_LABEL) {
        say(" \"%.*s\"", len, v);
    } else if (family_kind == 'A' && type == IFA_CACHEINFO) {
        const struct ifa_cacheinfo *ci = (const void *)v;
        say(" prefered %u valid %u", ci->ifa_prefered, ci->ifa_valid);
    } else if (len == 1) {
        say(" %u", v[0]);
    } else if (len == 4 && !(family_kind == 'A' && (type == IFA_ADDRESS || type == IFA_LOCAL || type == IFA_BROADCAST)) &&
               !(family_kind == 'R' && (type == RTA_DST || type == RTA_PREFSRC || type == RTA_GATEWAY))) {
        uint32_t u;
        memcpy(&u, v, 4);
        say(" %u", u);
    } else {
        say(" ");
        for (int i = 0; i < len; i++)
            say("%02x", v[i]);
    }
}

/* Which attributes of each kind are compared: the ones this kernel answers for. Others
 * (Linux has dozens per link) are counted, not shown. */
static int shown(int kind, int type)
{
    static const int link[] = { IFLA_IFNAME, IFLA_TXQLEN, IFLA_OPERSTATE, IFLA_LINKMODE, IFLA_MTU, IFLA_MIN_MTU,
                                IFLA_MAX_MTU, IFLA_GROUP, IFLA_PROMISCUITY, IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES,
                                IFLA_CARRIER, IFLA_PROTO_DOWN, IFLA_ADDRESS, IFLA_BROADCAST, IFLA_STATS64,
                                IFLA_STATS, 0 };
    static const int addr[] = { IFA_ADDRESS, IFA_LOCAL, IFA_LABEL, IFA_BROADCAST, IFA_FLAGS, IFA_CACHEINFO, IFA_PROTO, 0 };
    static const int route[] = { RTA_TABLE, RTA_DST, RTA_PREFSRC, RTA_GATEWAY, RTA_OIF, RTA_PRIORITY, RTA_PREF, 0 };
    const int *l = kind == 'L' ? link : kind == 'A' ? addr : route;
    for (; *l; l++)
        if (*l == type)
            return 1;
    return 0;
}

/* One message: its header (pid and seq as relations to the request), its family header and
 * its attributes. */
static void print_msg(const struct nlmsghdr *h, uint32_t want_pid, uint32_t want_seq, int verbose)
{
    say("    type %u flags 0x%x seq %s pid %s", h->nlmsg_type, h->nlmsg_flags,
        h->nlmsg_seq == want_seq ? "=req" : "other", h->nlmsg_pid == want_pid ? "=mine" : h->nlmsg_pid ? "other" : "0");
    const unsigned char *p = NLMSG_DATA(h);
    int plen = (int)h->nlmsg_len - NLMSG_HDRLEN, hlen = 0, kind = 0;
    if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR) {
        int e;
        memcpy(&e, p, 4);
        say(" len %u status %d%s%s", h->nlmsg_len, e, e ? " " : "", e ? strerrorname_np(-e) : "");
        if (h->nlmsg_type == NLMSG_ERROR && plen >= 20) {
            const struct nlmsghdr *orig = (const void *)(p + 4);
            say(" echo type %u seq %s len %u", orig->nlmsg_type, orig->nlmsg_seq == want_seq ? "=req" : "other",
                orig->nlmsg_len);
        }
        int off = h->nlmsg_type == NLMSG_DONE ? 4
                  : (h->nlmsg_flags & 0x100) ? 20 : 4 + NLMSG_ALIGN(((const struct nlmsghdr *)(p + 4))->nlmsg_len);
        if (h->nlmsg_flags & 0x200)
            for (const struct nlattr *a = (const void *)(p + off); (const unsigned char *)a + 4 <= p + plen;
                 a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
                if (a->nla_len < 4)
                    break;
                if (a->nla_type == NLMSGERR_ATTR_MSG)
                    say(" msg \"%s\"", (const char *)(a + 1));
                else
                    say(" tlv %u", a->nla_type);
            }
        say("\n");
        return;
    }
    if (h->nlmsg_type == RTM_NEWLINK) {
        const struct ifinfomsg *i = (const void *)p;
        say(" link family %u type %u index %d flags 0x%x change 0x%x", i->ifi_family, i->ifi_type, i->ifi_index,
            i->ifi_flags, i->ifi_change);
        hlen = sizeof(*i);
        kind = 'L';
    } else if (h->nlmsg_type == RTM_NEWADDR) {
        const struct ifaddrmsg *a = (const void *)p;
        say(" addr family %u prefixlen %u flags 0x%x scope %u index %u", a->ifa_family, a->ifa_prefixlen, a->ifa_flags,
            a->ifa_scope, a->ifa_index);
        hlen = sizeof(*a);
        kind = 'A';
    } else if (h->nlmsg_type == RTM_NEWROUTE) {
        const struct rtmsg *r = (const void *)p;
        say(" route family %u dst_len %u src_len %u tos %u table %u protocol %u scope %u type %u flags 0x%x",
            r->rtm_family, r->rtm_dst_len, r->rtm_src_len, r->rtm_tos, r->rtm_table, r->rtm_protocol, r->rtm_scope,
            r->rtm_type, r->rtm_flags);
        hlen = sizeof(*r);
        kind = 'R';
    }
    say("\n");
    if (!verbose || !kind)
        return;
    int rem = plen - NLMSG_ALIGN(hlen);
    for (const struct rtattr *a = (const void *)(p + NLMSG_ALIGN(hlen)); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
        int type = a->rta_type & NLA_TYPE_MASK;
        if (!shown(kind, type))
            continue;
        say("      attr %d len %u", type, a->rta_len);
        print_attr_value(kind, type, RTA_DATA(a), (int)RTA_PAYLOAD(a));
        say("\n");
    }
}

/* Read datagrams until NLMSG_DONE or an error, or nothing more (non-blocking): each message
 * printed; "parts" counts the datagrams when wanted (where Linux 6.1 and later agree). */
static void read_answers(int fd, uint32_t seq, int verbose, int show_parts)
{
    static char buf[65536];
    uint32_t me = portid_of(fd);
    for (int part = 1; part < 50; part++) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 0) != 1) {     /* the kernel answers within sendmsg */
            say("    (nothing more)\n");
            return;
        }
        long n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0) {
            say("    recv = -1 %s\n", strerrorname_np(errno));
            return;
        }
        if (show_parts)
            say("   part %d\n", part);
        int end = 0;
        for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            print_msg(h, me, seq, verbose);
            if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                end = h->nlmsg_type == NLMSG_DONE || !(h->nlmsg_flags & NLM_F_MULTI);
        }
        if (end) {
            /* an error may be followed by nothing; make sure nothing else is queued */
            struct pollfd q = { fd, POLLIN, 0 };
            if (poll(&q, 1, 0) == 1)
                continue;
            return;
        }
    }
}

static void request(int fd, struct req *r, int verbose, int show_parts)
{
    long n = send_req(fd, r);
    if (n < 0)
        say("   send = -1 %s\n", strerrorname_np(errno));
    read_answers(fd, r->h.nlmsg_seq, verbose, show_parts);
}

/* Inside the oracle's fresh namespace lo is down: bring it up there (only there, only lo). */
static void lo_up_in_fresh_netns(void)
{
    if (!getenv("NLPROBE_NETNS"))
        return;
    struct if_nameindex *ni = if_nameindex();
    int only_lo = ni && ni[0].if_name && !strcmp(ni[0].if_name, "lo") && !ni[1].if_name;
    if_freenameindex(ni);
    if (!only_lo) {
        say("NLPROBE_NETNS set but this is not a fresh namespace: refusing to touch interfaces\n");
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
    usleep(200000);                /* ::1 appears once lo is up */
}

static void section_socket(void)
{
    say("1. socket\n");
    int types[] = { SOCK_RAW, SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };
    for (int i = 0; i < 4; i++) {
        int fd = socket(AF_NETLINK, types[i], NETLINK_ROUTE);
        say("   type %d: %s\n", types[i], fd >= 0 ? "fd" : strerrorname_np(errno));
        if (fd >= 0)
            close(fd);
    }
    int protos[] = { -1, 1, 32, 1000 };
    for (int i = 0; i < 4; i++) {
        int fd = socket(AF_NETLINK, SOCK_RAW, protos[i]);
        say("   protocol %d: %s\n", protos[i], fd >= 0 ? "fd" : strerrorname_np(errno));
        if (fd >= 0)
            close(fd);
    }
    int sv[2];
    r("socketpair(AF_NETLINK, SOCK_RAW)", socketpair(AF_NETLINK, SOCK_RAW, 0, sv));
    r("socketpair(AF_NETLINK, SOCK_STREAM)", socketpair(AF_NETLINK, SOCK_STREAM, 0, sv));
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    say("   cloexec %d nonblock %d\n", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    int v;
    socklen_t len = sizeof(v);
    const char *names[] = { "SO_TYPE", "SO_PROTOCOL", "SO_DOMAIN", "SO_RCVBUF", "SO_SNDBUF" };
    int opts[] = { SO_TYPE, SO_PROTOCOL, SO_DOMAIN, SO_RCVBUF, SO_SNDBUF };
    for (int i = 0; i < 5; i++) {
        len = sizeof(v);
        getsockopt(fd, SOL_SOCKET, opts[i], &v, &len);
        say("   %s = %d\n", names[i], v);
    }
    char b[8];
    r("recv nonblocking, nothing queued", recv(fd, b, sizeof(b), 0));
    r("listen", listen(fd, 1));
    r("accept", accept(fd, NULL, NULL));
    r("shutdown", shutdown(fd, SHUT_RDWR));
    r("ioctl FIONREAD", ioctl(fd, FIONREAD, &v));
    close(fd);
}

/* len is read after the call made ret (an argument evaluated before it would not see it). */
static void print_name(const char *what, int ret, struct sockaddr_nl *a, const socklen_t *len, int fd)
{
    if (ret < 0) {
        say("   %s = -1 %s\n", what, strerrorname_np(errno));
        return;
    }
    int32_t pid = (int32_t)a->nl_pid;
    say("   %s = 0 len %u family %u pid %s groups 0x%x\n", what, *len, a->nl_family,
        pid == 0 ? "0" : pid == getpid() ? "=getpid" : pid < 0 ? "negative" : "other", a->nl_groups);
}

static void section_bind(void)
{
    say("2. bind, names, port ids\n");
    struct sockaddr_nl a = { .nl_family = AF_NETLINK }, got;
    socklen_t len = sizeof(got);
    int fd = nl_socket(), fd2 = nl_socket(), fd3 = nl_socket();
    print_name("getsockname unbound", getsockname(fd, (struct sockaddr *)&got, &len), &got, &len, fd);
    r("bind short", bind(fd, (struct sockaddr *)&a, 8));
    a.nl_family = AF_INET;
    r("bind AF_INET family", bind(fd, (struct sockaddr *)&a, sizeof(a)));
    a.nl_family = AF_NETLINK;
    r("bind pid 0", bind(fd, (struct sockaddr *)&a, sizeof(a)));
    len = sizeof(got);
    print_name("getsockname", getsockname(fd, (struct sockaddr *)&got, &len), &got, &len, fd);
    r("bind again pid 0", bind(fd, (struct sockaddr *)&a, sizeof(a)));
    a.nl_pid = got.nl_pid;
    r("bind again same pid", bind(fd, (struct sockaddr *)&a, sizeof(a)));
    a.nl_pid = 0;
    r("second socket bind pid 0", bind(fd2, (struct sockaddr *)&a, sizeof(a)));
    len = sizeof(got);
    print_name("second getsockname", getsockname(fd2, (struct sockaddr *)&got, &len), &got, &len, fd2);
    a.nl_pid = portid_of(fd);
    r("third socket bind taken pid", bind(fd3, (struct sockaddr *)&a, sizeof(a)));
    a.nl_pid = 0x7ffff123;
    r("third socket bind free pid", bind(fd3, (struct sockaddr *)&a, sizeof(a)));
    say("   third pid = chosen %d\n", portid_of(fd3) == 0x7ffff123);
    a.nl_pid = 0;
    a.nl_groups = 0x11;
    r("bind groups 0x11, pid 0 (bound to another)", bind(fd3, (struct sockaddr *)&a, sizeof(a)));
    a.nl_pid = 0x7ffff123;
    r("bind groups 0x11, its pid", bind(fd3, (struct sockaddr *)&a, sizeof(a)));
    len = sizeof(got);
    print_name("getsockname with groups", getsockname(fd3, (struct sockaddr *)&got, &len), &got, &len, fd3);
    len = sizeof(got);
    print_name("getpeername", getpeername(fd3, (struct sockaddr *)&got, &len), &got, &len, fd3);
    len = 4;
    int ret = getsockname(fd3, (struct sockaddr *)&got, &len);
    print_name("getsockname into 4 bytes", ret, &got, &len, fd3);
    struct sockaddr_nl peer = { .nl_family = AF_NETLINK, .nl_pid = 0, .nl_groups = 0 };
    r("connect kernel", connect(fd3, (struct sockaddr *)&peer, sizeof(peer)));
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    r("connect AF_UNSPEC", connect(fd3, &unspec, sizeof(unspec)));
    r("connect short", connect(fd3, (struct sockaddr *)&peer, 1));
    r("connect wrong family", connect(fd3, (struct sockaddr *)&(struct sockaddr_in){ .sin_family = AF_INET }, 16));
    close(fd);
    close(fd2);
    close(fd3);
    /* a socket never bound gets its port id at its first send */
    fd = nl_socket();
    struct req rq;
    struct rtgenmsg g = { AF_UNSPEC };
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof(g));
    say("   before send pid %s\n", portid_of(fd) ? "set" : "0");
    send_req(fd, &rq);
    len = sizeof(got);
    print_name("after send getsockname", getsockname(fd, (struct sockaddr *)&got, &len), &got, &len, fd);
    close(fd);
}

static void section_links(void)
{
    say("3. RTM_GETLINK dumps\n");
    int fd = nl_socket();
    struct req rq;
    struct rtgenmsg g = { AF_UNSPEC };
    say("  glibc's request (rtgenmsg):\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof(g)), 1, 1);
    struct ifinfomsg ifm = { 0 };
    say("  ifinfomsg, NLM_F_ACK too (a dump is not acked):\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, &ifm, sizeof(ifm)), 0, 1);
    say("  family AF_INET:\n");
    ifm.ifi_family = AF_INET;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm)), 0, 1);
    say("  IFLA_MASTER filter:\n");
    ifm.ifi_family = 0;
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm));
    uint32_t master = 1;
    req_attr(&rq, IFLA_MASTER, &master, 4);
    request(fd, &rq, 0, 1);
    say("  ifi_index set, not strict:\n");
    ifm.ifi_index = 1;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm)), 0, 0);
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    say("  strict, ifi_index set:\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm)), 0, 0);
    say("  strict, ifi_flags set:\n");
    ifm.ifi_index = 0;
    ifm.ifi_flags = 1;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm)), 0, 0);
    say("  strict, rtgenmsg only:\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof(g)), 0, 0);
    say("  strict, IFLA_EXT_MASK (iproute2's):\n");
    ifm.ifi_flags = 0;
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm));
    uint32_t mask = RTEXT_FILTER_VF;
    req_attr(&rq, IFLA_EXT_MASK, &mask, 4);
    request(fd, &rq, 0, 1);
    say("  strict, IFLA_MTU (not a dump filter):\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &ifm, sizeof(ifm));
    req_attr(&rq, IFLA_MTU, &mask, 4);
    request(fd, &rq, 0, 0);
    close(fd);
}

static void section_getlink(void)
{
    say("4. RTM_GETLINK for one link, acks and errors\n");
    int fd = nl_socket();
    struct req rq;
    struct ifinfomsg ifm = { .ifi_index = 1 };
    say("  index 1:\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), 1, 0);
    say("  index 1 with NLM_F_ACK:\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm)), 0, 0);
    say("  name lo:\n");
    ifm.ifi_index = 0;
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm));
    req_attr(&rq, IFLA_IFNAME, "lo", 3);
    request(fd, &rq, 0, 0);
    say("  name lo without its NUL:\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm));
    req_attr(&rq, IFLA_IFNAME, "lo", 2);
    request(fd, &rq, 0, 0);
    say("  name nosuch0:\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm));
    req_attr(&rq, IFLA_IFNAME, "nosuch0", 8);
    request(fd, &rq, 0, 0);
    say("  name of 20 characters:\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm));
    req_attr(&rq, IFLA_IFNAME, "abcdefghijklmnopqrst", 21);
    request(fd, &rq, 0, 0);
    say("  index 99:\n");
    ifm.ifi_index = 99;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), 0, 0);
    say("  neither index nor name:\n");
    ifm.ifi_index = 0;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), 0, 0);
    say("  short header (rtgenmsg):\n");
    struct rtgenmsg g = { AF_UNSPEC };
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &g, sizeof(g)), 0, 0);
    say("  header only, NLM_F_ACK:\n");
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &g, 0), 0, 0);
    say("  no NLM_F_REQUEST, NLM_F_ACK:\n");
    ifm.ifi_index = 1;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_ACK, &ifm, sizeof(ifm)), 0, 0);
    say("  no NLM_F_REQUEST, no ack:\n");
    request(fd, req_new(&rq, RTM_GETLINK, 0, &ifm, sizeof(ifm)), 0, 0);
    say("  NLMSG_NOOP with NLM_F_ACK:\n");
    request(fd, req_new(&rq, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm)), 0, 0);
    say("  type 200 (past RTM_MAX):\n");
    request(fd, req_new(&rq, 200, NLM_F_REQUEST, &ifm, sizeof(ifm)), 0, 0);
    say("  nlmsg_len past the datagram:\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm));
    r("   send", sendto(fd, &rq, 20, 0, NULL, 0));
    read_answers(fd, rq.h.nlmsg_seq, 0, 0);
    say("  nlmsg_len 8:\n");
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm));
    rq.h.nlmsg_len = 8;
    r("   send", sendto(fd, &rq, 32, 0, NULL, 0));
    read_answers(fd, rq.h.nlmsg_seq, 0, 0);
    say("  two requests in one datagram:\n");
    struct { struct req a; } two[2];
    req_new(&two[0].a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm));
    ifm.ifi_index = 99;
    req_new(&two[1].a, RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, &ifm, sizeof(ifm));
    char dgram[128];
    memcpy(dgram, &two[0].a, 32);
    memcpy(dgram + 32, &two[1].a, 32);
    r("   send", sendto(fd, dgram, 64, 0, NULL, 0));
    read_answers(fd, two[0].a.h.nlmsg_seq, 0, 0);
    read_answers(fd, two[1].a.h.nlmsg_seq, 0, 0);
    say("  NETLINK_CAP_ACK, index 99:\n");
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), 0, 0);
    say("  NETLINK_EXT_ACK + strict, ifi_type set:\n");
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    ifm.ifi_index = 1;
    ifm.ifi_type = 1;
    request(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), 0, 0);
    say("  strict, IFLA_MTU attribute:\n");
    ifm.ifi_type = 0;
    req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm));
    uint32_t mtu = 1;
    req_attr(&rq, IFLA_MTU, &mtu, 4);
    request(fd, &rq, 0, 0);
    say("  a second dump while one is unread:\n");
    struct rtgenmsg gm = { AF_UNSPEC };
    struct req d1, d2;
    send_req(fd, req_new(&d1, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &gm, sizeof(gm)));
    close(fd);
    fd = nl_socket();
    struct ifaddrmsg ifa = { 0 };
    send_req(fd, req_new(&d1, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)));
    send_req(fd, req_new(&d2, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, &gm, sizeof(gm)));
    char buf[65536];
    long n;
    int k = 0;
    while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 && k++ < 10)
        for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n))
            if (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE)
                print_msg(h, portid_of(fd), h->nlmsg_seq == d1.h.nlmsg_seq ? d1.h.nlmsg_seq : d2.h.nlmsg_seq, 0);
    close(fd);
}

static void section_addrs(void)
{
    say("5. RTM_GETADDR dumps\n");
    int fd = nl_socket();
    struct req rq;
    int fams[] = { AF_INET, AF_INET6, AF_UNSPEC };
    for (int i = 0; i < 3; i++) {
        say("  family %d:\n", fams[i]);
        struct ifaddrmsg ifa = { .ifa_family = fams[i] };
        request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 1, fams[i] == AF_INET);
    }
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    struct ifaddrmsg ifa = { .ifa_family = AF_INET, .ifa_index = 1 };
    say("  strict, AF_INET, index 1:\n");
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 0, 0);
    say("  strict, AF_INET6, index 1:\n");
    ifa.ifa_family = AF_INET6;
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 0, 0);
    say("  strict, AF_INET, index 77:\n");
    ifa.ifa_family = AF_INET;
    ifa.ifa_index = 77;
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 0, 0);
    say("  strict, AF_INET, prefixlen set:\n");
    ifa.ifa_index = 0;
    ifa.ifa_prefixlen = 8;
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 0, 0);
    say("  strict, AF_INET6, scope set:\n");
    ifa.ifa_family = AF_INET6;
    ifa.ifa_prefixlen = 0;
    ifa.ifa_scope = 1;
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa)), 0, 0);
    say("  strict, AF_INET, IFA_LABEL attribute:\n");
    ifa.ifa_family = AF_INET;
    ifa.ifa_scope = 0;
    req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &ifa, sizeof(ifa));
    req_attr(&rq, IFA_LABEL, "lo", 3);
    request(fd, &rq, 0, 0);
    say("  strict, rtgenmsg only:\n");
    struct rtgenmsg g = { AF_INET };
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, &g, sizeof(g)), 0, 0);
    say("  AF_INET, not a dump:\n");
    request(fd, req_new(&rq, RTM_GETADDR, NLM_F_REQUEST, &ifa, sizeof(ifa)), 0, 0);
    close(fd);
}

static void section_routes(void)
{
    say("6. RTM_GETROUTE dumps\n");
    int fd = nl_socket();
    struct req rq;
    int fams[] = { AF_INET, AF_INET6 };
    for (int i = 0; i < 2; i++) {
        say("  family %d:\n", fams[i]);
        struct rtmsg rtm = { .rtm_family = fams[i] };
        request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 1, 0);
    }
    int one = 1;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
    struct rtmsg rtm = { .rtm_family = AF_INET };
    say("  strict, AF_INET, RTA_TABLE local:\n");
    req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm));
    uint32_t table = RT_TABLE_LOCAL;
    req_attr(&rq, RTA_TABLE, &table, 4);
    request(fd, &rq, 0, 0);
    say("  strict, AF_INET, RTA_TABLE main:\n");
    table = RT_TABLE_MAIN;
    req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm));
    req_attr(&rq, RTA_TABLE, &table, 4);
    request(fd, &rq, 0, 0);
    say("  strict, AF_INET, table 100:\n");
    rtm.rtm_table = 100;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    say("  strict, AF_INET6, table 100:\n");
    rtm.rtm_family = AF_INET6;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    say("  strict, AF_INET, type broadcast:\n");
    rtm.rtm_family = AF_INET;
    rtm.rtm_table = 0;
    rtm.rtm_type = RTN_BROADCAST;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    say("  strict, AF_INET, dst_len set:\n");
    rtm.rtm_type = 0;
    rtm.rtm_dst_len = 8;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    say("  strict, AF_INET, RTM_F_NOTIFY flag:\n");
    rtm.rtm_dst_len = 0;
    rtm.rtm_flags = RTM_F_NOTIFY;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    say("  strict, AF_INET, RTA_OIF 77:\n");
    rtm.rtm_flags = 0;
    req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm));
    uint32_t oif = 77;
    req_attr(&rq, RTA_OIF, &oif, 4);
    request(fd, &rq, 0, 0);
    say("  strict, AF_INET, RTA_OIF 1:\n");
    oif = 1;
    req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm));
    req_attr(&rq, RTA_OIF, &oif, 4);
    request(fd, &rq, 0, 0);
    say("  strict, AF_INET, RTA_DST attribute:\n");
    req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm));
    req_attr(&rq, RTA_DST, &oif, 4);
    request(fd, &rq, 0, 0);
    say("  not strict, AF_INET, RTM_F_PREFIX:\n");
    one = 0;
    setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
    rtm.rtm_flags = RTM_F_PREFIX;
    request(fd, req_new(&rq, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, &rtm, sizeof(rtm)), 0, 0);
    close(fd);
}

static void section_datagrams(void)
{
    say("7. datagram semantics, readiness\n");
    int fd = nl_socket();
    struct req rq;
    struct ifinfomsg ifm = { .ifi_index = 1 };
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    say("   poll idle revents 0x%x\n", poll(&p, 1, 0) >= 0 ? p.revents : -1);
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT }, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    send_req(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)));
    p.revents = 0;
    say("   poll after a request revents 0x%x\n", poll(&p, 1, 1000) >= 0 ? p.revents : -1);
    int nev = epoll_wait(ep, &out, 1, 1000);
    say("   epoll_wait = %d events 0x%x\n", nev, out.events);
    char buf[65536];
    long peek = recv(fd, buf, sizeof(buf), MSG_PEEK);
    long full = recv(fd, buf, sizeof(buf), MSG_PEEK | MSG_TRUNC);
    say("   peek = full %d\n", peek == full && peek > 0);
    long small = recv(fd, buf, 16, MSG_PEEK);
    say("   peek 16 = %ld\n", small);
    long trunc = recv(fd, buf, 16, MSG_PEEK | MSG_TRUNC);
    say("   peek 16 MSG_TRUNC = full %d\n", trunc == full);
    struct sockaddr_nl from = { 0 };
    struct iovec iov = { buf, 16 };
    struct msghdr m = { .msg_name = &from, .msg_namelen = sizeof(from) + 4, .msg_iov = &iov, .msg_iovlen = 1 };
    long n = recvmsg(fd, &m, 0);
    say("   recvmsg 16 = %ld flags 0x%x namelen %u family %u pid %u groups %u\n", n, m.msg_flags, m.msg_namelen,
        from.nl_family, from.nl_pid, from.nl_groups);
    r("   rest of it (gone)", recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
    p.revents = 0;
    say("   poll drained revents 0x%x\n", poll(&p, 1, 0) >= 0 ? p.revents : -1);
    send_req(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)));
    poll(&p, 1, 1000);
    socklen_t alen = sizeof(from) + 4;
    memset(&from, 0xff, sizeof(from));
    n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &alen);
    say("   recvfrom = full %d addrlen %u family %u pad %u pid %u\n", n == full, alen, from.nl_family, from.nl_pad,
        from.nl_pid);
    r("   write request", write(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)), rq.h.nlmsg_len));
    poll(&p, 1, 1000);
    say("   read = full %d\n", read(fd, buf, sizeof(buf)) == full);
    struct timeval tv = { 0, 20000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    r("   recv with SO_RCVTIMEO, nothing queued", recv(fd, buf, sizeof(buf), 0));
    r("   recv MSG_DONTWAIT", recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
    r("   recv MSG_OOB", recv(fd, buf, sizeof(buf), MSG_OOB | MSG_DONTWAIT));
    r("   send MSG_OOB", send(fd, &rq, rq.h.nlmsg_len, MSG_OOB));
    r("   sendto short address", sendto(fd, &rq, rq.h.nlmsg_len, 0, (struct sockaddr *)&from, 8));
    struct sockaddr_in in = { .sin_family = AF_INET };
    r("   sendto AF_INET address", sendto(fd, &rq, rq.h.nlmsg_len, 0, (struct sockaddr *)&in, sizeof(in)));
    r("   send 8 bytes (not a message)", send(fd, &rq, 8, 0));
    r("   recv after it", recv(fd, buf, sizeof(buf), MSG_DONTWAIT));
    close(ep);
    close(fd);
}

static void section_options(void)
{
    say("8. SOL_NETLINK options\n");
    int fd = nl_socket(), v;
    socklen_t len;
    struct { const char *name; int opt; } opts[] = {
        { "NETLINK_PKTINFO", NETLINK_PKTINFO }, { "NETLINK_BROADCAST_ERROR", NETLINK_BROADCAST_ERROR },
        { "NETLINK_NO_ENOBUFS", NETLINK_NO_ENOBUFS }, { "NETLINK_CAP_ACK", NETLINK_CAP_ACK },
        { "NETLINK_EXT_ACK", NETLINK_EXT_ACK }, { "NETLINK_GET_STRICT_CHK", NETLINK_GET_STRICT_CHK },
        { "NETLINK_LISTEN_ALL_NSID", NETLINK_LISTEN_ALL_NSID }, { "option 99", 99 },
    };
    for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
        len = sizeof(v);
        v = -1;
        int g = getsockopt(fd, SOL_NETLINK, opts[i].opt, &v, &len);
        int one = 5;
        int s = setsockopt(fd, SOL_NETLINK, opts[i].opt, &one, sizeof(one));
        int se = errno;
        len = sizeof(v);
        int g2 = getsockopt(fd, SOL_NETLINK, opts[i].opt, &v, &len);
        say("   %s: get %s", opts[i].name, g < 0 ? strerrorname_np(errno) : "0");
        say(" set %s get %s value %d len %u\n", s < 0 ? strerrorname_np(se) : "0", g2 < 0 ? "error" : "0", g2 < 0 ? -1 : v,
            len);
    }
    len = 2;
    r("get NETLINK_EXT_ACK len 2", getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len));
    short sh = 1;
    r("set NETLINK_EXT_ACK len 2 (reads 0)", setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &sh, sizeof(sh)));
    len = sizeof(v);
    getsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &v, &len);
    say("   NETLINK_EXT_ACK now %d\n", v);
    r("get level SOL_IP", getsockopt(fd, SOL_IP, 1, &v, &len));
    r("set level SOL_IP", setsockopt(fd, SOL_IP, 1, &v, sizeof(v)));
    uint32_t words[4] = { 0 };
    len = sizeof(words);
    r("NETLINK_LIST_MEMBERSHIPS fresh", getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, words, &len));
    say("   len %u\n", len);
    int g = 3;
    r("ADD_MEMBERSHIP 3", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
    g = 33;
    r("ADD_MEMBERSHIP 33", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
    g = 0;
    r("ADD_MEMBERSHIP 0", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
    g = 1000;
    r("ADD_MEMBERSHIP 1000", setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)));
    len = sizeof(words);
    r("NETLINK_LIST_MEMBERSHIPS", getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, words, &len));
    say("   len %u words 0x%x 0x%x\n", len, words[0], words[1]);
    len = 4;
    memset(words, 0, sizeof(words));
    r("NETLINK_LIST_MEMBERSHIPS room 4", getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, words, &len));
    say("   len %u words 0x%x 0x%x\n", len, words[0], words[1]);
    g = 3;
    r("DROP_MEMBERSHIP 3", setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &g, sizeof(g)));
    struct sockaddr_nl a;
    len = sizeof(a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    say("   getsockname groups 0x%x\n", a.nl_groups);
    v = 4096;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
    len = sizeof(v);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len);
    say("   SO_RCVBUF after 4096: %d\n", v);
    close(fd);
}

static void section_unicast(void)
{
    say("9. between user sockets\n");
    int a = nl_socket(), b = nl_socket();
    struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
    bind(a, (struct sockaddr *)&addr, sizeof(addr));
    bind(b, (struct sockaddr *)&addr, sizeof(addr));
    addr.nl_pid = portid_of(a);
    char msg[20] = "hello, netlink";
    r("b to a", sendto(b, msg, sizeof(msg), 0, (struct sockaddr *)&addr, sizeof(addr)));
    char buf[64];
    struct sockaddr_nl from;
    socklen_t len = sizeof(from);
    long n = recvfrom(a, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len);
    say("   a got %ld \"%s\" from b %d groups %u\n", n, n > 0 ? buf : "", from.nl_pid == portid_of(b), from.nl_groups);
    addr.nl_pid = 0x7ffff321;
    r("to a port id nobody has", sendto(b, msg, sizeof(msg), 0, (struct sockaddr *)&addr, sizeof(addr)));
    int g = 23;
    setsockopt(a, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g));
    addr.nl_pid = 0x7ffff321;
    addr.nl_groups = 1u << 22;
    r("b to group 23 (and an absent port id)", sendto(b, msg, sizeof(msg), 0, (struct sockaddr *)&addr, sizeof(addr)));
    len = sizeof(from);
    n = recvfrom(a, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &len);
    say("   a got %ld from b %d groups 0x%x\n", n, from.nl_pid == portid_of(b), from.nl_groups);
    addr.nl_pid = portid_of(a);
    addr.nl_groups = 0;
    r("connect b to a", connect(b, (struct sockaddr *)&addr, sizeof(addr)));
    r("send on connected b", send(b, msg, 5, 0));
    len = sizeof(addr);
    getpeername(b, (struct sockaddr *)&addr, &len);
    say("   b's peer is a %d\n", addr.nl_pid == portid_of(a));
    n = recv(a, buf, sizeof(buf), MSG_DONTWAIT);
    say("   a got %ld\n", n);
    close(a);
    addr.nl_pid = portid_of(a);
    r("send to a closed", send(b, msg, 5, 0));
    close(b);
}

static void section_glibc(void)
{
    say("10. glibc over netlink\n");
    struct if_nameindex *ni = if_nameindex();
    for (struct if_nameindex *i = ni; i && i->if_name; i++)
        say("   if_nameindex %u %s\n", i->if_index, i->if_name);
    if_freenameindex(ni);
    say("   if_nametoindex(lo) = %u\n", if_nametoindex("lo"));
    char name[IF_NAMESIZE];
    say("   if_indextoname(1) = %s\n", if_indextoname(1, name) ? name : strerrorname_np(errno));
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct ifreq ifr;
    unsigned long reqs[] = { SIOCGIFFLAGS, SIOCGIFMTU, SIOCGIFINDEX, SIOCGIFTXQLEN, SIOCGIFHWADDR };
    const char *req_names[] = { "SIOCGIFFLAGS", "SIOCGIFMTU", "SIOCGIFINDEX", "SIOCGIFTXQLEN", "SIOCGIFHWADDR" };
    for (int k = 0; k < 5; k++) {
        memset(&ifr, 0, sizeof(ifr));
        strcpy(ifr.ifr_name, "lo");
        int e = ioctl(s, reqs[k], &ifr);
        say("   %s lo = %s value %d family %d\n", req_names[k], e ? strerrorname_np(errno) : "0",
            k == 0 ? ifr.ifr_flags : ifr.ifr_ifindex, ifr.ifr_hwaddr.sa_family);
        strcpy(ifr.ifr_name, "nosuch0");
        say("   %s nosuch0 = %s\n", req_names[k], ioctl(s, reqs[k], &ifr) ? strerrorname_np(errno) : "0");
    }
    ifr.ifr_ifindex = 1;
    say("   SIOCGIFNAME 1 = %s %s\n", ioctl(s, SIOCGIFNAME, &ifr) ? strerrorname_np(errno) : "0", ifr.ifr_name);
    ifr.ifr_ifindex = 77;
    say("   SIOCGIFNAME 77 = %s\n", ioctl(s, SIOCGIFNAME, &ifr) ? strerrorname_np(errno) : "0");
    int nl = nl_socket();
    strcpy(ifr.ifr_name, "lo");
    int ne = ioctl(nl, SIOCGIFINDEX, &ifr);
    say("   SIOCGIFINDEX on netlink = %s %d\n", ne ? strerrorname_np(errno) : "0", ifr.ifr_ifindex);
    close(nl);
    close(s);
    struct ifaddrs *ifa, *i;
    if (getifaddrs(&ifa) == 0) {
        for (i = ifa; i; i = i->ifa_next) {
            char addr[64] = "-";
            int fam = i->ifa_addr ? i->ifa_addr->sa_family : -1;
            if (fam == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr, sizeof(addr));
            else if (fam == AF_INET6)
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr, sizeof(addr));
            say("   getifaddrs %s family %d flags 0x%x %s\n", i->ifa_name, fam, i->ifa_flags, addr);
        }
        freeifaddrs(ifa);
    } else {
        say("   getifaddrs = -1 %s\n", strerrorname_np(errno));
    }
    struct addrinfo hints = { .ai_flags = AI_ADDRCONFIG | AI_NUMERICHOST, .ai_socktype = SOCK_STREAM }, *res;
    int e = getaddrinfo("127.0.0.1", NULL, &hints, &res);
    say("   getaddrinfo(127.0.0.1, AI_ADDRCONFIG) = %d\n", e);
    if (!e)
        freeaddrinfo(res);
}

/* lo's IFLA_STATS64 packet counters (rx, tx) as RTM_GETLINK reports them now. */
static void lo_packets(uint64_t out[2])
{
    int fd = nl_socket();
    struct req rq;
    struct ifinfomsg ifm = { .ifi_index = 1 };
    send_req(fd, req_new(&rq, RTM_GETLINK, NLM_F_REQUEST, &ifm, sizeof(ifm)));
    static char buf[8192];
    long n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    out[0] = out[1] = ~0ull;
    struct nlmsghdr *h = (void *)buf;
    if (n > 0 && NLMSG_OK(h, n) && h->nlmsg_type == RTM_NEWLINK) {
        int rem = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof(ifm));
        for (struct rtattr *a = IFLA_RTA(NLMSG_DATA(h)); RTA_OK(a, rem); a = RTA_NEXT(a, rem))
            if (a->rta_type == IFLA_STATS64)
                memcpy(out, RTA_DATA(a), 16);
    }
    close(fd);
}

static void section_counters(void)
{
    say("11. lo's counters\n");
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    bind(rx, (struct sockaddr *)&a, sizeof(a));
    getsockname(rx, (struct sockaddr *)&a, &len);
    uint64_t before[2], after[2];
    lo_packets(before);
    for (int i = 0; i < 3; i++)
        sendto(tx, "x", 1, 0, (struct sockaddr *)&a, sizeof(a));
    char c;
    for (int i = 0; i < 3; i++)
        recv(rx, &c, 1, 0);
    lo_packets(after);
    say("   3 datagrams over lo: rx packets +%llu, tx packets +%llu\n",
        (unsigned long long)(after[0] - before[0]), (unsigned long long)(after[1] - before[1]));
    close(rx);
    close(tx);
}

int main(void)
{
    alarm(60);
    lo_up_in_fresh_netns();
    section_socket();
    section_bind();
    section_links();
    section_getlink();
    section_addrs();
    section_routes();
    section_datagrams();
    section_options();
    section_unicast();
    section_glibc();
    section_counters();
    return 0;
}
